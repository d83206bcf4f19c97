import { isIP } from 'node:net';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { DB_ACQUIRE_TIMEOUT_MS, DB_CONNECT_TIMEOUT_MS, DB_QUERY_TIMEOUT_MS, type DbTimeouts } from './db-timeouts';
import { type S3Settings, s3Settings } from './s3-settings';

/**
 * The whole configuration of the product, read once from the environment at boot.
 * Every value has its default here; a wrong value stops the start with a message naming the variable.
 */
export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  /** undefined → embedded SQLite file under dataDir */
  databaseUrl?: string;
  /** MySQL/MariaDB: how long a connect, a wait for a pooled connection and a statement may take (then 503). */
  dbTimeouts: DbTimeouts;
  redisUrl?: string;
  /** The Bearer token Prometheus sends to GET /metrics; without it the route is a 404. */
  metricsToken?: string;
  /**
   * Which peers may tell the client's address in X-Forwarded-For (Express's `trust proxy`): `loopback` by default (a
   * proxy on the same host); a proxy in another container or host must be named, or every client looks like it.
   */
  trustProxy: string[];
  /** A worker's own /metrics port (it serves no HTTP otherwise); needs metricsToken. */
  metricsPort?: number;
  /**
   * Where scans, letters and logos are kept: the database (default on MySQL/MariaDB), files under DATA_DIR, or an
   * S3-compatible bucket (s3).
   */
  documentStore: 'base' | 'archivos' | 's3';
  /** The bucket (S3_*): required with DOCUMENT_STORE=s3, read whenever set (documents:move). */
  s3?: S3Settings;
  smtpUrl?: string;
  mailFrom: string;
  mailDomain: string;
  publicBaseUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** 32-byte key that encrypts secrets at rest (a school's chosen password, 5.2.2). */
  secretKey: Buffer;
  directoryProvider: 'local' | 'ldap' | 'google';
  ldap?: { url: string; bindDN: string; bindPassword: string; baseDN: string; rdnAttribute: 'uid' | 'mail' };
  google?: { serviceAccountKeyFile: string; adminSubject: string };
  /**
   * How access data reach a holder: 'enlace' (default: a single-use link to set the password, OWASP/NIST) or
   * 'temporal' (a temporary password that must be changed at the first sign-in, where the directory supports it).
   */
  credentialDelivery: 'enlace' | 'temporal';
  /** Signing material for letters and acuses; none → a self-signed test certificate (embedded default only). */
  signing: { p12?: string; p12Passphrase?: string; cer?: string; key?: string; keyPassphrase?: string };
  /** The signer's position printed under the name on reply letters (the name comes from the certificate). */
  signerPosition: string;
  /** API key of the PII platform for 5.2.2 requests; unset → the PII endpoint answers 503. */
  piiApiKey?: string;
  workerConcurrency: number;
  /** A staff session without a request for this long ends (server-side); sign-in again. */
  sessionIdleMinutes: number;
  relayIntervalMs: number;
  /** How often each process runs recovery (lost jobs, dead executions' commands, abandoned self-service). */
  recoveryIntervalMs: number;
  /** At most this often, each staff user gets one e-mail with the tasks that arrived in their inbox; 0: never. */
  taskDigestIntervalMin: number;
  /** Where every signed head of the movement log is also written, for another machine to collect (unset: nowhere). */
  auditHeadsDir?: string;
  /** Redis key prefix of the queues (several installations, or test runs, can share one Redis). */
  queuePrefix: string;
  /** First retry delay of a transient failure; it doubles each attempt (with jitter), up to 10 minutes. */
  retryBaseMs: number;
  /** How soon Bull notices a job whose worker died and runs it again. */
  queueStalledMs: number;
  /** Who runs the installation: printed on letters, mails and the API description (defaults: Colima's CSEEE). */
  institution: Institution;
  /** The entidad federativa of the installation's CCTs (01–32): a CCT of another state is refused. */
  cctStateCode: string;
  /** The state's own días inhábiles that fall on the same day every year, seeded like the LFT art. 74 ones. */
  holidaysExtra: RecurringHoliday[];
  /**
   * RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS (issue 14): after each catalog reconciliation, a Personal account whose
   * holder has been in baja for at least this many days is accepted for blocking (5.5) by the policy instead of waiting
   * for a person. null (unset, the default): nothing is blocked without a person accepting it.
   */
  reconciliationAutoBlockDays: number | null;
  timezone: 'America/Mexico_City';
}

