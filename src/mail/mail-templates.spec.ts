import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LINK_TEMPLATES,
  MAIL_TEMPLATE_NAMES,
  MAIL_TEMPLATE_VARS,
  MailTemplateError,
  type MailTemplateName,
  MailTemplates,
  type MailVarValue,
  defaultMailTemplatesDir,
  escapeHtml,
  formatFechaHora,
  parseTemplateSources,
  renderParsed,
} from './mail-templates';

const sample: Record<string, MailVarValue> = {
  nombre: 'María José López Hernández',
  correo: 'maria.lopez@colima.gob.mx',
  enlace: 'https://correo.colima.gob.mx/activar/AbC_123-xyz',
  venceEl: new Date('2026-11-29T20:05:00Z'),
  vigenciaEnlace: '24 horas',
  longitudMinima: 12,
  centroTrabajo: 'Escuela Primaria "Benito Juárez"',
  cct: '06DPR0001X',
  tipoCuenta: 'Función',
  folio: 'SSST-2026-000123',
  fecha: new Date('2026-11-28T18:00:00Z'),
  motivo: 'Se creó su cuenta de correo electrónico institucional.',
  contrasenaTemporal: 'Hq7m-xR4c-9kPt-w2Nb',
};

function varsFor(name: MailTemplateName): Record<string, MailVarValue> {
  return Object.fromEntries(MAIL_TEMPLATE_VARS[name].map((k) => [k, sample[k]]));
}

function render(templates: MailTemplates, name: MailTemplateName, vars = varsFor(name)) {
  return templates.render(name, vars as never);
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MailTemplateError);
    return (e as Error).message;
  }
  throw new Error('expected a MailTemplateError');
}

const minimalTxt = (body: string, subject = 'Aviso para {{nombre}}') => `---\nasunto: ${subject}\n---\n${body}\n`;

