import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { DB_ACQUIRE_TIMEOUT_MS, DB_CONNECT_TIMEOUT_MS, DB_QUERY_TIMEOUT_MS, type DbTimeouts } from './db-timeouts';

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
  /** A worker's own /metrics port (it serves no HTTP otherwise); needs metricsToken. */
  metricsPort?: number;
  /** Where scans, letters and logos are kept: the database (default on MySQL/MariaDB) or files under DATA_DIR. */
  documentStore: 'base' | 'archivos';
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
  timezone: 'America/Mexico_City';
}

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
    metricsPort: metricsPort(env),
    // Several processes on MySQL/MariaDB read each other's documents: the database holds them there by default.
    documentStore: oneOf(env, 'DOCUMENT_STORE', ['base', 'archivos'] as const, databaseUrl ? 'base' : 'archivos'),
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
    timezone: 'America/Mexico_City',
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
