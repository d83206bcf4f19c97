import { TIPO_CUENTA_LABEL, type TipoCuenta } from '../catalog/cuenta-tipos';
import { DomainError } from '../common/domain-error';
import { PASSWORD_MIN_LENGTH_DEFAULT } from '../security/password-policy';
import type { MailTemplateName, MailTemplates } from './mail-templates';
import type { OutgoingMail } from './mailer';

/**
 * Who receives which message, in one place (Guía 5.1.1 paso 16, 5.2.1 paso 10, 5.2.3 paso 9, 5.3.1, 5.3.2 paso 10,
 * 5.4 paso 11): a Personal, Servicio or Función account is mailed to the worker's alternate address (Capital Humano);
 * a Centro de trabajo account to its director's address (Catálogo de Centros de Trabajo).
 */
export const LINK_VALIDITY_HOURS = 24;

export interface WorkerHolder {
  tipo: 'personal' | 'servicio' | 'funcion';
  nombre: string;
  correoAlterno: string | null | undefined;
}

export interface CentroHolder {
  tipo: 'centro_trabajo';
  cct: string;
  centroTrabajo: string;
  directorNombre: string;
  directorCorreo: string | null | undefined;
}

export type AccountHolder = WorkerHolder | CentroHolder;

export interface MailFor extends OutgoingMail {
  template: MailTemplateName;
}

/** The address and greeting for a holder; without one, a Spanish error the screen can show (nothing is mailed). */
export function recipientOf(holder: AccountHolder): { to: string; nombre: string } {
  switch (holder.tipo) {
    case 'centro_trabajo': {
      const to = holder.directorCorreo?.trim();
      if (!to) {
        throw new DomainError(
          'SIN_CORREO_DIRECTOR',
          `El centro de trabajo ${holder.cct} no tiene correo del director en el Catálogo de Centros de Trabajo; actualícelo antes de continuar.`,
          422,
          { cct: holder.cct },
        );
      }
      return { to, nombre: holder.directorNombre };
    }
    case 'personal':
    case 'servicio':
    case 'funcion': {
      const to = holder.correoAlterno?.trim();
      if (!to) {
        throw new DomainError(
          'SIN_CORREO_ALTERNO',
          'El trabajador no tiene un correo alterno registrado en Capital Humano; no es posible enviarle sus datos de acceso.',
          422,
        );
      }
      return { to, nombre: holder.nombre };
    }
  }
}

export function linkExpiry(sentAt: Date, hours = LINK_VALIDITY_HOURS): Date {
  return new Date(sentAt.getTime() + hours * 3_600_000);
}

interface LinkInput {
  holder: AccountHolder;
  /** Institutional address. */
  correo: string;
  /** Absolute activation or reset URL carrying the single-use token. */
  enlace: string;
  venceEl: Date;
  longitudMinima?: number;
  idempotencyKey?: string;
}

function linkVars(input: LinkInput, hours: number) {
  return {
    correo: input.correo,
    enlace: input.enlace,
    venceEl: input.venceEl,
    vigenciaEnlace: `${hours} horas`,
    longitudMinima: input.longitudMinima ?? PASSWORD_MIN_LENGTH_DEFAULT,
  };
}

/** New account with an activation link: the template depends on the account type. */
export function newAccountMail(templates: MailTemplates, input: LinkInput, hours = LINK_VALIDITY_HOURS): MailFor {
  const { to, nombre } = recipientOf(input.holder);
  const base = { ...linkVars(input, hours), nombre };
  const holder = input.holder;
  let rendered;
  let template: MailTemplateName;
  switch (holder.tipo) {
    case 'personal':
      template = 'alta-personal';
      rendered = templates.render(template, base);
      break;
    case 'centro_trabajo':
      template = 'alta-centro-trabajo';
      rendered = templates.render(template, { ...base, cct: holder.cct, centroTrabajo: holder.centroTrabajo });
      break;
    case 'servicio':
    case 'funcion':
      template = 'alta-servicio';
      rendered = templates.render(template, { ...base, tipoCuenta: TIPO_CUENTA_LABEL[holder.tipo] });
      break;
  }
  return { template, to: [to], ...rendered, idempotencyKey: input.idempotencyKey };
}

