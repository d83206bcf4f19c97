import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (the password a school chose in Guía 5.2.2, kept only until the Subjefatura applies it) and the
 * single-use tokens of activation and reset links.
 *
 * Sealed format: `v1.<iv>.<ciphertext>.<tag>`, each part base64url. The version prefix lets a later format or key
 * rotation coexist with rows written today. The version and the optional context are authenticated (GCM AAD), so a
 * sealed value copied into another record (another case id as context) does not open.
 */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const B64URL = /^[A-Za-z0-9_-]*$/;

export class SecretBoxError extends Error {
  constructor(
    readonly code: 'CLAVE_INVALIDA' | 'FORMATO_INVALIDO' | 'VERSION_DESCONOCIDA' | 'DATO_ALTERADO',
    message: string,
  ) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
      throw new SecretBoxError(
        'CLAVE_INVALIDA',
        `La clave de cifrado debe medir ${KEY_BYTES} bytes (SECRET_KEY: 64 caracteres hexadecimales).`,
      );
    }
    // A private copy: the caller's buffer may be reused or zeroed elsewhere.
    this.#key = Buffer.from(key);
  }

  /** Encrypts `plain`; `context` (e.g. the case id) must be given again to open it. */
  seal(plain: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64url'),
      body.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  open(sealed: string, context = ''): string {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    if (parts.length !== 4 || !parts.every((p) => B64URL.test(p))) {
      throw new SecretBoxError('FORMATO_INVALIDO', 'El dato cifrado no tiene el formato esperado.');
    }
    const [version, ivText, bodyText, tagText] = parts as [string, string, string, string];
    if (version !== VERSION) {
      throw new SecretBoxError(
        'VERSION_DESCONOCIDA',
        `El dato cifrado usa una versión desconocida (${version.slice(0, 8)}).`,
      );
    }
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new SecretBoxError('FORMATO_INVALIDO', 'El dato cifrado no tiene el formato esperado.');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(context));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      // Never echo the input: it is (encrypted) secret material.
      throw new SecretBoxError('DATO_ALTERADO', 'El dato cifrado fue alterado o la clave de cifrado no corresponde.');
    }
  }
}

function aad(context: string): Buffer {
  return Buffer.from(`${VERSION}\u0000${context}`, 'utf8');
}

/** True when `value` looks like something `seal` produced (used to refuse storing a secret in clear by mistake). */
export function isSealed(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts[0] === VERSION && parts.every((p) => B64URL.test(p));
}

/** A single-use link token: 32 random bytes, base64url (43 characters). Only its hash is stored. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps of a token: SHA-256, hex. The token has 256 bits of entropy, so no salt or slow hash. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Cheap shape check before a database lookup, so junk from a URL never reaches a query. */
export function isWellFormedToken(token: unknown): token is string {
  return typeof token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(token);
}
