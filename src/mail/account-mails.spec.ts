import { DomainError } from '../common/domain-error';
import {
  type AccountHolder,
  type CentroHolder,
  blockNoticeMail,
  chosenPasswordAppliedMail,
  linkExpiry,
  newAccountMail,
  reassignmentMails,
  recipientOf,
  resetLinkMail,
  temporaryPasswordMail,
} from './account-mails';
import { MailTemplates } from './mail-templates';

const templates = MailTemplates.load();
const sentAt = new Date('2026-11-28T16:00:00Z');
const venceEl = linkExpiry(sentAt);
const enlace = 'https://correo.colima.gob.mx/activar/tok_123';

const worker = (tipo: 'personal' | 'servicio' | 'funcion', correoAlterno: string | null = 'juan.perez@gmail.com') =>
  ({ tipo, nombre: 'Juan Pérez Núñez', correoAlterno }) as const;
const escuela: CentroHolder = {
  tipo: 'centro_trabajo',
  cct: '06DPR0001X',
  centroTrabajo: 'Escuela Primaria Benito Juárez',
  directorNombre: 'Rosa Ávila Cárdenas',
  directorCorreo: 'director.0001x@gmail.com',
};

function domainCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).status).toBe(422);
    return (e as DomainError).code;
  }
  throw new Error('expected a DomainError');
}

describe('who receives the mail', () => {
  it('sends Personal, Servicio and Función accounts to the worker alternate address', () => {
    for (const tipo of ['personal', 'servicio', 'funcion'] as const) {
      expect(recipientOf(worker(tipo))).toEqual({ to: 'juan.perez@gmail.com', nombre: 'Juan Pérez Núñez' });
    }
  });

  it('sends Centro de trabajo accounts to the director', () => {
    expect(recipientOf(escuela)).toEqual({ to: 'director.0001x@gmail.com', nombre: 'Rosa Ávila Cárdenas' });
  });

  it('explains in Spanish when there is no address (the screen shows it; nothing is mailed)', () => {
    expect(domainCode(() => recipientOf(worker('personal', null)))).toBe('SIN_CORREO_ALTERNO');
    expect(domainCode(() => recipientOf(worker('servicio', '  ')))).toBe('SIN_CORREO_ALTERNO');
    expect(domainCode(() => recipientOf({ ...escuela, directorCorreo: null }))).toBe('SIN_CORREO_DIRECTOR');
  });
});

describe('new account and reset mails', () => {
  it('pick the template by account type', () => {
    const cases: [AccountHolder, string, RegExp][] = [
      [worker('personal'), 'alta-personal', /institucional Personal/],
      [escuela, 'alta-centro-trabajo', /centro de trabajo Escuela Primaria Benito Juárez \(CCT 06DPR0001X\)/],
      [worker('servicio'), 'alta-servicio', /de tipo Servicio/],
      [worker('funcion'), 'alta-servicio', /de tipo Función/],
    ];
    for (const [holder, template, wording] of cases) {
      const mail = newAccountMail(templates, {
        holder,
        correo: 'cuenta@colima.gob.mx',
        enlace,
        venceEl,
        idempotencyKey: 'k1',
      });
      expect(mail.template).toBe(template);
      expect(mail.to).toEqual([recipientOf(holder).to]);
      expect(mail.text).toMatch(wording);
      expect(mail.text).toContain(enlace);
      expect(mail.idempotencyKey).toBe('k1');
    }
  });

  it('state a 24-hour link that ends a day after sending, in Mexico City time', () => {
    expect(venceEl.toISOString()).toBe('2026-11-29T16:00:00.000Z');
    const mail = resetLinkMail(templates, {
      holder: worker('personal'),
      correo: 'juan.perez@colima.gob.mx',
      enlace,
      venceEl,
    });
    expect(mail.text).toContain(
      'El enlace vence el 29 de noviembre de 2026 a las 10:00 h (hora del centro de México) (24 horas',
    );
    expect(mail.subject).toBe('Restablecimiento de la contraseña de juan.perez@colima.gob.mx');
  });

  it('carry the configured minimum length', () => {
    const mail = newAccountMail(templates, {
      holder: worker('personal'),
      correo: 'a@colima.gob.mx',
      enlace,
      venceEl,
      longitudMinima: 16,
    });
    expect(mail.text).toContain('al menos 16 caracteres');
  });
});