export function resetLinkMail(templates: MailTemplates, input: LinkInput, hours = LINK_VALIDITY_HOURS): MailFor {
  const { to, nombre } = recipientOf(input.holder);
  const rendered = templates.render('restablecimiento', { ...linkVars(input, hours), nombre });
  return { template: 'restablecimiento', to: [to], ...rendered, idempotencyKey: input.idempotencyKey };
}

/** Guía 5.2.3 paso 9 after a 5.2.2 request: the school's own password was applied; the mail does not repeat it. */
export function chosenPasswordAppliedMail(
  templates: MailTemplates,
  input: { holder: CentroHolder; correo: string; fecha: Date; idempotencyKey?: string },
): MailFor {
  const { to, nombre } = recipientOf(input.holder);
  const rendered = templates.render('restablecimiento-contrasena-elegida', {
    nombre,
    centroTrabajo: input.holder.centroTrabajo,
    cct: input.holder.cct,
    correo: input.correo,
    fecha: input.fecha,
  });
  return {
    template: 'restablecimiento-contrasena-elegida',
    to: [to],
    ...rendered,
    idempotencyKey: input.idempotencyKey,
  };
}

/**
 * Guía 5.4 (and correction 9): the new holder gets a link; the previous holder, when they have an address, is told
 * their access ended. Keys are derived from the one given so each message keeps its own Message-ID.
 */
export function reassignmentMails(
  templates: MailTemplates,
  input: LinkInput & { tipo: TipoCuenta; folio: string | null; fecha: Date; previousHolder?: AccountHolder | null },
  hours = LINK_VALIDITY_HOURS,
): MailFor[] {
  const { to, nombre } = recipientOf(input.holder);
  const vars = { ...linkVars(input, hours), nombre, tipoCuenta: TIPO_CUENTA_LABEL[input.tipo] };
  const idempotencyKey = input.idempotencyKey && `${input.idempotencyKey}:nuevo-titular`;
  const mails: MailFor[] = [
    input.folio
      ? {
          template: 'reasignacion-nuevo-titular',
          to: [to],
          ...templates.render('reasignacion-nuevo-titular', { ...vars, folio: input.folio }),
          idempotencyKey,
        }
      : {
          // 5.4 version 3: opened by reconciliation, there is no oficio to cite.
          template: 'reasignacion-nuevo-titular-sin-oficio',
          to: [to],
          ...templates.render('reasignacion-nuevo-titular-sin-oficio', vars),
          idempotencyKey,
        },
  ];
  const previous = input.previousHolder
    ? previousHolderMail(templates, { ...input, previousHolder: input.previousHolder })
    : undefined;
  if (previous) mails.push(previous);
  return mails;
}

/**
 * Guía 5.4 (correction 9): the previous holder is told their access ended; it carries no link, so it needs none.
 * Undefined when they have no address to write to.
 */
export function previousHolderMail(
  templates: MailTemplates,
  input: { previousHolder: AccountHolder; correo: string; folio: string | null; fecha: Date; idempotencyKey?: string },
): MailFor | undefined {
  const previous = optionalRecipient(input.previousHolder);
  if (!previous) return undefined;
  const vars = { nombre: previous.nombre, correo: input.correo, fecha: input.fecha };
  const idempotencyKey = input.idempotencyKey && `${input.idempotencyKey}:titular-anterior`;
  return input.folio
    ? {
        template: 'reasignacion-titular-anterior',
        to: [previous.to],
        ...templates.render('reasignacion-titular-anterior', { ...vars, folio: input.folio }),
        idempotencyKey,
      }
    : {
        // 5.4 version 3: opened by reconciliation, there is no oficio to cite.
        template: 'reasignacion-titular-anterior-sin-oficio',
        to: [previous.to],
        ...templates.render('reasignacion-titular-anterior-sin-oficio', vars),
        idempotencyKey,
      };
}

