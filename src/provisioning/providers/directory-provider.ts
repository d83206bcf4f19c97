import { CCT_PATTERN } from '../../validation/cct';
import { CURP_PATTERN } from '../../validation/curp';
/**
 * The port to the e-mail directory (the guide's "Servicio"): the one place where accounts are really created, reset,
 * reassigned and suspended. Adapters: `local` (our own database), `ldap` (OpenLDAP with ppolicy), `google`
 * (Workspace Admin SDK). The queue processors call it; the engine never does.
 *
 * Every operation is safe to repeat (a retried job must not create a second account or fail because the first try
 * already worked), and no error carries a password.
 */

export const DIRECTORY_PROVIDER = Symbol('DIRECTORY_PROVIDER');

export type DirectoryProviderName = 'local' | 'ldap' | 'google';
export type TipoCuentaDirectorio = 'personal' | 'centro_trabajo' | 'servicio' | 'funcion';

/** Who holds an account: a worker (Personal, Servicio, Función) identified by CURP, or a school by its CCT. */
export interface Holder {
  kind: 'trabajador' | 'centro';
  curp?: string;
  cct?: string;
  givenName: string;
  familyName: string;
  displayName: string;
}

export interface DirectoryAccount {
  /** The account's primary address. lookup() of an alias (Google keeps the old address after a rename) returns the primary. */
  address: string;
  /** The directory's immutable id (Google user id, LDAP entryUUID, our row id). */
  providerId: string;
  suspended: boolean;
  holder?: { curp?: string; cct?: string };
  /** Whether the holder must change the password at the next sign-in; undefined when the directory cannot tell. */
  mustChangePassword?: boolean;
}

export interface CreateAccountRequest {
  address: string;
  tipo: TipoCuentaDirectorio;
  holder: Holder;
  password: string;
  changeAtNextLogin: boolean;
}

export interface DirectoryProvider {
  readonly name: DirectoryProviderName;
  /** Whether changeAtNextLogin is enforced by the directory (otherwise it is ignored). */
  readonly supportsForcedChange: boolean;
  /**
   * Creates the account. If the address already exists for the same holder (a retried job), it succeeds with that
   * account and (re)applies the password and the forced-change flag, so the credentials the caller e-mails are the
   * ones that work. For another holder: ProviderError permanent 'duplicate'. Callers must check that a holder has no
   * account before a first create: this is a replay-safe upsert, not an existence check.
   */
  create(req: CreateAccountRequest): Promise<DirectoryAccount>;
  setPassword(address: string, password: string, opts: { changeAtNextLogin: boolean }): Promise<void>;
  /**
   * Gives the account to a new holder and a new password, so the previous holder loses access (Guía 5.4, corrección 9).
   * The suspension state is left as it is. opts.changeAtNextLogin defaults to true.
   */
  reassign(
    address: string,
    holder: Holder,
    newPassword: string,
    opts?: { changeAtNextLogin?: boolean },
  ): Promise<DirectoryAccount>;
  /**
   * Changes the account's address, keeping its id, holder and password. Replay-safe: if `address` no longer
   * answers and `newAddress` does, returns that account.
   */
  rename(address: string, newAddress: string): Promise<DirectoryAccount>;
  suspend(address: string): Promise<void>;
  unsuspend(address: string): Promise<void>;
  /** The account that answers to this address, or null. */
  lookup(address: string): Promise<DirectoryAccount | null>;
  /**
   * Every account of the directory, a page at a time (LDAP paged results on one connection, Google users.list
   * pages, the local table by address), so a reconciliation of a large directory holds one page in memory. The
   * order is the directory's own (LDAP gives none).
   */
  listPages(opts?: DirectoryPageOptions): AsyncIterable<DirectoryAccount[]>;
}

export interface DirectoryPageOptions {
  /** Accounts per page (default 500: Google's maximum for users.list). */
  pageSize?: number;
}

export const DEFAULT_DIRECTORY_PAGE = 500;

export type ProviderErrorCode =
  | 'duplicate'
  | 'unknown_account'
  | 'invalid_request'
  | 'invalid_password'
  | 'unauthorized'
  | 'rate_limited'
  | 'unavailable'
  | 'conflict'
  | 'rejected';

