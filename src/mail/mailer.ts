import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import nodemailer, {
  type NodemailerError,
  type SendMailOptions,
  type SMTPTransportOptions,
  type StreamSentMessageInfo,
  type Transporter,
} from 'nodemailer';
import { type AppConfig, ConfigError, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../config/config';
import type { SentMailLedger } from './sent-mail-ledger';

/**
 * The mail port (CONVENTIONS 2): services and processors send through `Mailer` and never know whether the message
 * leaves by SMTP (production, `SMTP_URL`) or lands as an `.eml` file in `<dataDir>/outbox/` (the embedded default,
 * where an administrator opens the file with any mail client).
 *
 * Bodies carry links and, in the temporary-password variant, a password: nothing here logs a body, and nodemailer's
 * own logger and debug transcript are forced off whatever SMTP_URL says.
 *
 * At most once per Message-ID, on both transports: every send goes through the database's record of sent mail
 * (SentMailLedger). A message already recorded as sent is not sent again (the send returns as done); one another
 * process is sending is refused as transient (the job retries after the claim's lease); the record is written right
 * after the server's 250, before the send returns and so before the job reports to its case.
 */
export interface OutgoingMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Extra headers (e.g. X-Folio). The structural ones (From, To, Subject, Message-ID, Date, MIME…) are refused. */
  headers?: Record<string, string>;
  /**
   * The job's idempotency key (case id + step + attempt family). The same key always yields the same Message-ID, so a
   * retried job produces the same message: the outbox keeps one file and receiving servers can drop the duplicate.
   */
  idempotencyKey?: string;
}

export interface SentMail {
  /** RFC 5322 Message-ID with angle brackets, e.g. "<3f2a…@colima.gob.mx>". */
  messageId: string;
}

export interface Mailer {
  send(msg: OutgoingMail): Promise<SentMail>;
  /** Whether a message sent with any of these idempotency keys was accepted (recorded as sent). */
  alreadySent(idempotencyKeys: string[]): Promise<boolean>;
  /** Proves the transport is usable (SMTP greeting and login; outbox folder writable). */
  verify(): Promise<void>;
  close(): Promise<void>;
}

export const MAILER = Symbol('MAILER');

/**
 * A send that failed. `permanent` tells the job whether retrying the same message can help (RFC 5321 5yz replies);
 * `retryAfterMs`, when set, how long it should wait first.
 */
export class MailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly code?: string,
    readonly responseCode?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'MailDeliveryError';
  }
}

/** What the mailer logs through: Nest's Logger fits; tests pass a recorder. */
export interface MailLog {
  log(message: string): void;
  warn(message: string): void;
}

export type MailerConfig = Pick<AppConfig, 'smtpUrl' | 'mailFrom' | 'mailDomain' | 'dataDir'>;

/** How long a claim on a Message-ID holds: far longer than an SMTP conversation (its socket gives up after 60 s idle). */
export const SEND_LEASE_MS = 5 * 60_000;

export interface MailerDeps {
  /** The database's record of sent mail, shared by every process. */
  ledger: SentMailLedger;
  logger?: MailLog;
  /** The clock of claims and records (tests move it past a lease). */
  now?: () => Date;
  leaseMs?: number;
}

const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'sender',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'return-path',
]);

// Loose on purpose: the catalog validates addresses; this only stops an empty or obviously broken recipient from
// becoming a bounce or an SMTP syntax error.
const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** Domain of the From address, for Message-IDs; falls back to MAIL_DOMAIN. */
function messageIdDomain(config: Pick<MailerConfig, 'mailFrom' | 'mailDomain'>): string {
  const address = /<([^>]+)>\s*$/.exec(config.mailFrom)?.[1] ?? config.mailFrom;
  const domain = address.includes('@') ? address.slice(address.lastIndexOf('@') + 1).trim() : '';
  return /^[A-Za-z0-9.-]+$/.test(domain) ? domain.toLowerCase() : config.mailDomain;
}

/** `<sha256(key)[0..32]@domain>` for an idempotency key, a random one otherwise. */
export function messageIdFor(domain: string, idempotencyKey?: string): string {
  const id =
    idempotencyKey !== undefined && idempotencyKey !== ''
      ? createHash('sha256').update(`mi-correo-institucional:${idempotencyKey}`, 'utf8').digest('hex').slice(0, 32)
      : randomUUID();
  return `<${id}@${domain}>`;
}