/**
 * Guía 5.5: the holder is told of the block; no credentials. Returns undefined when there is nobody to tell. Without a
 * folio (5.5 version 3, opened by reconciliation: there is no oficio to cite), the notice says the Subjefatura blocked
 * it on reviewing the institutional catalogs.
 */
export function blockNoticeMail(
  templates: MailTemplates,
  input: { holder: AccountHolder; correo: string; folio: string | null; fecha: Date; idempotencyKey?: string },
): MailFor | undefined {
  const recipient = optionalRecipient(input.holder);
  if (!recipient) return undefined;
  const vars = { nombre: recipient.nombre, correo: input.correo, fecha: input.fecha };
  if (!input.folio) {
    const rendered = templates.render('bloqueo-sin-oficio', vars);
    return { template: 'bloqueo-sin-oficio', to: [recipient.to], ...rendered, idempotencyKey: input.idempotencyKey };
  }
  const rendered = templates.render('bloqueo', { ...vars, folio: input.folio });
  return { template: 'bloqueo', to: [recipient.to], ...rendered, idempotencyKey: input.idempotencyKey };
}

/**
 * After a reset, a notice to the institutional mailbox itself: whoever reads it learns the password changed, but it
 * carries no link (the link goes to the alternate address only: a taken-over account must not receive it).
 */
export function resetNoticeMail(
  templates: MailTemplates,
  input: { nombre: string; correo: string; fecha: Date; idempotencyKey?: string },
): MailFor {
  const rendered = templates.render('aviso-restablecimiento', {
    nombre: input.nombre,
    correo: input.correo,
    fecha: input.fecha,
  });
  return { template: 'aviso-restablecimiento', to: [input.correo], ...rendered, idempotencyKey: input.idempotencyKey };
}

export const TEMPORARY_PASSWORD_REASONS = {
  alta: 'Se creó su cuenta de correo electrónico institucional.',
  restablecimiento: 'Se restableció la contraseña de su cuenta de correo electrónico institucional.',
  reasignacion:
    'Se le reasignó una cuenta de correo electrónico institucional; el titular anterior ya no tiene acceso a ella.',
} as const;

/**
 * The temporary-password variant, only when the institution enables it instead of links. The caller must have set
 * the account to require a change at the next sign-in. The password lives in this message only: never put the
 * returned object in a job payload or a log (send it at once). The idempotency key must change whenever the password
 * does, or the outbox would keep the message with the earlier password.
 */
export function temporaryPasswordMail(
  templates: MailTemplates,
  input: {
    holder: AccountHolder;
    correo: string;
    motivo: keyof typeof TEMPORARY_PASSWORD_REASONS;
    contrasenaTemporal: string;
    longitudMinima?: number;
    idempotencyKey?: string;
  },
): MailFor {
  const { to, nombre } = recipientOf(input.holder);
  const rendered = templates.render('contrasena-temporal', {
    nombre,
    correo: input.correo,
    motivo: TEMPORARY_PASSWORD_REASONS[input.motivo],
    contrasenaTemporal: input.contrasenaTemporal,
    longitudMinima: input.longitudMinima ?? PASSWORD_MIN_LENGTH_DEFAULT,
  });
  return { template: 'contrasena-temporal', to: [to], ...rendered, idempotencyKey: input.idempotencyKey };
}

function optionalRecipient(holder: AccountHolder): { to: string; nombre: string } | undefined {
  try {
    return recipientOf(holder);
  } catch (e) {
    if (e instanceof DomainError) return undefined;
    throw e;
  }
}