/** The institution's identity (INSTITUTION_NAME, INSTITUTION_SHORT_NAME, STATE_NAME, LETTER_PLACE, LETTERHEAD_*). */
export interface Institution {
  name: string;
  shortName: string;
  stateName: string;
  /** The place that dates a letter and its signature: «Colima, Col., a 28 de noviembre de 2026». */
  letterPlace: string;
  /** The second line of the letterhead, under the institution's name: the area that issues the letters. */
  letterheadArea: string;
  /** The logo of the letterhead until an administrator saves one at /admin/membrete (PNG or JPEG); null: none. */
  letterheadLogo: Buffer | null;
}

/** A día inhábil on the same month and day every year (HOLIDAYS_EXTRA). */
export interface RecurringHoliday {
  /** MM-DD */
  mesDia: string;
  descripcion: string;
}

/** Today's values: an installation that sets none of the variables is the CSEEE of Colima. */
export const DEFAULT_INSTITUTION: Omit<Institution, 'letterheadLogo'> = {
  name: 'Coordinación de los Servicios Educativos del Estado de Colima',
  shortName: 'CSEEE',
  stateName: 'Colima',
  letterPlace: 'Colima, Col.',
  letterheadArea: 'Subdirección de Sistemas y Servicios Telemáticos',
};
export const DEFAULT_CCT_STATE_CODE = '06';
/** A logo is printed 64 × 44 points: a few hundred kilobytes are plenty. */
export const MAX_LOGO_BYTES = 512 * 1024;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    es: string,
    en: string,
  ) {
    super(`Configuración inválida: ${variable} ${es}. / Invalid configuration: ${variable} ${en}.`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(
      name,
      `debe ser un número entero entre ${min} y ${max} (recibido: "${raw}")`,
      `must be an integer between ${min} and ${max} (got "${raw}")`,
    );
  }
  return Number(raw);
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: comma-separated names (loopback, linklocal, uniquelocal), addresses or CIDR ranges of the reverse
 * proxies. Never "true" or "*": any client could then write its own X-Forwarded-For and escape the per-address limits.
 */
function trustProxy(env: Env): string[] {
  const raw = str(env, 'TRUST_PROXY');
  if (raw === undefined) return ['loopback'];
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const valid = (e: string): boolean => {
    if (PROXY_NAMES.includes(e)) return true;
    const [addr, bits, extra] = e.split('/');
    const family = isIP(addr);
    if (family === 0 || extra !== undefined) return false;
    return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  };
  const bad = entries.filter((e) => !valid(e));
  if (entries.length === 0 || bad.length > 0)
    throw new ConfigError(
      'TRUST_PROXY',
      `debe listar, separados por comas, loopback, linklocal, uniquelocal, direcciones IP o rangos CIDR de los proxies (no válido: "${bad.join(', ') || raw}")`,
      `must list, comma-separated, loopback, linklocal, uniquelocal, IP addresses or CIDR ranges of the proxies (invalid: "${bad.join(', ') || raw}")`,
    );
  return entries;
}

/** RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS: unset → off (null); set → a whole number of days, 1 to 3650. */
function reconciliationAutoBlockDays(env: Env): number | null {
  const name = 'RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS';
  return str(env, name) === undefined ? null : int(env, name, 0, 1, 3650);
}

/** METRICS_TOKEN: at least 24 characters (a scraper's secret, not a word), never echoed back. */
function metricsToken(env: Env): string | undefined {
  const raw = str(env, 'METRICS_TOKEN');
  if (raw !== undefined && raw.length < 24)
    throw new ConfigError(
      'METRICS_TOKEN',
      'debe tener al menos 24 caracteres (genere uno con: openssl rand -hex 24)',
      'must be at least 24 characters long (make one with: openssl rand -hex 24)',
    );
  return raw;
}

/** METRICS_PORT: where a worker serves its metrics; only with METRICS_TOKEN (metrics are never open to anyone). */
function metricsPort(env: Env): number | undefined {
  if (str(env, 'METRICS_PORT') === undefined) return undefined;
  if (str(env, 'METRICS_TOKEN') === undefined)
    throw new ConfigError(
      'METRICS_PORT',
      'necesita METRICS_TOKEN (el token que enviará Prometheus)',
      'needs METRICS_TOKEN (the token Prometheus will send)',
    );
  return int(env, 'METRICS_PORT', 0, 1, 65535);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], def: T): T {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(
      name,
      `debe ser uno de: ${allowed.join(', ')} (recibido: "${raw}")`,
      `must be one of: ${allowed.join(', ')} (got "${raw}")`,
    );
  }
  return raw as T;
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'no es una URL válida', 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(
      name,
      `debe empezar con ${protocols.map((p) => p + '://').join(' o ')}`,
      `must start with ${protocols.map((p) => p + '://').join(' or ')}`,
    );
  }
  return raw;
}

