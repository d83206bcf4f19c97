import { createHash, randomBytes } from 'node:crypto';
import { SecretBox, SecretBoxError, isSealed, isWellFormedToken, newToken, tokenHash } from './secret-box';

const key = randomBytes(32);

function flip(text: string, index: number): string {
  const c = text[index];
  return text.slice(0, index) + (c === 'A' ? 'B' : 'A') + text.slice(index + 1);
}

function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SecretBoxError);
    return (e as SecretBoxError).code;
  }
  throw new Error('expected an error');
}

describe('SecretBox', () => {
  const box = new SecretBox(key);

  it('round-trips UTF-8 text and writes the versioned format', () => {
    const sealed = box.seal('Escuela#Colima ñandú 2026', 'case-1');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(isSealed(sealed)).toBe(true);
    expect(box.open(sealed, 'case-1')).toBe('Escuela#Colima ñandú 2026');
  });

  it('never shows the plaintext and uses a fresh IV each time', () => {
    const a = box.seal('misma-contraseña');
    const b = box.seal('misma-contraseña');
    expect(a).not.toBe(b);
    expect(a).not.toContain('misma');
    expect(Buffer.from(a.split('.')[2], 'base64url').toString('utf8')).not.toContain('misma');
  });

  it('round-trips an empty string', () => {
    expect(box.open(box.seal(''))).toBe('');
  });

  it('rejects a flipped byte in the ciphertext, the IV or the tag', () => {
    const sealed = box.seal('una contraseña de escuela', 'case-9');
    const [v, iv, body, tag] = sealed.split('.');
    for (const tampered of [
      [v, flip(iv, 3), body, tag].join('.'),
      [v, iv, flip(body, 2), tag].join('.'),
      [v, iv, body, flip(tag, 5)].join('.'),
    ]) {
      expect(errorCode(() => box.open(tampered, 'case-9'))).toBe('DATO_ALTERADO');
    }
  });

  it('does not open under another context or another key', () => {
    const sealed = box.seal('secreto', 'case-1');
    expect(errorCode(() => box.open(sealed, 'case-2'))).toBe('DATO_ALTERADO');
    expect(errorCode(() => new SecretBox(randomBytes(32)).open(sealed, 'case-1'))).toBe('DATO_ALTERADO');
  });

  it('refuses an unknown version and malformed input without echoing it', () => {
    const sealed = box.seal('secreto');
    expect(errorCode(() => box.open('v2' + sealed.slice(2)))).toBe('VERSION_DESCONOCIDA');
    expect(errorCode(() => box.open('texto en claro'))).toBe('FORMATO_INVALIDO');
    expect(errorCode(() => box.open(sealed.split('.').slice(0, 3).join('.')))).toBe('FORMATO_INVALIDO');
    let message = '';
    try {
      box.open('v1.AAAA.c2VjcmV0bw.BBBB');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/formato esperado/);
    expect(message).not.toContain('c2VjcmV0bw');
  });

  it('needs a 32-byte key', () => {
    expect(errorCode(() => new SecretBox(randomBytes(16)))).toBe('CLAVE_INVALIDA');
  });

  it('keeps its own copy of the key', () => {
    const k = randomBytes(32);
    const b = new SecretBox(k);
    const sealed = b.seal('x');
    k.fill(0);
    expect(b.open(sealed)).toBe('x');
  });
});

describe('link tokens', () => {
  it('are 32 random bytes in base64url and differ each time', () => {
    const t = newToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(t, 'base64url')).toHaveLength(32);
    expect(new Set(Array.from({ length: 50 }, newToken)).size).toBe(50);
    expect(isWellFormedToken(t)).toBe(true);
    expect(isWellFormedToken(t + '=')).toBe(false);
    expect(isWellFormedToken("x' OR 1=1 --")).toBe(false);
    expect(isWellFormedToken(undefined)).toBe(false);
  });

  it('are stored as the SHA-256 hex of the token', () => {
    const t = newToken();
    expect(tokenHash(t)).toBe(createHash('sha256').update(t).digest('hex'));
    expect(tokenHash(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
