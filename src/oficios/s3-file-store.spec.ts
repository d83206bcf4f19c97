import { s3Url } from './s3-file-store';

const KEY = `ab/ab${'0'.repeat(62)}`;

describe('where the S3 store sends a request', () => {
  it('path-style (MinIO, Ceph): endpoint/bucket/prefix+key, the endpoint’s own path and port kept', () => {
    const s = { endpoint: 'http://minio:9000', bucket: 'docs', prefix: 'mci/', forcePathStyle: true };
    expect(s3Url(s, KEY)).toEqual({ url: new URL(`http://minio:9000/docs/mci/${KEY}`), path: `/docs/mci/${KEY}` });
    expect(s3Url({ ...s, endpoint: 'https://almacen.example/s3' }, null, { 'list-type': '2', prefix: 'mci/' })).toEqual(
      { url: new URL('https://almacen.example/s3/docs?list-type=2&prefix=mci%2F'), path: '/s3/docs' },
    );
  });

  it('virtual-hosted style (AWS): the bucket in the host name, the default port left out', () => {
    const s = { endpoint: 'https://s3.us-east-1.amazonaws.com:443', bucket: 'docs', prefix: '', forcePathStyle: false };
    const { url, path } = s3Url(s, KEY);
    expect(url.href).toBe(`https://docs.s3.us-east-1.amazonaws.com/${KEY}`);
    expect(url.host).toBe('docs.s3.us-east-1.amazonaws.com');
    expect(path).toBe(`/${KEY}`);
    expect(s3Url(s, null).path).toBe('/');
  });

  it('encodes a prefix as SigV4 does, the same in the URL and in what is signed', () => {
    const s = { endpoint: 'http://minio:9000', bucket: 'docs', prefix: 'año 2026/', forcePathStyle: true };
    const { url, path } = s3Url(s, KEY);
    expect(path).toBe(`/docs/a%C3%B1o%202026/${KEY}`);
    expect(url.pathname).toBe(path);
  });
});