/** A name printed on letters and mails: one line of text, up to `max` characters. */
function label(env: Env, name: string, def: string, max: number): string {
  const raw = str(env, name)?.replace(/\s+/g, ' ');
  if (raw === undefined) return def;
  if (raw.length < 2 || raw.length > max) {
    throw new ConfigError(
      name,
      `debe tener entre 2 y ${max} caracteres (tiene ${raw.length})`,
      `must be between 2 and ${max} characters long (it has ${raw.length})`,
    );
  }
  return raw;
}

/** LETTERHEAD_LOGO: a PNG or JPEG file of up to MAX_LOGO_BYTES, read once at boot. */
function letterheadLogo(env: Env): Buffer | null {
  const file = str(env, 'LETTERHEAD_LOGO');
  if (file === undefined) return null;
  let data: Buffer;
  try {
    data = readFileSync(resolve(file));
  } catch (e) {
    throw new ConfigError(
      'LETTERHEAD_LOGO',
      `no se puede leer (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}: ${file})`,
      `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}: ${file})`,
    );
  }
  const png = data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const jpeg = data.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]));
  if (!png && !jpeg)
    throw new ConfigError('LETTERHEAD_LOGO', `debe ser una imagen PNG o JPEG (${file})`, `must be a PNG or JPEG image`);
  if (data.length > MAX_LOGO_BYTES)
    throw new ConfigError(
      'LETTERHEAD_LOGO',
      `pasa de ${MAX_LOGO_BYTES / 1024} KB (${file})`,
      `is larger than ${MAX_LOGO_BYTES / 1024} KB`,
    );
  return data;
}

/** CCT_STATE_CODE: the two digits of an entidad federativa, 01 (Aguascalientes) to 32 (Zacatecas). */
function cctStateCode(env: Env): string {
  const raw = str(env, 'CCT_STATE_CODE');
  if (raw === undefined) return DEFAULT_CCT_STATE_CODE;
  if (!/^\d{2}$/.test(raw) || Number(raw) < 1 || Number(raw) > 32) {
    throw new ConfigError(
      'CCT_STATE_CODE',
      `debe ser la clave de dos dígitos de una entidad federativa, de 01 a 32 (recibido: "${raw}")`,
      `must be the two-digit code of a Mexican state, 01 to 32 (got "${raw}")`,
    );
  }
  return raw;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * HOLIDAYS_EXTRA: «MM-DD» or «MM-DD=Descripción», separated by commas, e.g.
 * `HOLIDAYS_EXTRA="03-23=Aniversario del Estado,11-02=Día de Muertos"`.
 */
function holidaysExtra(env: Env): RecurringHoliday[] {
  const raw = str(env, 'HOLIDAYS_EXTRA');
  if (raw === undefined) return [];
  const seen = new Set<string>();
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const m = /^(\d{2})-(\d{2})(?:\s*=\s*(.*))?$/.exec(item);
      const month = Number(m?.[1]);
      const day = Number(m?.[2]);
      const descripcion = (m?.[3] ?? '').replace(/\s+/g, ' ').trim() || 'Día inhábil del estado';
      const problem =
        m === null || !(month >= 1 && month <= 12) || !(day >= 1 && day <= DAYS_IN_MONTH[month - 1])
          ? ['no es una fecha MM-DD', 'is not an MM-DD date']
          : descripcion.length > 120
            ? ['tiene una descripción de más de 120 caracteres', 'has a description longer than 120 characters']
            : seen.has(`${m[1]}-${m[2]}`)
              ? ['está repetido', 'is repeated']
              : null;
      if (problem !== null) {
        throw new ConfigError(
          'HOLIDAYS_EXTRA',
          `debe ser una lista de días «MM-DD» o «MM-DD=Descripción» separados por comas: «${item}» ${problem[0]}`,
          `must be a comma-separated list of "MM-DD" or "MM-DD=Description" days: "${item}" ${problem[1]}`,
        );
      }
      seen.add(`${m![1]}-${m![2]}`);
      return { mesDia: `${m![1]}-${m![2]}`, descripcion };
    });
}

/** DATA_DIR holds personal data, the secret key and signing keys: its folders are the product user's only (0700)… */
export const PRIVATE_DIR_MODE = 0o700;
/** …and so is every file the product writes there (0600). */
export const PRIVATE_FILE_MODE = 0o600;

