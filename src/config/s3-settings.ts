import { ConfigError, type Env } from './config';

/** The S3-compatible bucket of DOCUMENT_STORE=s3 (AWS S3, MinIO, Ceph RGW, …): the S3_* variables. */
export interface S3Settings {
  /** S3_ENDPOINT without a trailing slash, e.g. https://s3.us-east-1.amazonaws.com or http://minio:9000. */
  endpoint: string;
  bucket: string;
  /** S3_REGION (us-east-1 by default; MinIO and Ceph accept it unless configured otherwise). */
  region: string;
  accessKeyId: string;
  /** Never printed: not in logs, errors or /api/admin/salud. */
  secretAccessKey: string;
  /** true (default): http://endpoint/bucket/key, as MinIO and Ceph expect; false: http://bucket.endpoint/key. */
  forcePathStyle: boolean;
  /** '' or a folder inside the bucket ending in '/', e.g. 'mci/documentos/'. */
  prefix: string;
}

const S3_VARIABLES = [
  'S3_ENDPOINT',
  'S3_BUCKET',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
  'S3_PREFIX',
] as const;

function value(env: Env, name: (typeof S3_VARIABLES)[number]): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/**
 * The S3_* variables, checked at start: required with DOCUMENT_STORE=s3 (`required`), and checked too whenever any
 * is set (npm run documents:move -- --a s3 reads them while the product still runs on another store). undefined when
 * not required and none is set.
 */
export function s3Settings(env: Env, required: boolean): S3Settings | undefined {
  if (!required && S3_VARIABLES.every((n) => value(env, n) === undefined)) return undefined;
  const why = required ? 'con DOCUMENT_STORE=s3' : 'cuando se define alguna variable S3_*';
  const whyEn = required ? 'with DOCUMENT_STORE=s3' : 'when any S3_* variable is set';
  const need = (name: (typeof S3_VARIABLES)[number]): string => {
    const v = value(env, name);
    if (v === undefined) throw new ConfigError(name, `es obligatoria ${why}`, `is required ${whyEn}`);
    return v;
  };

  const endpoint = need('S3_ENDPOINT');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError('S3_ENDPOINT', 'no es una URL válida', 'is not a valid URL');
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username || url.password)
    throw new ConfigError(
      'S3_ENDPOINT',
      'debe ser una URL http:// o https:// sin credenciales ni parámetros (p. ej. https://s3.us-east-1.amazonaws.com o http://minio:9000)',
      'must be an http:// or https:// URL without credentials or parameters',
    );

  const bucket = need('S3_BUCKET');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..'))
    throw new ConfigError(
      'S3_BUCKET',
      `no es un nombre de bucket válido: de 3 a 63 minúsculas, dígitos, puntos o guiones (recibido: "${bucket}")`,
      `is not a valid bucket name: 3 to 63 lower-case letters, digits, dots or hyphens`,
    );

  const region = value(env, 'S3_REGION') ?? 'us-east-1';
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/i.test(region))
    throw new ConfigError(
      'S3_REGION',
      `no es una región válida, p. ej. us-east-1 (recibido: "${region}")`,
      `is not a valid region, e.g. us-east-1`,
    );

  /** A credential: required, `min` to `max` visible ASCII characters; a secret's value is never shown. */
  const credential = (name: (typeof S3_VARIABLES)[number], min: number, max: number, secret = false): string => {
    const v = need(name);
    if (v.length < min || v.length > max || !/^[\x21-\x7e]+$/.test(v))
      throw new ConfigError(
        name,
        `debe tener entre ${min} y ${max} caracteres visibles, sin espacios${secret ? ' (su valor no se muestra)' : ''}`,
        `must be ${min} to ${max} visible characters without spaces${secret ? ' (its value is not shown)' : ''}`,
      );
    return v;
  };
  const accessKeyId = credential('S3_ACCESS_KEY_ID', 3, 128);
  const secretAccessKey = credential('S3_SECRET_ACCESS_KEY', 8, 256, true);

  const pathStyle = (value(env, 'S3_FORCE_PATH_STYLE') ?? 'true').toLowerCase();
  if (!['true', 'false'].includes(pathStyle))
    throw new ConfigError(
      'S3_FORCE_PATH_STYLE',
      `debe ser true (http://servidor/bucket/clave: MinIO, Ceph) o false (http://bucket.servidor/clave) (recibido: "${pathStyle}")`,
      `must be true (http://server/bucket/key: MinIO, Ceph) or false (http://bucket.server/key)`,
    );

  const rawPrefix = (value(env, 'S3_PREFIX') ?? '').replace(/^\/+|\/+$/g, '');
  if (rawPrefix && (!/^[A-Za-z0-9._\-/]{1,200}$/.test(rawPrefix) || rawPrefix.split('/').some((s) => /^\.*$/.test(s))))
    throw new ConfigError(
      'S3_PREFIX',
      `debe ser una carpeta del bucket con letras, dígitos, . _ - y /, p. ej. mci/documentos (recibido: "${rawPrefix}")`,
      `must be a folder of the bucket made of letters, digits, . _ - and /, e.g. mci/documentos`,
    );

  return {
    endpoint: endpoint.replace(/\/+$/, ''),
    bucket,
    region,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: pathStyle === 'true',
    prefix: rawPrefix ? `${rawPrefix}/` : '',
  };
}
