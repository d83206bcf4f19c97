import { createHash } from 'node:crypto';
import { amzDate, canonicalQuery, EMPTY_PAYLOAD_HASH, signV4, uriEncode } from './s3-signature';

/**
 * The examples of the S3 API reference, "Signature Calculations for the Authorization Header: Transferring Payload in
 * a Single Chunk" (sig-v4-header-based-auth): the credentials, bucket, date and signatures AWS prints.
 */
const AWS_EXAMPLE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
};
const HOST = 'examplebucket.s3.amazonaws.com';
const AT = new Date('2013-05-24T00:00:00Z');
const credential = 'Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request';

describe('AWS Signature Version 4 (S3, Authorization header)', () => {
  it('signs the documented GET Object (Range: bytes=0-9) as AWS prints it', () => {
    const h = signV4(
      {
        method: 'GET',
        host: HOST,
        path: '/test.txt',
        headers: { Range: 'bytes=0-9' },
        payloadHash: EMPTY_PAYLOAD_HASH,
      },
      AWS_EXAMPLE,
      AT,
    );
    expect(h).toEqual({
      authorization: `AWS4-HMAC-SHA256 ${credential},SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41`,
      'x-amz-date': '20130524T000000Z',
      'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
  });

  it('signs the documented PUT Object (a key with $, Date and x-amz-storage-class signed, a payload)', () => {
    const payloadHash = createHash('sha256').update('Welcome to Amazon S3.').digest('hex');
    expect(payloadHash).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
    const h = signV4(
      {
        method: 'PUT',
        host: HOST,
        path: '/' + uriEncode('test$file.text', true),
        headers: { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
        payloadHash,
      },
      AWS_EXAMPLE,
      AT,
    );
    expect(h.authorization).toBe(
      `AWS4-HMAC-SHA256 ${credential},SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd`,
    );
  });

  it('signs the documented GET Bucket Lifecycle (a parameter without value) and GET Bucket (sorted query)', () => {
    const sig = (query: Record<string, string>) =>
      signV4(
        { method: 'GET', host: HOST, path: '/', query, payloadHash: EMPTY_PAYLOAD_HASH },
        AWS_EXAMPLE,
        AT,
      ).authorization.split('Signature=')[1];
    expect(sig({ lifecycle: '' })).toBe('fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');
    expect(sig({ prefix: 'J', 'max-keys': '2' })).toBe(
      '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
    );
  });

  it('changes with the secret, the region and the key', () => {
    const base = { method: 'GET', host: HOST, path: '/test.txt', payloadHash: EMPTY_PAYLOAD_HASH };
    const one = signV4(base, AWS_EXAMPLE, AT).authorization;
    expect(signV4(base, { ...AWS_EXAMPLE, secretAccessKey: 'x' }, AT).authorization).not.toBe(one);
    expect(signV4(base, { ...AWS_EXAMPLE, region: 'eu-west-1' }, AT).authorization).not.toBe(one);
    expect(signV4({ ...base, path: '/test2.txt' }, AWS_EXAMPLE, AT).authorization).not.toBe(one);
    expect(one).not.toContain(AWS_EXAMPLE.secretAccessKey);
  });

  it('encodes as SigV4 wants: unreserved kept, UTF-8 bytes in upper-case hex, slashes only in paths', () => {
    expect(uriEncode('a b/é~*+', true)).toBe('a%20b/%C3%A9~%2A%2B');
    expect(uriEncode('a/b')).toBe('a%2Fb');
    expect(canonicalQuery({ 'list-type': '2', 'continuation-token': 'x/y+z=', prefix: '' })).toBe(
      'continuation-token=x%2Fy%2Bz%3D&list-type=2&prefix=',
    );
    expect(amzDate(new Date('2026-12-05T01:02:03.456Z'))).toBe('20261205T010203Z');
  });
});
