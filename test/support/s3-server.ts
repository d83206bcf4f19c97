/**
 * An S3-compatible server for the tests: node:http on a free loopback port, buckets in memory. It implements what the
 * product's S3 store uses — PUT (and PUT with x-amz-copy-source), GET, HEAD and DELETE of an object, ListObjectsV2
 * with max-keys and continuation tokens — answering as S3 documents it (XML bodies, S3 error codes), and it checks
 * the AWS Signature Version 4 of every request from the raw request it received, with its own code (not the product's
 * signer): a wrong key or secret is a 403 as on S3. Path-style and virtual-hosted-style (`<bucket>.<host>`) requests.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3Object {
  data: Buffer;
  lastModified: Date;
  contentType: string;
}

export interface S3Request {
  method: string;
  bucket: string;
  key: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
}

export interface FakeS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** bucket → key → object; a test may alter an object behind the product's back. */
  buckets: Map<string, Map<string, S3Object>>;
  /** Every request, in order, with the status answered. */
  requests: S3Request[];
  /** The server's clock (LastModified); the tests move it. */
  now: () => Date;
  close(): Promise<void>;
}

export interface FakeS3Options {
  buckets?: string[];
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
  /** The most keys one listing page returns, whatever max-keys asks (S3: 1000). */
  maxKeys?: number;
}

