import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import type { S3Settings } from '../config/s3-settings';
import { sha256 } from '../letters/verification';
import {
  AlteredFileError,
  FILE_KEY,
  type FileStore,
  type ReferencedAmong,
  removeByPages,
  type StoredFile,
} from './file-store';
import { canonicalQuery, EMPTY_PAYLOAD_HASH, signV4, uriEncode } from './s3-signature';

/** How long one request to the bucket may take (a scan of several MB on a slow link included). */
export const S3_REQUEST_TIMEOUT_MS = 60_000;
/** Objects per ListObjectsV2 page (S3's maximum). */
const LIST_PAGE = 1000;

export interface S3FileStoreOptions {
  timeoutMs?: number;
  /** Objects per listing page (tests ask for fewer, to page). */
  listPage?: number;
}

interface ObjectInfo {
  bytes: number;
  modifiedAt: Date;
}

/**
 * Documents in an S3-compatible bucket (DOCUMENT_STORE=s3: AWS S3, MinIO, Ceph RGW…), over the S3 REST API signed
 * with AWS Signature Version 4 (s3-signature.ts), no SDK. Keys, content addressing and the sweep's rules are those of
 * LocalFileStore, under S3_PREFIX: `<prefix><first two hex>/<sha256>`.
 *
 * - save: a PUT carries the body's SHA-256 (x-amz-content-sha256, which the server checks) and its Content-MD5. An
 *   object already there with the same size is not sent again: a server-side copy onto itself renews its
 *   LastModified, the time the sweep's grace counts from (a scan uploaded again is not swept before its row commits).
 * - read: the object's SHA-256 must be its key's, else AlteredFileError (a 503 for the caller; the move lists it).
 * - removeUnreferenced: lists the prefix (ListObjectsV2, page by page), asks `referenced` about each page of old
 *   objects, and deletes what no row names after a HEAD right before the DELETE says it was not saved again since
 *   `before`. S3 has no conditional delete on the time nor a rename, so a save landing between that HEAD and the
 *   DELETE (milliseconds, against a grace of an hour since the object was last saved) is the one race the database
 *   and folder stores close and this does not.
 * Errors are DomainErrors (503) in Spanish that say what to check; the secret key is never in them, nor in a log.
 */
export class S3FileStore implements FileStore {
  private readonly log = new Logger('Documentos');
  readonly #secret: string;
  private readonly settings: Omit<S3Settings, 'secretAccessKey'>;
  private readonly timeoutMs: number;
  private readonly listPage: number;

  constructor(settings: S3Settings, options: S3FileStoreOptions = {}) {
    const { secretAccessKey, ...rest } = settings;
    this.#secret = secretAccessKey;
    this.settings = rest;
    this.timeoutMs = options.timeoutMs ?? S3_REQUEST_TIMEOUT_MS;
    this.listPage = options.listPage ?? LIST_PAGE;
  }

  /** Where the store writes, for messages: `<endpoint>, bucket «b», prefijo «p»`. */
  get where(): string {
    const { endpoint, bucket, prefix } = this.settings;
    return `${endpoint}, bucket «${bucket}»${prefix ? `, prefijo «${prefix}»` : ''}`;
  }

  async save(data: Buffer): Promise<StoredFile> {
    const digest = sha256(data);
    const key = `${digest.slice(0, 2)}/${digest}`;
    const stored = { key, sha256: digest, bytes: data.length };
    const there = await this.head(key);
    if (there?.bytes === data.length) {
      await this.renew(key);
      return stored;
    }
    const res = await this.send('PUT', key, 'guardar un documento', {
      headers: {
        'content-md5': createHash('md5').update(data).digest('base64'),
        'content-type': 'application/octet-stream',
      },
      body: data,
      payloadHash: digest,
    });
    if (!res.ok) throw await this.failure(res, 'guardar un documento');
    await res.arrayBuffer(); // read to its end: the connection goes back to the pool
    return stored;
  }

  async read(key: string): Promise<Buffer> {
    const missing = new DomainError(
      'ARCHIVO_NO_ENCONTRADO',
      'El archivo solicitado no existe en el almacén de documentos.',
      404,
    );
    if (!FILE_KEY.test(key)) throw missing;
    const res = await this.send('GET', key, 'leer un documento');
    if (!res.ok) {
      const body = await res.text().catch(() => '');
      const code = xmlText(body, 'Code');
      if (res.status === 404 && (code === undefined || code === 'NoSuchKey')) throw missing;
      throw this.failureOf(res.status, body, 'leer un documento');
    }
    const data = Buffer.from(await res.arrayBuffer());
    if (sha256(data) !== key.slice(3)) {
      this.log.error({ key, bytes: data.length }, 'Un documento del bucket S3 no coincide con su huella SHA-256');
      throw new AlteredFileError(
        key,
        data,
        `El documento ${key} del almacén S3 (${this.where}) no coincide con su huella SHA-256: fue alterado o dañado en el bucket; se avisó a la Subjefatura de Sistemas.`,
      );
    }
    return data;
  }

