import {
  maskEmail,
  newVerificationCode,
  normalizeVerificationCode,
  sha256,
  shortVerifyUrl,
  verifyUrl,
  VERIFICATION_CODE_LENGTH,
} from './verification';

describe('sha256', () => {
  it('matches the FIPS 180-2 test vector', () => {
    expect(sha256(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('verification codes', () => {
  it('are 10 Crockford base32 characters, without look-alikes', () => {
    for (let i = 0; i < 200; i++) {
      const code = newVerificationCode();
      expect(code).toHaveLength(VERIFICATION_CODE_LENGTH);
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
    }
  });

  it('do not repeat and use the whole alphabet', () => {
    const codes = Array.from({ length: 5000 }, newVerificationCode);
    expect(new Set(codes).size).toBe(codes.length);
    const seen = new Set(codes.join(''));
    expect(seen.size).toBe(32);
  });

  it('are read back from what a person types', () => {
    expect(normalizeVerificationCode('7k3qx-m2pza')).toBe('7K3QXM2PZA');
    expect(normalizeVerificationCode(' 7K3Q XM2P ZA ')).toBe('7K3QXM2PZA');
    expect(normalizeVerificationCode('O0IL1ABCDE')).toBe('00111ABCDE');
    expect(normalizeVerificationCode('7K3QXM2PZ')).toBeUndefined();
    expect(normalizeVerificationCode('7K3QXM2PZU')).toBeUndefined();
    expect(normalizeVerificationCode('../../etc/p')).toBeUndefined();
  });
});

describe('verification URLs', () => {
  it('builds the QR target and the short printed form', () => {
    expect(verifyUrl('https://correo.colima.gob.mx/', '7K3QXM2PZA')).toBe(
      'https://correo.colima.gob.mx/verificar/7K3QXM2PZA',
    );
    expect(shortVerifyUrl('https://correo.colima.gob.mx', '7K3QXM2PZA')).toBe('correo.colima.gob.mx/v/7K3QXM2PZA');
    expect(shortVerifyUrl('http://localhost:3000/', 'ABC')).toBe('localhost:3000/v/ABC');
  });
});

describe('maskEmail', () => {
  it('keeps enough to recognise the mailbox, hides the rest', () => {
    expect(maskEmail('juan.perez@gmail.com')).toBe('ju*******z@g****.com');
    expect(maskEmail('anasofia.cardenas@yahoo.com.mx')).toBe('an**************s@y****.com.mx');
    expect(maskEmail('abcd@hotmail.com')).toBe('a***@h******.com');
    expect(maskEmail('ab@x.mx')).toBe('a*@x*.mx');
  });

  it('never returns the address itself, even for odd input', () => {
    for (const a of ['juan.perez@gmail.com', 'a@b.c', 'x@y', 'sin-arroba', '@dominio.mx']) {
      expect(maskEmail(a)).not.toBe(a);
      expect(maskEmail(a)).toContain('*');
    }
  });
});