/** Creates a folder under DATA_DIR (and the parents it lacks) readable by the product's user only. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Makes DATA_DIR 0700, or tightens an existing one that others can read: closing the top folder closes everything in
 * it (files of older versions were 0644), without touching each stored document. Every process of an installation
 * runs as the same user, so nothing needs more. When the folder is not ours to change, the start goes on with a
 * warning that says what to run.
 */
function secureDataDir(dataDir: string): void {
  ensurePrivateDir(dataDir);
  // A shared folder (sticky bit: /tmp, /var/tmp) is everyone's: closing it would break the machine, and whatever
  // the product wrote directly in it would sit beside other users' files.
  if (statSync(dataDir).mode & 0o1000)
    throw new ConfigError(
      'DATA_DIR',
      `es una carpeta compartida por todos los usuarios (${dataDir}); indique una carpeta propia del producto, por ejemplo /var/lib/mci o ${join(dataDir, 'mci')}`,
      `is a folder shared by every user (${dataDir}); give the product a folder of its own, e.g. /var/lib/mci or ${join(dataDir, 'mci')}`,
    );
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  const was = mode.toString(8).padStart(3, '0');
  try {
    chmodSync(dataDir, PRIVATE_DIR_MODE);
    console.warn(`DATA_DIR (${dataDir}) permitía el acceso a otros usuarios (${was}): se restringió a 700.`);
  } catch (e) {
    console.warn(
      `DATA_DIR (${dataDir}) permite el acceso a otros usuarios (${was}) y no se pudo restringir (${(e as Error).message}): ` +
        `ejecute chmod 700 ${dataDir}`,
    );
  }
}