  removeUnreferenced(before: Date, referenced: ReferencedAmong, pageSize?: number): AsyncGenerator<string[]> {
    return removeByPages(
      this.oldKeys(before),
      referenced,
      async (key) => {
        // Saved again since the listing (its row may commit any moment), or swept by another process: left alone.
        const now = await this.head(key);
        if (!now || now.modifiedAt >= before) return false;
        const res = await this.send('DELETE', key, 'borrar un documento sin registro');
        if (!res.ok && res.status !== 404) throw await this.failure(res, 'borrar un documento sin registro');
        await res.arrayBuffer();
        return true;
      },
      pageSize,
    );
  }

  /** The documents last saved before `before`, from the listing (page by page, continued after what was deleted). */
  private async *oldKeys(before: Date): AsyncGenerator<string> {
    for await (const { key, modifiedAt } of this.list()) if (FILE_KEY.test(key) && modifiedAt < before) yield key;
  }

  /** The object's size and last save, or null when the bucket has no such object. */
  private async head(key: string): Promise<ObjectInfo | null> {
    const res = await this.send('HEAD', key, 'consultar un documento');
    // A HEAD has no body to tell a missing key from a missing bucket, a refusal or a wrong region: the PUT or GET that
    // follows does (and a sweep has listed the bucket before it asks).
    if (res.status >= 400 && res.status < 500) return null;
    if (!res.ok) throw await this.failure(res, 'consultar un documento');
    return {
      bytes: Number(res.headers.get('content-length') ?? -1),
      modifiedAt: new Date(res.headers.get('last-modified') ?? 0),
    };
  }

  /** A copy of the object onto itself with its metadata replaced: same bytes, LastModified now. */
  private async renew(key: string): Promise<void> {
    const what = 'renovar la fecha de un documento';
    const res = await this.send('PUT', key, what, {
      headers: {
        'x-amz-copy-source': `/${this.settings.bucket}/${uriEncode(this.settings.prefix + key, true)}`,
        'x-amz-metadata-directive': 'REPLACE',
        'content-type': 'application/octet-stream',
      },
    });
    // A copy can fail after its 200 has been sent: the error is then in the body.
    const body = await res.text().catch(() => '');
    if (!res.ok || body.includes('<Error>')) throw this.failureOf(res.status, body, what);
  }

  /** Every object under the prefix (keys without it), page by page. */
  private async *list(): AsyncGenerator<{ key: string; modifiedAt: Date }> {
    let token: string | undefined;
    do {
      const query: Record<string, string> = {
        'list-type': '2',
        'max-keys': String(this.listPage),
        prefix: this.settings.prefix,
      };
      if (token) query['continuation-token'] = token;
      const res = await this.send('GET', null, 'listar los documentos', { query });
      const xml = await res.text();
      if (!res.ok) throw this.failureOf(res.status, xml, 'listar los documentos');
      for (const entry of xml.match(/<Contents>[\s\S]*?<\/Contents>/g) ?? []) {
        const key = xmlText(entry, 'Key') ?? '';
        if (!key.startsWith(this.settings.prefix)) continue;
        yield {
          key: key.slice(this.settings.prefix.length),
          modifiedAt: new Date(xmlText(entry, 'LastModified') ?? 0),
        };
      }
      token = xmlText(xml, 'IsTruncated') === 'true' ? xmlText(xml, 'NextContinuationToken') : undefined;
    } while (token);
  }

