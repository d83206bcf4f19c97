import { createHash, randomBytes } from 'node:crypto';

/** SHA-256 of a buffer, lower-case hex: what acuses print for scanned attachments and what the verification page compares. */
export function sha256(data: Buffer | Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Crockford base32: no I, L, O, U, so a code read aloud or typed from paper is not misread. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const VERIFICATION_CODE_LENGTH = 10;

/**
 * A short code for the public verification page: 10 Crockford base32 characters = 50 random bits, so guessing one
 * valid code among a million issued letters takes ~10⁹ tries; the page must still rate-limit.
 */
export function newVerificationCode(): string {
  const bytes = randomBytes(VERIFICATION_CODE_LENGTH);
  let out = '';
  // 256 is a multiple of 32: taking the low 5 bits of each random byte is unbiased.
  for (const b of bytes) out += CROCKFORD[b & 31];
  return out;
}

/**
 * Reads what a person typed: case-insensitive, spaces and dashes ignored, and the look-alikes Crockford defines
 * (O→0, I/L→1). Returns undefined when it cannot be a code, so callers answer "not found" without a lookup.
 */
export function normalizeVerificationCode(input: string): string | undefined {
  const s = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== VERIFICATION_CODE_LENGTH) return undefined;
  for (const ch of s) if (!CROCKFORD.includes(ch)) return undefined;
  return s;
}

function trimBase(base: string): string {
  return base.replace(/\/+$/, '');
}

/** The URL the QR code points to: the public verification page of one document. */
export function verifyUrl(base: string, code: string): string {
  return `${trimBase(base)}/verificar/${encodeURIComponent(code)}`;
}

/**
 * The URL printed under the QR, short enough to type from paper: no scheme, path /v/<code>.
 * The web side serves /v/:code as a redirect to /verificar/:code.
 */
export function shortVerifyUrl(base: string, code: string): string {
  return `${trimBase(base).replace(/^https?:\/\//, '')}/v/${encodeURIComponent(code)}`;
}

/**
 * Masks an address for a letter or a screen: enough to recognise one's own mailbox, not enough to harvest it.
 * "juan.perez@gmail.com" → "ju*******z@g****.com"; the public suffix after the first domain label stays readable.
 */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return '***';
  const local = address.slice(0, at);
  const [host, ...rest] = address.slice(at + 1).split('.');
  const maskedLocal =
    local.length <= 2
      ? `${local[0]}*`
      : local.length <= 4
        ? local[0] + '*'.repeat(local.length - 1)
        : local.slice(0, 2) + '*'.repeat(local.length - 3) + local.slice(-1);
  const maskedHost = host[0] + '*'.repeat(Math.max(host.length - 1, 1));
  return [`${maskedLocal}@${maskedHost}`, ...rest].join('.');
}