describe('reassignment', () => {
  const base = {
    holder: worker('servicio', 'nuevo@gmail.com') as AccountHolder,
    tipo: 'servicio' as const,
    correo: 'becas@colima.gob.mx',
    enlace,
    venceEl,
    folio: 'SSST-2026-000045',
    fecha: sentAt,
    idempotencyKey: 'case-7:notificar:1',
  };

  it('mails the new holder a link and tells the previous one their access ended, with distinct keys', () => {
    const mails = reassignmentMails(templates, { ...base, previousHolder: worker('servicio', 'anterior@gmail.com') });
    expect(mails.map((m) => [m.template, m.to[0]])).toEqual([
      ['reasignacion-nuevo-titular', 'nuevo@gmail.com'],
      ['reasignacion-titular-anterior', 'anterior@gmail.com'],
    ]);
    expect(mails[0].text).toContain(enlace);
    expect(mails[1].text).not.toContain(enlace);
    expect(mails[1].text).toContain('ya no tiene acceso');
    expect(new Set(mails.map((m) => m.idempotencyKey)).size).toBe(2);
  });

  it('skips the previous holder when there is no address to write to', () => {
    expect(reassignmentMails(templates, { ...base, previousHolder: worker('servicio', null) })).toHaveLength(1);
    expect(reassignmentMails(templates, base)).toHaveLength(1);
  });

  it('cites no oficio when there was none (5.4 version 3, opened by reconciliation)', () => {
    const withOficio = reassignmentMails(templates, {
      ...base,
      previousHolder: worker('servicio', 'anterior@gmail.com'),
    });
    expect(withOficio.map((m) => m.text).join()).toContain('oficio con folio SSST-2026-000045');
    const mails = reassignmentMails(templates, {
      ...base,
      folio: null,
      previousHolder: worker('servicio', 'anterior@gmail.com'),
    });
    expect(mails.map((m) => [m.template, m.to[0]])).toEqual([
      ['reasignacion-nuevo-titular-sin-oficio', 'nuevo@gmail.com'],
      ['reasignacion-titular-anterior-sin-oficio', 'anterior@gmail.com'],
    ]);
    expect(mails[0].text).toContain(enlace);
    expect(mails[1].text).toContain(
      'la Subjefatura de Sistemas reasignó a otra persona la cuenta de correo electrónico institucional becas@colima.gob.mx',
    );
    for (const m of mails) expect(`${m.subject}${m.text}${m.html}`).not.toMatch(/oficio|folio/i);
    expect(mails.map((m) => m.idempotencyKey)).toEqual(withOficio.map((m) => m.idempotencyKey));
  });
});

describe('block notice, chosen password, temporary password', () => {
  it('tells of a block without credentials, or returns nothing when nobody can be told', () => {
    const mail = blockNoticeMail(templates, {
      holder: escuela,
      correo: 'esc0001x@colima.gob.mx',
      folio: 'F-1',
      fecha: sentAt,
    });
    expect(mail?.to).toEqual(['director.0001x@gmail.com']);
    expect(mail?.text).not.toMatch(/https?:|contraseña temporal/i);
    expect(mail?.text).toContain('oficio con folio F-1');
    // 5.5 version 3, opened by reconciliation: no oficio to cite.
    const sinOficio = blockNoticeMail(templates, {
      holder: worker('personal'),
      correo: 'x@colima.gob.mx',
      folio: null,
      fecha: sentAt,
      idempotencyKey: 'k-1',
    });
    expect([sinOficio?.template, sinOficio?.to, sinOficio?.idempotencyKey]).toEqual([
      'bloqueo-sin-oficio',
      ['juan.perez@gmail.com'],
      'k-1',
    ]);
    expect(sinOficio?.subject).toBe('La cuenta de correo institucional x@colima.gob.mx fue bloqueada');
    expect(sinOficio?.text).toContain(
      'la Subjefatura de Sistemas bloqueó la cuenta de correo electrónico institucional',
    );
    expect(`${sinOficio?.text}${sinOficio?.html}`).not.toMatch(/oficio|folio|https?:|contraseña/i);
    expect(
      blockNoticeMail(templates, {
        holder: worker('personal', null),
        correo: 'x@colima.gob.mx',
        folio: 'F-1',
        fecha: sentAt,
      }),
    ).toBeUndefined();
  });

  it('confirms the school password was applied without repeating it', () => {
    const mail = chosenPasswordAppliedMail(templates, {
      holder: escuela,
      correo: 'esc0001x@colima.gob.mx',
      fecha: sentAt,
    });
    expect(mail.to).toEqual(['director.0001x@gmail.com']);
    expect(mail.text).toContain('por seguridad no se incluye');
  });

  it('puts the temporary password in the message for the right recipient', () => {
    const mail = temporaryPasswordMail(templates, {
      holder: worker('personal'),
      correo: 'juan.perez@colima.gob.mx',
      motivo: 'restablecimiento',
      contrasenaTemporal: 'Hq7m-xR4c-9kPt-w2Nb',
    });
    expect(mail.to).toEqual(['juan.perez@gmail.com']);
    expect(mail.text).toContain('Se restableció la contraseña de su cuenta');
    expect(mail.text).toContain('Contraseña temporal: Hq7m-xR4c-9kPt-w2Nb');
  });
});
