import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

const SECRET = 'n0-se-muestra/NUNCA+secreto';
const S3 = {
  DOCUMENT_STORE: 's3',
  S3_ENDPOINT: 'http://minio:9000/',
  S3_BUCKET: 'mci-documentos',
  S3_ACCESS_KEY_ID: 'mci-app',
  S3_SECRET_ACCESS_KEY: SECRET,
};
const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'mci-cfg-')), ...env });

describe('DOCUMENT_STORE=s3 and the S3_* variables', () => {
  it('reads the bucket with its defaults: region us-east-1, path-style, no prefix', () => {
    const c = load(S3);
    expect(c.documentStore).toBe('s3');
    expect(c.s3).toEqual({
      endpoint: 'http://minio:9000',
      bucket: 'mci-documentos',
      region: 'us-east-1',
      accessKeyId: 'mci-app',
      secretAccessKey: SECRET,
      forcePathStyle: true,
      prefix: '',
    });
  });

  it('takes a region, virtual-hosted style and a prefix (normalised to end in /)', () => {
    const c = load({ ...S3, S3_REGION: 'mx-central-1', S3_FORCE_PATH_STYLE: 'false', S3_PREFIX: '/mci/docs/' });
    expect(c.s3).toMatchObject({ region: 'mx-central-1', forcePathStyle: false, prefix: 'mci/docs/' });
  });

  it('needs no S3_* on the other stores, but checks them when set (documents:move -- --a s3)', () => {
    expect(load({}).s3).toBeUndefined();
    const other = load({ ...S3, DOCUMENT_STORE: 'archivos' });
    expect(other.documentStore).toBe('archivos');
    expect(other.s3?.bucket).toBe('mci-documentos');
    expect(() => load({ S3_BUCKET: 'mci-documentos' })).toThrow(/S3_ENDPOINT es obligatoria cuando se define alguna/);
  });

  it.each([
    ['S3_ENDPOINT', undefined, /S3_ENDPOINT es obligatoria con DOCUMENT_STORE=s3/],
    ['S3_BUCKET', undefined, /S3_BUCKET es obligatoria con DOCUMENT_STORE=s3/],
    ['S3_ACCESS_KEY_ID', undefined, /S3_ACCESS_KEY_ID es obligatoria/],
    ['S3_SECRET_ACCESS_KEY', undefined, /S3_SECRET_ACCESS_KEY es obligatoria/],
    ['S3_ENDPOINT', 'minio:9000', /S3_ENDPOINT debe ser una URL http:\/\/ o https:\/\//],
    ['S3_ENDPOINT', 'http://user:pw@minio:9000', /sin credenciales/],
    ['S3_BUCKET', 'Mis_Documentos', /S3_BUCKET no es un nombre de bucket válido/],
    ['S3_REGION', 'us east', /S3_REGION no es una región válida/],
    ['S3_FORCE_PATH_STYLE', 'si', /S3_FORCE_PATH_STYLE debe ser true .* o false/],
    ['S3_PREFIX', 'a/../b', /S3_PREFIX debe ser una carpeta del bucket/],
    ['S3_SECRET_ACCESS_KEY', 'corta', /S3_SECRET_ACCESS_KEY debe tener entre 8 y 256 caracteres visibles/],
    ['S3_SECRET_ACCESS_KEY', 's'.repeat(257), /entre 8 y 256 caracteres visibles, sin espacios \(su valor no se/],
    ['S3_ACCESS_KEY_ID', 'ab', /S3_ACCESS_KEY_ID debe tener entre 3 y 128 caracteres visibles, sin espacios\. \//],
    ['S3_ACCESS_KEY_ID', 'a'.repeat(129), /S3_ACCESS_KEY_ID debe tener entre 3 y 128/],
    ['S3_ACCESS_KEY_ID', 'mci app', /S3_ACCESS_KEY_ID debe tener entre 3 y 128/],
  ])('stops on a missing or wrong %s and names it', (name, value, message) => {
    const env: Record<string, string> = { ...S3 };
    if (value === undefined) delete env[name];
    else env[name] = value;
    const run = () => load(env);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });

  it('never prints the secret key, even when it is the wrong one', () => {
    const bad = 'secreto con espacios';
    let message = '';
    try {
      load({ ...S3, S3_SECRET_ACCESS_KEY: bad });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/S3_SECRET_ACCESS_KEY/);
    expect(message).not.toContain(bad);
  });

  it('refuses a DOCUMENT_STORE it does not know, listing s3', () => {
    expect(() => load({ DOCUMENT_STORE: 'nube' })).toThrow(/DOCUMENT_STORE debe ser uno de: base, archivos, s3/);
  });
});