function checkMessage(msg: OutgoingMail): void {
  if (!Array.isArray(msg.to) || msg.to.length === 0) {
    throw new MailDeliveryError('El correo no tiene destinatarios.', true, 'SIN_DESTINATARIOS');
  }
  const bad = msg.to.filter((a) => typeof a !== 'string' || !ADDRESS.test(a.trim()));
  if (bad.length > 0) {
    throw new MailDeliveryError(
      `Dirección de destinatario no válida (${bad.length} de ${msg.to.length}).`,
      true,
      'DESTINATARIO_INVALIDO',
    );
  }
  if (/[\r\n]/.test(msg.subject))
    throw new MailDeliveryError('El asunto no puede tener saltos de línea.', true, 'ASUNTO_INVALIDO');
  for (const [name, value] of Object.entries(msg.headers ?? {})) {
    if (
      !/^[A-Za-z0-9-]+$/.test(name) ||
      RESERVED_HEADERS.has(name.toLowerCase()) ||
      name.toLowerCase().startsWith('content-')
    ) {
      throw new MailDeliveryError(
        `El encabezado "${name}" no se puede fijar desde la aplicación.`,
        true,
        'ENCABEZADO_INVALIDO',
      );
    }
    if (/[\r\n]/.test(value))
      throw new MailDeliveryError(
        `El encabezado "${name}" no puede tener saltos de línea.`,
        true,
        'ENCABEZADO_INVALIDO',
      );
  }
}