/** Loads the secret key from SECRET_KEY (64 hex chars) or, on the embedded default, from a file made on first start. */
function secretKey(env: Env, dataDir: string, production: boolean): Buffer {
  const raw = str(env, 'SECRET_KEY');
  if (raw !== undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(raw)) {
      throw new ConfigError(
        'SECRET_KEY',
        'debe tener 64 caracteres hexadecimales (genere uno con: openssl rand -hex 32)',
        'must be 64 hexadecimal characters (make one with: openssl rand -hex 32)',
      );
    }
    return Buffer.from(raw, 'hex');
  }
  if (production) {
    throw new ConfigError(
      'SECRET_KEY',
      'es obligatoria en producción (genere una con: openssl rand -hex 32)',
      'is required in production (make one with: openssl rand -hex 32)',
    );
  }
  const file = join(dataDir, 'secret.key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: PRIVATE_FILE_MODE });
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const production = nodeEnv === 'production';
  const port = int(env, 'PORT', 3000, 1, 65535);
  const host = str(env, 'HOST') ?? '0.0.0.0';
  const dataDir = resolve(str(env, 'DATA_DIR') ?? './data');
  secureDataDir(dataDir);
  const databaseUrl = url(env, 'DATABASE_URL', ['mysql', 'mariadb']);
  const publicBaseUrl = url(env, 'PUBLIC_BASE_URL', ['http', 'https']);
  if (production && publicBaseUrl === undefined) {
    throw new ConfigError(
      'PUBLIC_BASE_URL',
      'es obligatoria en producción: los códigos QR de los oficios apuntan a ella (p. ej. https://correo.colima.gob.mx)',
      'is required in production: the QR codes of the letters point to it',
    );
  }
  const mailDomain = (str(env, 'MAIL_DOMAIN') ?? 'colima.gob.mx').toLowerCase();
  if (!/^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/.test(mailDomain)) {
    throw new ConfigError(
      'MAIL_DOMAIN',
      `no es un dominio válido (recibido: "${mailDomain}")`,
      `is not a valid domain`,
    );
  }
  const directoryProvider = oneOf(env, 'DIRECTORY_PROVIDER', ['local', 'ldap', 'google'] as const, 'local');
  const need = (name: string, why: string): string => {
    const v = str(env, name);
    if (v === undefined) throw new ConfigError(name, `es obligatoria ${why}`, `is required ${why}`);
    return v;
  };
  const ldap =
    directoryProvider === 'ldap'
      ? {
          url: url(env, 'LDAP_URL', ['ldap', 'ldaps']) ?? need('LDAP_URL', 'con DIRECTORY_PROVIDER=ldap'),
          bindDN: need('LDAP_BIND_DN', 'con DIRECTORY_PROVIDER=ldap'),
          bindPassword: need('LDAP_BIND_PASSWORD', 'con DIRECTORY_PROVIDER=ldap'),
          baseDN: need('LDAP_BASE_DN', 'con DIRECTORY_PROVIDER=ldap'),
          rdnAttribute: oneOf(env, 'LDAP_RDN_ATTRIBUTE', ['uid', 'mail'] as const, 'uid'),
        }
      : undefined;
  const google =
    directoryProvider === 'google'
      ? {
          serviceAccountKeyFile: need('GOOGLE_SERVICE_ACCOUNT_KEY_FILE', 'con DIRECTORY_PROVIDER=google'),
          adminSubject: need('GOOGLE_ADMIN_SUBJECT', 'con DIRECTORY_PROVIDER=google'),
        }
      : undefined;
  return {
    env: nodeEnv,
    port,
    host,
    dataDir,
    databaseUrl,
    dbTimeouts: {
      connectMs: int(env, 'DB_CONNECT_TIMEOUT_MS', DB_CONNECT_TIMEOUT_MS, 500, 120_000),
      acquireMs: int(env, 'DB_ACQUIRE_TIMEOUT_MS', DB_ACQUIRE_TIMEOUT_MS, 500, 600_000),
      queryMs: int(env, 'DB_QUERY_TIMEOUT_MS', DB_QUERY_TIMEOUT_MS, 0, 3_600_000),
    },
    redisUrl: url(env, 'REDIS_URL', ['redis', 'rediss']),
    smtpUrl: url(env, 'SMTP_URL', ['smtp', 'smtps']),
    mailFrom: str(env, 'MAIL_FROM') ?? `Mi Correo Institucional <no-responder@${mailDomain}>`,
    mailDomain,
    publicBaseUrl: (publicBaseUrl ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    secretKey: secretKey(env, dataDir, production),
    directoryProvider,
    ldap,
    google,
    credentialDelivery: oneOf(env, 'CREDENTIAL_DELIVERY', ['enlace', 'temporal'] as const, 'enlace'),
    signing: {
      p12: str(env, 'SIGNING_P12'),
      p12Passphrase: str(env, 'SIGNING_P12_PASSPHRASE'),
      cer: str(env, 'SIGNING_CER'),
      key: str(env, 'SIGNING_KEY'),
      keyPassphrase: str(env, 'SIGNING_KEY_PASSPHRASE'),
    },
    signerPosition: str(env, 'SIGNER_POSITION') ?? 'Subdirector de Sistemas y Servicios Telemáticos',
    piiApiKey: str(env, 'PII_API_KEY'),
    metricsToken: metricsToken(env),
    trustProxy: trustProxy(env),
    metricsPort: metricsPort(env),
    // Several processes on MySQL/MariaDB read each other's documents: the database holds them there by default.
    documentStore: oneOf(env, 'DOCUMENT_STORE', ['base', 'archivos', 's3'] as const, databaseUrl ? 'base' : 'archivos'),
    s3: s3Settings(env, str(env, 'DOCUMENT_STORE') === 's3'),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 4, 1, 64),
    sessionIdleMinutes: int(env, 'STAFF_SESSION_IDLE_MINUTES', 30, 1, 600),
    relayIntervalMs: int(env, 'RELAY_INTERVAL_MS', 500, 50, 60_000),
    recoveryIntervalMs: int(env, 'RECOVERY_INTERVAL_MS', 60_000, 1_000, 3_600_000),
    taskDigestIntervalMin: int(env, 'TASK_DIGEST_INTERVAL_MIN', 15, 0, 1_440),
    auditHeadsDir:
      str(env, 'AUDIT_HEADS_DIR') === undefined ? undefined : resolve(str(env, 'AUDIT_HEADS_DIR') as string),
    queuePrefix: str(env, 'QUEUE_PREFIX') ?? 'mci',
    retryBaseMs: int(env, 'RETRY_BASE_MS', 2_000, 10, 600_000),
    queueStalledMs: int(env, 'QUEUE_STALLED_MS', 30_000, 500, 600_000),
    institution: {
      name: label(env, 'INSTITUTION_NAME', DEFAULT_INSTITUTION.name, 120),
      shortName: label(env, 'INSTITUTION_SHORT_NAME', DEFAULT_INSTITUTION.shortName, 20),
      stateName: label(env, 'STATE_NAME', DEFAULT_INSTITUTION.stateName, 60),
      letterPlace: label(env, 'LETTER_PLACE', DEFAULT_INSTITUTION.letterPlace, 80),
      letterheadArea: label(env, 'LETTERHEAD_AREA', DEFAULT_INSTITUTION.letterheadArea, 120),
      letterheadLogo: letterheadLogo(env),
    },
    cctStateCode: cctStateCode(env),
    holidaysExtra: holidaysExtra(env),
    reconciliationAutoBlockDays: reconciliationAutoBlockDays(env),
    timezone: 'America/Mexico_City',
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