const MESSAGES_ES: Record<ProviderErrorCode, string> = {
  duplicate: 'La dirección ya existe en el directorio y pertenece a otro titular.',
  unknown_account: 'La cuenta no existe en el directorio.',
  invalid_request: 'El directorio rechazó los datos de la cuenta.',
  invalid_password: 'El directorio rechazó la contraseña por no cumplir su política.',
  unauthorized:
    'Las credenciales del sistema ante el directorio no son válidas o no tienen permiso; revise la configuración.',
  rate_limited: 'El directorio limitó las solicitudes; se reintentará.',
  unavailable: 'El directorio no está disponible en este momento; se reintentará.',
  conflict: 'El directorio reportó un conflicto al modificar la cuenta; se reintentará.',
  rejected: 'El directorio rechazó la operación.',
};

/**
 * A directory failure, classified for the queue: `transient` is retried (after retryAfterMs when the directory says
 * so), `permanent` opens an incident for the Subjefatura with messageEs. It never keeps the underlying error object:
 * a Google client error holds the request body, password included, and loggers serialise causes.
 */
export class ProviderError extends Error {
  readonly messageEs: string;
  /** Technical detail for the log (status, reason, result code); never a password. */
  readonly detail?: string;
  readonly retryAfterMs?: number;
  readonly provider?: DirectoryProviderName;

  constructor(
    readonly kind: 'transient' | 'permanent',
    readonly code: ProviderErrorCode,
    opts: { messageEs?: string; detail?: string; retryAfterMs?: number; provider?: DirectoryProviderName } = {},
  ) {
    const messageEs = opts.messageEs ?? MESSAGES_ES[code];
    super(opts.detail ? `${messageEs} (${opts.detail})` : messageEs);
    this.name = 'ProviderError';
    this.messageEs = messageEs;
    this.detail = opts.detail;
    this.retryAfterMs = opts.retryAfterMs;
    this.provider = opts.provider;
  }

  get transient(): boolean {
    return this.kind === 'transient';
  }
}

export const isProviderError = (e: unknown): e is ProviderError => e instanceof ProviderError;

/** Removes every secret from a text that goes into an error or a log line. */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

const ADDRESS_RE = /^[a-z0-9](?:[a-z0-9._'-]{0,62}[a-z0-9])?@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/;

/** Lower-cases and checks an address; the adapters key accounts by it. */
export function normalizeAddress(address: string, provider?: DirectoryProviderName): string {
  const a = address.trim().toLowerCase();
  if (!ADDRESS_RE.test(a) || a.includes('..')) {
    throw new ProviderError('permanent', 'invalid_request', {
      messageEs: `La dirección de correo "${address}" no es válida.`,
      provider,
    });
  }
  return a;
}

/** Checks the holder has what identifies it; a request without it is a bug upstream, never worth a retry. */
export function validateHolder(holder: Holder, provider?: DirectoryProviderName): Holder {
  const bad = (messageEs: string): never => {
    throw new ProviderError('permanent', 'invalid_request', { messageEs, provider });
  };
  const curp = holder.curp?.trim().toUpperCase() || undefined;
  const cct = holder.cct?.trim().toUpperCase() || undefined;
  if (holder.kind === 'trabajador' && !curp) bad('El titular trabajador no tiene CURP.');
  if (holder.kind === 'centro' && !cct) bad('El titular centro de trabajo no tiene CCT.');
  if (curp && !CURP_PATTERN.test(curp)) bad(`La CURP del titular no es válida: ${curp}.`);
  if (cct && !CCT_PATTERN.test(cct)) bad(`La CCT del titular no es válida: ${cct}.`);
  if (!holder.givenName.trim() || !holder.familyName.trim()) bad('El titular debe tener nombre y apellido.');
  return {
    ...holder,
    curp,
    cct,
    givenName: holder.givenName.trim(),
    familyName: holder.familyName.trim(),
    displayName: holder.displayName.trim() || `${holder.givenName.trim()} ${holder.familyName.trim()}`,
  };
}

/** Whether an existing account's holder is the requested one (same CURP for a worker, same CCT for a school). */
export function sameHolder(existing: { curp?: string; cct?: string } | undefined, holder: Holder): boolean {
  if (!existing) return false;
  return holder.kind === 'trabajador'
    ? !!holder.curp && existing.curp === holder.curp
    : !!holder.cct && existing.cct === holder.cct;
}

export function duplicateError(address: string, provider: DirectoryProviderName): ProviderError {
  return new ProviderError('permanent', 'duplicate', {
    messageEs: `La dirección ${address} ya existe en el directorio y pertenece a otro titular.`,
    provider,
  });
}

export function unknownAccountError(address: string, provider: DirectoryProviderName): ProviderError {
  return new ProviderError('permanent', 'unknown_account', {
    messageEs: `La cuenta ${address} no existe en el directorio.`,
    provider,
  });
}