describe('the shipped mail templates', () => {
  const templates = MailTemplates.load();

  it.each(MAIL_TEMPLATE_NAMES)('%s renders every placeholder in Spanish, with nothing left over', (name) => {
    const mail = render(templates, name);
    for (const part of [mail.subject, mail.text, mail.html]) {
      expect(part).not.toMatch(/\{\{|\}\}/);
    }
    expect(mail.subject.length).toBeGreaterThan(10);
    expect(mail.text).toContain('Estimado(a) María José López Hernández:');
    expect(mail.text).toContain('Coordinación de los Servicios Educativos del Estado de Colima');
    expect(mail.html).toContain('<html lang="es-MX">');
    expect(mail.text).toContain('maria.lopez@colima.gob.mx');
  });

  it('shows the link, its expiry and the password rules in link mails, and never a password', () => {
    expect([...LINK_TEMPLATES].sort()).toEqual(
      ['alta-centro-trabajo', 'alta-personal', 'alta-servicio', 'reasignacion-nuevo-titular', 'restablecimiento'].sort(),
    );
    for (const name of LINK_TEMPLATES) {
      expect(MAIL_TEMPLATE_VARS[name]).not.toContain('contrasenaTemporal');
      const mail = render(templates, name);
      // The sentence before the link leads into it, in both parts.
      expect(mail.text).toMatch(/en este enlace[^\n]*:\n\nhttps:\/\/correo\.colima\.gob\.mx\/activar\/AbC_123-xyz\n/);
      expect(mail.html).toMatch(/en este enlace[^<]*:<\/p>\s*<p[^>]*><a href="https:\/\/correo/);
      expect(mail.html).toContain('href="https://correo.colima.gob.mx/activar/AbC_123-xyz"');
      expect(mail.text).toContain('29 de noviembre de 2026 a las 14:05 h');
      expect(mail.text).toContain('24 horas');
      expect(mail.text).toContain('al menos 12 caracteres');
      expect(mail.text).not.toContain('Hq7m-xR4c-9kPt-w2Nb');
      expect(mail.text).not.toMatch(/contraseña temporal/i);
    }
  });

  it('puts the temporary password in both parts and says it must be changed', () => {
    const mail = render(templates, 'contrasena-temporal');
    expect(mail.text).toContain('Contraseña temporal: Hq7m-xR4c-9kPt-w2Nb');
    expect(mail.html).toContain('Hq7m-xR4c-9kPt-w2Nb');
    expect(mail.text).toMatch(/le pedirá cambiarla/);
    expect(mail.subject).not.toContain('Hq7m');
  });

  it('tells the previous holder and the blocked holder without link or password', () => {
    for (const name of ['reasignacion-titular-anterior', 'bloqueo', 'restablecimiento-contrasena-elegida'] as const) {
      const mail = render(templates, name);
      expect(mail.text).not.toMatch(/https?:\/\//);
      expect(mail.text).toContain('28 de noviembre de 2026 a las 12:00 h');
    }
    expect(render(templates, 'bloqueo').text).toContain('fue bloqueada');
    expect(render(templates, 'reasignacion-titular-anterior').text).toContain('ya no tiene acceso');
  });

  it('escapes values in HTML and leaves them as typed in the text', () => {
    const vars = { ...varsFor('alta-servicio'), nombre: `<script>alert("x")</script> & O'Brien` };
    const mail = render(templates, 'alta-servicio', vars);
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; O&#39;Brien');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain(`<script>alert("x")</script> & O'Brien`);
    expect(render(templates, 'alta-centro-trabajo').html).toContain('Escuela Primaria &quot;Benito Juárez&quot;');
  });

  it('refuses a missing, empty or unknown value, naming the placeholder', () => {
    const vars = varsFor('alta-personal');
    delete vars.enlace;
    expect(messageOf(() => render(templates, 'alta-personal', vars))).toContain('falta el valor de {{enlace}}');
    expect(messageOf(() => render(templates, 'alta-personal', { ...varsFor('alta-personal'), nombre: '  ' }))).toContain(
      '{{nombre}}',
    );
    expect(messageOf(() => render(templates, 'bloqueo', { ...varsFor('bloqueo'), enlace: 'https://x.mx/a' }))).toContain(
      '{{enlace}} no es un marcador de esta plantilla',
    );
  });

  it('accepts only an absolute http(s) link', () => {
    for (const enlace of ['javascript:alert(1)', '/activar/abc', 'https://x.mx/a" onclick="b']) {
      expect(messageOf(() => render(templates, 'restablecimiento', { ...varsFor('restablecimiento'), enlace }))).toMatch(
        /enlace debe ser una dirección http/,
      );
    }
  });

  it('refuses a value that would break the subject line', () => {
    expect(messageOf(() => render(templates, 'bloqueo', { ...varsFor('bloqueo'), correo: 'a@b.mx\nBcc: x@y.z' }))).toMatch(
      /asunto no puede tener saltos de línea/,
    );
  });
});

describe('template files an administrator edits', () => {
  const html = '<p>{{nombre}} {{correo}} <a href="{{enlace}}">{{enlace}}</a> {{venceEl}} {{vigenciaEnlace}} {{longitudMinima}}</p>';
  const txt = minimalTxt('{{nombre}}: {{enlace}} vence {{venceEl}}');

  it('parse when well formed', () => {
    const parsed = parseTemplateSources('restablecimiento', txt, html);
    const mail = renderParsed('restablecimiento', parsed, varsFor('restablecimiento') as never);
    expect(mail.subject).toBe('Aviso para María José López Hernández');
    expect(mail.text).toBe('María José López Hernández: https://correo.colima.gob.mx/activar/AbC_123-xyz vence 29 de noviembre de 2026 a las 14:05 h (hora del centro de México)\n');
  });

  it('refuse an unknown placeholder, naming file and placeholder', () => {
    expect(messageOf(() => parseTemplateSources('restablecimiento', minimalTxt('{{enlace}} {{curp}}'), html))).toBe(
      'restablecimiento.txt: el marcador {{curp}} no existe para esta plantilla (disponibles: nombre, correo, enlace, venceEl, vigenciaEnlace, longitudMinima).',
    );
    expect(messageOf(() => parseTemplateSources('restablecimiento', txt, html + '{{folio}}'))).toMatch(
      /^restablecimiento\.html: el marcador \{\{folio\}\}/,
    );
  });

  it('refuse malformed or unclosed braces', () => {
    expect(messageOf(() => parseTemplateSources('restablecimiento', minimalTxt('{{enlace}} {{nombre completo}}'), html))).toMatch(
      /mal escrito/,
    );
    expect(messageOf(() => parseTemplateSources('restablecimiento', minimalTxt('{{enlace}} {{nombre}'), html))).toMatch(/sin cerrar/);
  });

  it('refuse a link template that does not show the link in each part', () => {
    expect(messageOf(() => parseTemplateSources('restablecimiento', minimalTxt('{{nombre}}'), html))).toBe(
      'restablecimiento.txt: debe mostrar {{enlace}}.',
    );
    expect(messageOf(() => parseTemplateSources('restablecimiento', txt, '<p>{{nombre}}</p>'))).toBe(
      'restablecimiento.html: debe mostrar {{enlace}}.',
    );
    expect(
      messageOf(() => parseTemplateSources('contrasena-temporal', minimalTxt('{{motivo}}'), '<p>{{contrasenaTemporal}}</p>')),
    ).toBe('contrasena-temporal.txt: debe mostrar {{contrasenaTemporal}}.');
  });

  it('refuse a missing header, an unknown header field, and a password or link in the subject', () => {
    expect(messageOf(() => parseTemplateSources('bloqueo', 'Hola {{nombre}}', '<p></p>'))).toMatch(/debe empezar con un encabezado/);
    expect(messageOf(() => parseTemplateSources('bloqueo', '---\nasunto: x\nde: y\n---\nHola', '<p></p>'))).toMatch(
      /solo admite "asunto/,
    );
    expect(messageOf(() => parseTemplateSources('bloqueo', '---\n# nada\n---\nHola', '<p></p>'))).toMatch(/falta "asunto/);
    expect(
      messageOf(() =>
        parseTemplateSources(
          'contrasena-temporal',
          minimalTxt('{{contrasenaTemporal}}', 'Su clave {{contrasenaTemporal}}'),
          '<p>{{contrasenaTemporal}}</p>',
        ),
      ),
    ).toMatch(/asunto no puede llevar enlaces ni contraseñas/);
  });

  it('stop the load of a folder with a broken or missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mail-templates-'));
    try {
      cpSync(defaultMailTemplatesDir(), dir, { recursive: true });
      expect(MailTemplates.load(dir).dir).toBe(dir);
      const file = join(dir, 'bloqueo.html');
      writeFileSync(file, readFileSync(file, 'utf8').replace('{{folio}}', '{{folioo}}'));
      expect(messageOf(() => MailTemplates.load(dir))).toMatch(/^bloqueo\.html: el marcador \{\{folioo\}\} no existe/);
      rmSync(file);
      expect(messageOf(() => MailTemplates.load(dir))).toMatch(/Falta la plantilla de correo .*bloqueo\.html/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('formatFechaHora', () => {
  it('writes Mexico City time (UTC-6 all year since 2022)', () => {
    expect(formatFechaHora(new Date('2026-11-28T02:30:00Z'))).toBe('27 de noviembre de 2026 a las 20:30 h (hora del centro de México)');
    expect(formatFechaHora(new Date('2026-07-01T06:00:00Z'))).toBe('1 de julio de 2026 a las 00:00 h (hora del centro de México)');
    expect(formatFechaHora(new Date('2027-01-01T05:59:00Z'))).toBe('31 de diciembre de 2026 a las 23:59 h (hora del centro de México)');
  });

  it('refuses an invalid date', () => {
    expect(messageOf(() => formatFechaHora(new Date('nope')))).toMatch(/Fecha inválida/);
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