  /** One signed request; `key` null for the bucket itself. A network failure or a timeout is a clear 503. */
  private async send(
    method: string,
    key: string | null,
    what: string,
    req: { query?: Record<string, string>; headers?: Record<string, string>; body?: Buffer; payloadHash?: string } = {},
  ): Promise<Response> {
    const { url, path } = s3Url(this.settings, key, req.query);
    const signed = signV4(
      {
        method,
        host: url.host,
        path,
        query: req.query,
        headers: req.headers,
        payloadHash: req.payloadHash ?? EMPTY_PAYLOAD_HASH,
      },
      { accessKeyId: this.settings.accessKeyId, secretAccessKey: this.#secret, region: this.settings.region },
      new Date(),
    );
    try {
      return await fetch(url, {
        method,
        headers: { ...req.headers, ...signed },
        body: req.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why =
        err.name === 'TimeoutError'
          ? `no respondió en ${(this.timeoutMs / 1000).toLocaleString('es-MX')} s`
          : `no responde (${err.cause?.code ?? err.cause?.message ?? err.message})`;
      throw new DomainError(
        'ALMACEN_S3_INACCESIBLE',
        `No se pudo ${what}: el almacén S3 en ${url.origin} ${why}. Revise S3_ENDPOINT (y S3_FORCE_PATH_STYLE) y que el servicio esté en marcha y accesible desde este servidor.`,
        503,
      );
    }
  }

  private async failure(res: Response, what: string): Promise<DomainError> {
    return this.failureOf(res.status, await res.text().catch(() => ''), what);
  }

  /** What S3 answered, said in Spanish with what to check. */
  private failureOf(status: number, body: string, what: string): DomainError {
    const { bucket, accessKeyId } = this.settings;
    const code = xmlText(body, 'Code') ?? (status === 403 ? 'AccessDenied' : `HTTP ${status}`);
    const intro = `No se pudo ${what} en el almacén S3 (${this.where})`;
    const say = (errorCode: string, message: string) => new DomainError(errorCode, `${intro}: ${message}`, 503);
    switch (code) {
      case 'SignatureDoesNotMatch':
        return say(
          'ALMACEN_S3_CREDENCIALES',
          'rechazó la firma de la solicitud (SignatureDoesNotMatch). Revise S3_SECRET_ACCESS_KEY, S3_ACCESS_KEY_ID y S3_REGION.',
        );
      case 'InvalidAccessKeyId':
        return say(
          'ALMACEN_S3_CREDENCIALES',
          `no reconoce la clave de acceso «${accessKeyId}» (InvalidAccessKeyId). Revise S3_ACCESS_KEY_ID.`,
        );
      case 'RequestTimeTooSkewed':
        return say(
          'ALMACEN_S3_CREDENCIALES',
          'la hora de este servidor difiere demasiado de la del almacén (RequestTimeTooSkewed). Sincronice el reloj (NTP).',
        );
      case 'AuthorizationHeaderMalformed':
      case 'PermanentRedirect':
      case 'HTTP 301':
        return say(
          'ALMACEN_S3_CREDENCIALES',
          `el bucket «${bucket}» está en otra región o requiere otra dirección (${code}). Revise S3_REGION y S3_ENDPOINT.`,
        );
      case 'NoSuchBucket':
        return say(
          'ALMACEN_S3_SIN_BUCKET',
          `el bucket «${bucket}» no existe (NoSuchBucket). Créelo (p. ej. mc mb o aws s3 mb) o corrija S3_BUCKET.`,
        );
      case 'AccessDenied':
        return say(
          'ALMACEN_S3_PERMISO',
          `la clave «${accessKeyId}» no tiene permiso (AccessDenied). Concédale s3:GetObject, s3:PutObject, s3:DeleteObject y s3:ListBucket sobre el bucket «${bucket}».`,
        );
      default:
        return say('ALMACEN_S3_ERROR', `respondió ${status} ${code}: ${xmlText(body, 'Message') ?? 'sin detalle'}.`);
    }
  }
}

/**
 * Where a request goes: path-style `<endpoint>/<bucket>/<prefix><key>` (S3_FORCE_PATH_STYLE=true, MinIO and Ceph) or
 * virtual-hosted-style `<scheme>://<bucket>.<endpoint host>/<prefix><key>`; `key` null for the bucket itself. `path`
 * is the URL's path as sent and signed (the object's name encoded as SigV4 wants it).
 */
export function s3Url(
  settings: Pick<S3Settings, 'endpoint' | 'bucket' | 'prefix' | 'forcePathStyle'>,
  key: string | null,
  query?: Record<string, string>,
): { url: URL; path: string } {
  const base = new URL(settings.endpoint);
  const basePath = base.pathname.replace(/\/+$/, '');
  const object = key === null ? '' : uriEncode(settings.prefix + key, true);
  const host = settings.forcePathStyle ? base.host : `${settings.bucket}.${base.host}`;
  const path = settings.forcePathStyle
    ? `${basePath}/${settings.bucket}${key === null ? '' : `/${object}`}`
    : `${basePath}/${object}`;
  const q = canonicalQuery(query);
  return { url: new URL(`${base.protocol}//${host}${path}${q ? `?${q}` : ''}`), path };
}

/** The text of the first `<tag>` of an S3 XML answer, entities decoded. */
function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  if (!m) return undefined;
  return m[1].replace(
    /&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-f]+));/gi,
    (_, name: string, dec?: string, hx?: string) => {
      if (dec) return String.fromCodePoint(Number(dec));
      if (hx) return String.fromCodePoint(parseInt(hx, 16));
      return { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[name.toLowerCase()] ?? '';
    },
  );
}