const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** RFC 3986 as SigV4 wants it, from encodeURIComponent (which leaves !'()* alone). */
const strictEncode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

class S3Failure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startS3Server(opts: FakeS3Options = {}): Promise<FakeS3> {
  const s3: FakeS3 = {
    endpoint: '',
    accessKeyId: opts.accessKeyId ?? 'MCIPRUEBASACCESO',
    secretAccessKey: opts.secretAccessKey ?? 'secreto+de/prueba=Muy-Largo-0123456789',
    region: opts.region ?? 'us-east-1',
    buckets: new Map((opts.buckets ?? ['mci-documentos']).map((b) => [b, new Map<string, S3Object>()])),
    requests: [],
    now: () => new Date(),
    close: async () => undefined,
  };
  const pageCap = opts.maxKeys ?? 1000;

  /** Recomputes the request's signature from what arrived and compares it with the one it carries. */
  function checkSignature(req: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer): void {
    const auth = req.headers.authorization ?? '';
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!m) throw new S3Failure(403, 'AccessDenied', 'Missing or unsupported Authorization header');
    const [, accessKey, day, region, signedHeaders, signature] = m;
    if (accessKey !== s3.accessKeyId)
      throw new S3Failure(
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
      );
    if (region !== s3.region)
      throw new S3Failure(
        400,
        'AuthorizationHeaderMalformed',
        `the region '${region}' is wrong; expecting '${s3.region}'`,
      );
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    if (!amzDate.startsWith(day)) throw new S3Failure(403, 'AccessDenied', 'x-amz-date does not match the credential');
    const names = signedHeaders.split(';');
    if (!names.includes('host') || !names.includes('x-amz-date'))
      throw new S3Failure(403, 'AccessDenied', 'host and x-amz-date must be signed');
    const payload = String(req.headers['x-amz-content-sha256'] ?? '');
    if (payload !== 'UNSIGNED-PAYLOAD' && payload !== sha256Hex(body))
      throw new S3Failure(
        400,
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    const md5 = req.headers['content-md5'];
    if (md5 !== undefined && md5 !== createHash('md5').update(body).digest('base64'))
      throw new S3Failure(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');

    const uri = rawPath
      .split('/')
      .map((seg) => strictEncode(decodeURIComponent(seg)))
      .join('/');
    const query = rawQuery
      .split('&')
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf('=');
        const [k, v] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
        return `${strictEncode(decodeURIComponent(k))}=${strictEncode(decodeURIComponent(v))}`;
      })
      .sort()
      .join('&');
    const headerLines = names.map((n) => {
      const v = req.headers[n];
      return `${n}:${(Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ')}\n`;
    });
    const request = `${req.method}\n${uri}\n${query}\n${headerLines.join('')}\n${signedHeaders}\n${payload}`;
    const scope = [day, region, 's3', 'aws4_request'];
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope.join('/')}\n${sha256Hex(request)}`;
    const key = scope.reduce<Buffer | string>(
      (k, part) => createHmac('sha256', k).update(part).digest(),
      'AWS4' + s3.secretAccessKey,
    );
    const expected = createHmac('sha256', key).update(toSign).digest();
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex')))
      throw new S3Failure(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      );
  }

  function list(res: ServerResponse, bucket: string, objects: Map<string, S3Object>, q: Record<string, string>): void {
    if (q['list-type'] !== '2') throw new S3Failure(501, 'NotImplemented', 'Only ListObjectsV2 is implemented');
    const prefix = q.prefix ?? '';
    const max = Math.min(Number(q['max-keys'] ?? 1000), pageCap);
    const after = q['continuation-token'] ? Buffer.from(q['continuation-token'], 'base64url').toString() : '';
    const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, max);
    const truncated = keys.length > max;
    const contents = page.map((k) => {
      const o = objects.get(k)!;
      return (
        `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified>` +
        `<ETag>&quot;${createHash('md5').update(o.data).digest('hex')}&quot;</ETag><Size>${o.data.length}</Size>` +
        `<StorageClass>STANDARD</StorageClass></Contents>`
      );
    });
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
        `<Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount>` +
        `<MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
        (q['continuation-token']
          ? `<ContinuationToken>${xmlEscape(q['continuation-token'])}</ContinuationToken>`
          : '') +
        (truncated
          ? `<NextContinuationToken>${Buffer.from(page[page.length - 1]).toString('base64url')}</NextContinuationToken>`
          : '') +
        contents.join('') +
        `</ListBucketResult>`,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse, log: S3Request): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const raw = req.url ?? '/';
    const [rawPath, rawQuery = ''] = raw.split('?', 2) as [string, string?];
    const query: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(rawQuery)) query[k] = v;
    log.query = query;
    checkSignature(req, rawPath, rawQuery, body);

    // Virtual-hosted style names the bucket in the host; path-style in the first segment.
    const hostBucket = [...s3.buckets.keys()].find((b) => (req.headers.host ?? '').startsWith(`${b}.`));
    const segments = rawPath.split('/').slice(1).map(decodeURIComponent);
    const bucket = hostBucket ?? segments.shift() ?? '';
    const key = segments.join('/');
    log.bucket = bucket;
    log.key = key;
    const objects = s3.buckets.get(bucket);
    if (!objects) throw new S3Failure(404, 'NoSuchBucket', 'The specified bucket does not exist');

    if (key === '' && req.method === 'GET') return list(res, bucket, objects, query);
    if (key === '') throw new S3Failure(501, 'NotImplemented', 'Bucket operation not implemented');
    switch (req.method) {
      case 'PUT': {
        const source = req.headers['x-amz-copy-source'];
        if (typeof source === 'string') {
          const [from, ...rest] = decodeURIComponent(source).replace(/^\//, '').split('/');
          const original = s3.buckets.get(from)?.get(rest.join('/'));
          if (!original) throw new S3Failure(404, 'NoSuchKey', 'The specified key does not exist.');
          const copy = { ...original, data: Buffer.from(original.data), lastModified: s3.now() };
          objects.set(key, copy);
          res.writeHead(200, { 'content-type': 'application/xml' });
          res.end(
            `<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult><LastModified>${copy.lastModified.toISOString()}</LastModified>` +
              `<ETag>&quot;${createHash('md5').update(copy.data).digest('hex')}&quot;</ETag></CopyObjectResult>`,
          );
          return;
        }
        objects.set(key, {
          data: body,
          lastModified: s3.now(),
          contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'),
        });
        res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
        res.end();
        return;
      }
      case 'GET':
      case 'HEAD': {
        const o = objects.get(key);
        if (!o) throw new S3Failure(404, 'NoSuchKey', 'The specified key does not exist.');
        res.writeHead(200, {
          'content-type': o.contentType,
          'content-length': o.data.length,
          'last-modified': o.lastModified.toUTCString(),
          etag: `"${createHash('md5').update(o.data).digest('hex')}"`,
        });
        res.end(req.method === 'GET' ? o.data : undefined);
        return;
      }
      case 'DELETE':
        objects.delete(key);
        res.writeHead(204);
        res.end();
        return;
      default:
        throw new S3Failure(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    }
  }

  const server = createServer((req, res) => {
    const log: S3Request = {
      method: req.method ?? '',
      bucket: '',
      key: '',
      query: {},
      headers: req.headers,
      status: 0,
    };
    s3.requests.push(log);
    res.on('finish', () => (log.status = res.statusCode));
    handle(req, res, log).catch((e: unknown) => {
      const f = e instanceof S3Failure ? e : new S3Failure(500, 'InternalError', (e as Error).message);
      res.writeHead(f.status, { 'content-type': 'application/xml' });
      // A HEAD answer has no body, as on S3: only its status tells.
      res.end(
        req.method === 'HEAD'
          ? undefined
          : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${f.code}</Code><Message>${xmlEscape(f.message)}</Message>` +
              `<RequestId>PRUEBA</RequestId></Error>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s3.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s3.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return s3;
}
