import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4 for S3 requests, header-based (the Authorization header), as the S3 API reference describes
 * it ("Signature Calculations for the Authorization Header"). Written on node:crypto so the product needs no AWS SDK;
 * s3-signature.spec.ts checks it against the examples AWS publishes.
 */

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export interface S3Request {
  method: string;
  /** host[:port] as the URL has it (the port only when it is not the scheme's default). */
  host: string;
  /** The path as sent: every segment already encoded with uriEncode (slashes kept). */
  path: string;
  /** Query parameters, unencoded; a parameter with no value (`?lifecycle`) has ''. */
  query?: Record<string, string>;
  /** Headers to sign besides host, x-amz-date and x-amz-content-sha256 (any case). */
  headers?: Record<string, string>;
  /** Hex SHA-256 of the body (that of '' for none). */
  payloadHash: string;
}

export const EMPTY_PAYLOAD_HASH = createHash('sha256').update('').digest('hex');

/**
 * RFC 3986 encoding as SigV4 wants it: every byte of the UTF-8 form except A–Z a–z 0–9 - _ . ~ as %XY (upper-case
 * hex); `/` kept when `keepSlash` (an object key's path).
 */
export function uriEncode(value: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The query string as sent and as signed: names and values encoded, sorted by name then value. */
export function canonicalQuery(query: Record<string, string> = {}): string {
  return Object.entries(query)
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
const hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');

/** `20130524T000000Z`. */
export function amzDate(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * The headers that sign the request: `authorization`, `x-amz-date` and `x-amz-content-sha256`, to send with the
 * headers given (and the Host of the URL, which fetch sets).
 */
export function signV4(req: S3Request, creds: S3Credentials, at: Date): Record<string, string> {
  const date = amzDate(at);
  const headers = new Map<string, string>();
  for (const [k, v] of Object.entries(req.headers ?? {})) headers.set(k.toLowerCase(), v.trim().replace(/\s+/g, ' '));
  headers.set('host', req.host);
  headers.set('x-amz-date', date);
  headers.set('x-amz-content-sha256', req.payloadHash);
  const names = [...headers.keys()].sort();
  const signedHeaders = names.join(';');
  const canonical = [
    req.method,
    req.path,
    canonicalQuery(req.query),
    ...names.map((n) => `${n}:${headers.get(n)}`),
    '',
    signedHeaders,
    req.payloadHash,
  ].join('\n');
  const scope = `${date.slice(0, 8)}/${creds.region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, hex(canonical)].join('\n');
  const kDate = hmac(`AWS4${creds.secretAccessKey}`, date.slice(0, 8));
  const kSigning = hmac(hmac(hmac(kDate, creds.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}`,
    'x-amz-date': date,
    'x-amz-content-sha256': req.payloadHash,
  };
}