function composeOptions(msg: OutgoingMail, from: string, messageId: string, date: Date): SendMailOptions {
  return {
    from,
    to: msg.to.map((a) => a.trim()),
    subject: msg.subject,
    text: msg.text,
    html: msg.html,
    messageId,
    date,
    headers: {
      // RFC 3834: an automatic message; out-of-office replies should not answer it.
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      'Content-Language': 'es-MX',
      ...msg.headers,
    },
    // Nothing in a message may make nodemailer read a local file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// At most once per Message-ID

function ledgerError(e: unknown): MailDeliveryError {
  // Nothing was sent: the job may retry. The driver's message names the problem, never a body (none is stored).
  return new MailDeliveryError(
    `No se pudo consultar el registro de correos enviados: ${String((e as Error).message).slice(0, 200)}`,
    false,
    'REGISTRO',
  );
}

/**
 * What both transports share: the message checks, the Message-ID, and the claim → transmit → record sequence on the
 * record of sent mail. A transport only says how one message leaves (`transmit`).
 */
abstract class RecordedMailer implements Mailer {
  protected readonly domain: string;
  protected readonly logger: MailLog;
  private readonly ledger: SentMailLedger;
  private readonly now: () => Date;
  private readonly leaseMs: number;

  protected constructor(config: Pick<MailerConfig, 'mailFrom' | 'mailDomain'>, deps: MailerDeps) {
    this.domain = messageIdDomain(config);
    this.ledger = deps.ledger;
    this.logger = deps.logger ?? new Logger('Correo');
    this.now = deps.now ?? (() => new Date());
    this.leaseMs = deps.leaseMs ?? SEND_LEASE_MS;
  }

  /** Sends the message once; resolves with a phrase for the log ("entregado a smtp://…"), throws MailDeliveryError. */
  protected abstract transmit(msg: OutgoingMail, messageId: string, now: Date): Promise<string>;

  async send(msg: OutgoingMail): Promise<SentMail> {
    checkMessage(msg);
    const messageId = messageIdFor(this.domain, msg.idempotencyKey);
    const now = this.now();
    const claim = await this.ledger
      .claim({ messageId, to: msg.to, subject: msg.subject }, now, this.leaseMs)
      .catch((e: unknown) => {
        throw ledgerError(e);
      });
    if (claim.kind === 'sent') {
      this.logger.log(
        `Correo ${messageId} ya se había enviado (${claim.sentAt?.toISOString() ?? 'sin fecha'}); no se repite`,
      );
      return { messageId };
    }
    if (claim.kind === 'busy') {
      const wait = Math.max(1_000, claim.until.getTime() - now.getTime());
      throw new MailDeliveryError(
        'Otro proceso está enviando este mismo correo; se reintentará cuando termine.',
        false,
        'ENVIO_EN_CURSO',
        undefined,
        wait,
      );
    }
    if (claim.previousClaims > 0) {
      // The one duplicate the record cannot rule out: that attempt may have had its 250 and died before recording it.
      this.logger.warn(
        `Correo ${messageId}: un intento anterior no registró si el servidor lo aceptó; se envía de nuevo`,
      );
    }
    let done: string;
    try {
      done = await this.transmit(msg, messageId, now);
    } catch (e) {
      await this.ledger
        .release(messageId, claim.token)
        .catch((r: unknown) =>
          this.logger.warn(`Correo ${messageId}: no se pudo liberar su registro: ${ledgerError(r).message}`),
        );
      throw e;
    }
    const after = this.now();
    try {
      await this.ledger.markSent(messageId, after);
    } catch (e) {
      // It was delivered: report it so. Only if this job also fails to report will a retry resend it, once.
      this.logger.warn(
        `Correo ${messageId} ${done}, pero no se pudo registrar como enviado: ${ledgerError(e).message}`,
      );
    }
    if (after.getTime() > claim.leaseUntil.getTime()) {
      this.logger.warn(`Correo ${messageId}: el envío tardó más que su reserva; otro proceso pudo enviarlo también`);
    }
    this.logger.log(`Correo ${messageId} ${done} (${msg.to.length} destinatario(s))`);
    return { messageId };
  }

  async alreadySent(idempotencyKeys: string[]): Promise<boolean> {
    return this.ledger.anySent(idempotencyKeys.map((k) => messageIdFor(this.domain, k))).catch((e: unknown) => {
      throw ledgerError(e);
    });
  }

  abstract verify(): Promise<void>;
  abstract close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// SMTP

// Query parameters of SMTP_URL that we pass to nodemailer. Anything else (debug, logger, transactionLog…) is refused:
// some of them would write message bodies to the log.
const SMTP_QUERY: Record<string, 'boolean' | 'string'> = {
  requireTLS: 'boolean',
  ignoreTLS: 'boolean',
  name: 'string',
  authMethod: 'string',
  'tls.rejectUnauthorized': 'boolean',
  'tls.servername': 'string',
};

/** Turns SMTP_URL into nodemailer options; a bad value is a ConfigError that names SMTP_URL and never shows the password. */
export function smtpOptionsFromUrl(smtpUrl: string): SMTPTransportOptions {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new ConfigError('SMTP_URL', 'no es una URL válida', 'is not a valid URL');
  }
  const secure = url.protocol === 'smtps:';
  if (!secure && url.protocol !== 'smtp:') {
    throw new ConfigError('SMTP_URL', 'debe empezar con smtp:// o smtps://', 'must start with smtp:// or smtps://');
  }
  if (url.hostname === '') throw new ConfigError('SMTP_URL', 'no indica el servidor', 'has no host');
  const options: SMTPTransportOptions = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    secure,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  };
  if (url.username !== '' || url.password !== '') {
    options.auth = { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
  }
  const tls: Record<string, unknown> = {};
  for (const [key, raw] of url.searchParams) {
    const kind = SMTP_QUERY[key];
    if (kind === undefined) {
      throw new ConfigError(
        'SMTP_URL',
        `tiene el parámetro "${key}", que no se admite (admitidos: ${Object.keys(SMTP_QUERY).join(', ')})`,
        `has the unsupported parameter "${key}"`,
      );
    }
    let value: string | boolean = raw;
    if (kind === 'boolean') {
      if (raw !== 'true' && raw !== 'false') {
        throw new ConfigError(
          'SMTP_URL',
          `el parámetro "${key}" debe ser true o false`,
          `parameter "${key}" must be true or false`,
        );
      }
      value = raw === 'true';
    }
    if (key.startsWith('tls.')) tls[key.slice(4)] = value;
    else (options as Record<string, unknown>)[key] = value;
  }
  if (Object.keys(tls).length > 0) options.tls = tls;
  // Last, so nothing above can turn them back on.
  options.logger = false;
  options.debug = false;
  options.transactionLog = false;
  options.disableFileAccess = true;
  options.disableUrlAccess = true;
  return options;
}

/** Describes the server without the credentials, for logs. */
function describeSmtp(options: SMTPTransportOptions): string {
  return `${options.secure ? 'smtps' : 'smtp'}://${options.host ?? '?'}:${options.port ?? '?'}`;
}

export class SmtpMailer extends RecordedMailer {
  private readonly transporter: Transporter;
  private readonly where: string;

  constructor(
    private readonly config: Pick<MailerConfig, 'smtpUrl' | 'mailFrom' | 'mailDomain'> & { smtpUrl: string },
    deps: MailerDeps,
  ) {
    super(config, deps);
    const options = smtpOptionsFromUrl(config.smtpUrl);
    this.where = describeSmtp(options);
    this.transporter = nodemailer.createTransport(options);
  }

  protected async transmit(msg: OutgoingMail, messageId: string, now: Date): Promise<string> {
    try {
      await this.transporter.sendMail(composeOptions(msg, this.config.mailFrom, messageId, now));
    } catch (e) {
      const err = e as NodemailerError;
      // A server reply names the problem ("550 mailbox unavailable"); otherwise the socket or TLS error does. Neither
      // contains the body.
      const reason =
        typeof err.response === 'string'
          ? `el servidor no aceptó el mensaje: ${err.response.slice(0, 200)}`
          : `${err.code ?? 'error'}: ${String(err.message).slice(0, 200)}`;
      this.logger.warn(
        `Correo ${messageId} no entregado a ${this.where} (${msg.to.length} destinatario(s)): ${reason}`,
      );
      // Without a reply (connection refused, timeout, TLS) the same message may go through later.
      throw new MailDeliveryError(
        `No se pudo entregar el correo a ${this.where}: ${reason}`,
        err.permanent ?? false,
        err.code,
        err.responseCode,
      );
    }
    return `entregado a ${this.where}`;
  }

  async verify(): Promise<void> {
    try {
      await this.transporter.verify();
    } catch (e) {
      const err = e as NodemailerError;
      throw new MailDeliveryError(
        `No se pudo conectar al servidor de correo ${this.where}: ${err.response ?? err.code ?? err.message}`,
        false,
        err.code,
        err.responseCode,
      );
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Outbox (.eml files)

/** "20261128T201503123Z": sortable, no characters a file system dislikes. */
function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('.', '');
}

/** The part of a Message-ID that names the file: "<abc@colima.gob.mx>" → "abc". */
function fileId(messageId: string): string {
  return messageId.replace(/^<|@.*$/g, '').replace(/[^A-Za-z0-9._-]/g, '_');
}

export class OutboxMailer extends RecordedMailer {
  // nodemailer builds the RFC 5322 message (encoding, MIME tree, CRLF); we only write it.
  private readonly transporter: Transporter<StreamSentMessageInfo> = nodemailer.createTransport({
    streamTransport: true as const,
    buffer: true,
    newline: 'windows',
    logger: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  });

  constructor(
    readonly dir: string,
    private readonly config: Pick<MailerConfig, 'mailFrom' | 'mailDomain'>,
    deps: MailerDeps,
  ) {
    super(config, deps);
  }

  protected async transmit(msg: OutgoingMail, messageId: string, now: Date): Promise<string> {
    const id = fileId(messageId);
    try {
      await mkdir(this.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      if (msg.idempotencyKey) {
        // The record of sent mail already stops a second send; this covers a process that wrote the file and died
        // before recording it (and files written before the record existed).
        const existing = (await readdir(this.dir)).find((f) => f.endsWith(`-${id}.eml`));
        if (existing !== undefined) return `ya estaba en la bandeja de salida (${existing}); no se repite`;
      }
    } catch (e) {
      throw new MailDeliveryError(
        `No se pudo usar la bandeja de salida ${this.dir}: ${(e as Error).message}`,
        false,
        'OUTBOX',
      );
    }
    const info = await this.transporter.sendMail(composeOptions(msg, this.config.mailFrom, messageId, now));
    if (!Buffer.isBuffer(info.message)) throw new Error('nodemailer stream transport returned no buffer');
    const name = `${stamp(now)}-${id}.eml`;
    // Written under a temporary name and renamed, so a reader of the folder never sees half a message.
    const temp = join(this.dir, `.${name}.tmp`);
    try {
      await writeFile(temp, info.message, { mode: PRIVATE_FILE_MODE });
      await rename(temp, join(this.dir, name));
    } catch (e) {
      await rm(temp, { force: true });
      throw new MailDeliveryError(
        `No se pudo escribir el correo en ${this.dir}: ${(e as Error).message}`,
        false,
        'OUTBOX',
      );
    }
    return `guardado en la bandeja de salida: ${name}`;
  }

  async verify(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const probe = join(this.dir, `.probe-${process.pid}-${Date.now()}`);
    await writeFile(probe, '', { mode: PRIVATE_FILE_MODE });
    await rm(probe, { force: true });
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

/** SMTP when SMTP_URL is set, otherwise `.eml` files in `<dataDir>/outbox/`; both record what they send in `deps.ledger`. */
export function createMailer(config: MailerConfig, deps: MailerDeps): Mailer {
  if (config.smtpUrl !== undefined && config.smtpUrl !== '') {
    return new SmtpMailer({ ...config, smtpUrl: config.smtpUrl }, deps);
  }
  return new OutboxMailer(join(config.dataDir, 'outbox'), config, deps);
}
