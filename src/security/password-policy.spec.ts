import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../common/domain-error';
import {
  PASSWORD_REASONS,
  assertPassword,
  checkPassword,
  foldForComparison,
  generateTemporaryPassword,
  loadDefaultBlocklist,
  parseBlocklist,
  passwordRequirements,
} from './password-policy';

const maria = {
  localPart: 'maria.lopez',
  curp: 'LOHM850101MCMPRR09',
  names: ['María José', 'López', 'Hernández'],
};

describe('checkPassword: length', () => {
  it('asks for 12 characters by default and accepts exactly 12', () => {
    expect(checkPassword('tp9 kv3 wz7x')).toEqual([]);
    expect(checkPassword('tp9 kv3 wz7')).toEqual([PASSWORD_REASONS.tooShort(12)]);
    expect(checkPassword('')).toEqual([PASSWORD_REASONS.tooShort(12)]);
  });

  it('takes a configured minimum', () => {
    expect(checkPassword('tp9 kv3 wz7x', {}, { minLength: 16 })).toEqual([PASSWORD_REASONS.tooShort(16)]);
    expect(checkPassword('tp9 kv3 wz7x 4hr', {}, { minLength: 16 })).toEqual([]);
    expect(checkPassword('tp9kv3wz', {}, { minLength: 8 })).toEqual([]);
    expect(() => checkPassword('x', {}, { minLength: 6 })).toThrow(RangeError);
    expect(() => checkPassword('x', {}, { maxLength: 32 })).toThrow(RangeError);
  });

  it('counts characters, not UTF-16 units or combining marks', () => {
    // 11 visible characters: "ñ" written decomposed (n + tilde) and an emoji still count as one each.
    const decomposed = 'man\u0303ana🌵 sol';
    expect([...decomposed.normalize('NFKC')]).toHaveLength(11);
    expect(checkPassword(decomposed)).toEqual([PASSWORD_REASONS.tooShort(12)]);
    expect(checkPassword(decomposed + '7')).toEqual([]);
  });

  it('accepts 128 characters and refuses 129', () => {
    const base = 'el volcán de fuego humea cada mañana sobre los campos de caña de Colima y nadie se sorprende ya ';
    const pw128 = (base + base).slice(0, 128);
    expect([...pw128]).toHaveLength(128);
    expect(checkPassword(pw128)).toEqual([]);
    expect(checkPassword(pw128 + 'x')).toEqual([PASSWORD_REASONS.tooLong(128)]);
  });

  it('refuses control characters', () => {
    expect(checkPassword('tp9 kv3\nwz7x 4hr')).toEqual([PASSWORD_REASONS.control]);
  });
});

describe('checkPassword: no composition rules', () => {
  it.each([
    'el volcán humea sobre el mar',
    'tres tristes tigres tragaban',
    'zumbido de colibrí',
    'ÑANDÚ AZUL BAJO LA LLUVIA',
  ])('accepts the passphrase %p', (pw) => expect(checkPassword(pw, maria)).toEqual([]));
});

describe('checkPassword: common passwords', () => {
  it.each([
    'contraseña123456',
    'CONTRASENA123456',
    'Colima2024!!',
    'Profesora2025#',
    'P@ssw0rd123456',
    'passwordpassword',
    'iloveyou1234',
    'te amo mucho!!',
    'Bienvenido123!',
    'guadalupe12345',
  ])('refuses %p', (pw) => {
    expect(checkPassword(pw)).toEqual([PASSWORD_REASONS.common]);
  });

  it('uses a blocklist given in the options', () => {
    const list = parseBlocklist('# comentario\n\nTortuga Marina\n');
    expect(list.has('tortugamarina')).toBe(true);
    expect(list.size).toBe(1);
    expect(checkPassword('tortuga marina 2026', {}, { blocklist: list })).toEqual([PASSWORD_REASONS.common]);
    expect(checkPassword('Colima2024!!', {}, { blocklist: list })).toEqual([]);
  });
});

describe('checkPassword: sequences and repetitions', () => {
  it.each([
    '123456789012',
    '0987654321098',
    'abcdefghijklmn',
    'zyxwvutsrqpo',
    'qwertyuiopasdf',
    'QWERTYUIOPASDFGHJKLÑ',
    '1qaz2wsx3edc4rfv',
    'aaaaaaaaaaaaaa',
    'abababababab',
    'abcabcabcabc',
    'qwertyqwertyqwerty',
    '1234567890123456789012345',
  ])('refuses %p', (pw) => {
    expect(checkPassword(pw)).toEqual([PASSWORD_REASONS.sequence]);
  });
});

describe('checkPassword: words of the person and the account', () => {
  it('refuses the local part, whole or by words, with accents, case and leet folded', () => {
    expect(checkPassword('Maria.Lopez.2026x', { localPart: 'maria.lopez' })).toEqual([PASSWORD_REASONS.localPart]);
    expect(checkPassword('un día lópez llegó', { localPart: 'maria.lopez' })).toEqual([PASSWORD_REASONS.localPart]);
    expect(checkPassword('L0P3Z trae el pan', { localPart: 'maria.lopez' })).toEqual([PASSWORD_REASONS.localPart]);
    expect(checkPassword('escuela 06dpr0001x', { localPart: '06dpr0001x' })).toEqual([PASSWORD_REASONS.localPart]);
  });

  it('refuses the CURP and its first ten characters, in any case', () => {
    expect(checkPassword('lohm850101mcmprr09', { curp: maria.curp })).toEqual([PASSWORD_REASONS.curp]);
    expect(checkPassword('mi clave LOHM850101 ok', { curp: maria.curp })).toEqual([PASSWORD_REASONS.curp]);
    expect(checkPassword('mi clave LOHM85 ok jj', { curp: maria.curp })).toEqual([]);
  });

  it('refuses given names and surnames, folding accents and leet', () => {
    expect(checkPassword('hernandez y el mar', maria)).toEqual([PASSWORD_REASONS.name]);
    expect(checkPassword('la casa de J0sé azul', maria)).toEqual([PASSWORD_REASONS.name]);
  });

  it('matches a three-letter name only as a whole word and skips particles', () => {
    const ana = { names: ['Ana', 'de la Cruz'] };
    expect(checkPassword('la casa de Ana es azul', ana)).toEqual([PASSWORD_REASONS.name]);
    expect(checkPassword('banana split con miel', ana)).toEqual([]);
    expect(checkPassword('la cruz del sur brilla', ana)).toEqual([PASSWORD_REASONS.name]);
  });

  it('collects several reasons at once', () => {
    expect(checkPassword('maria', maria)).toEqual([
      PASSWORD_REASONS.tooShort(12),
      PASSWORD_REASONS.common,
      PASSWORD_REASONS.localPart,
      PASSWORD_REASONS.name,
    ]);
  });

  it('never quotes the password in a reason', () => {
    for (const pw of ['Colima2024!!', 'Maria.Lopez.2026x', 'lohm850101mcmprr09', 'abc', 'qwertyuiopasdf']) {
      for (const reason of checkPassword(pw, maria)) expect(reason.toLowerCase()).not.toContain(pw.toLowerCase());
    }
  });
});

describe('assertPassword', () => {
  it('throws a 422 DomainError with the reasons', () => {
    let error: unknown;
    try {
      assertPassword('Colima2024!!');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: 'CONTRASENA_NO_VALIDA',
      status: 422,
      details: { motivos: [PASSWORD_REASONS.common] },
    });
    expect(() => assertPassword('el volcán humea sobre el mar')).not.toThrow();
  });
});

describe('generateTemporaryPassword', () => {
  it('makes readable, distinct passwords that pass the policy for the person', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const pw = generateTemporaryPassword(maria);
      expect(pw).toMatch(/^[A-HJ-NP-Za-km-z2-9]{4}(-[A-HJ-NP-Za-km-z2-9]{4}){3}$/);
      expect(pw).toMatch(/[A-Z]/);
      expect(pw).toMatch(/[a-z]/);
      expect(pw).toMatch(/[2-9]/);
      expect(checkPassword(pw, maria)).toEqual([]);
      seen.add(pw);
    }
    expect(seen.size).toBe(200);
  });

  it('grows with the configured minimum', () => {
    const pw = generateTemporaryPassword({}, { minLength: 24 });
    expect(pw.split('-')).toHaveLength(6);
    expect(checkPassword(pw, {}, { minLength: 24 })).toEqual([]);
  });
});

describe('passwordRequirements', () => {
  it('states the configured lengths in Spanish', () => {
    expect(passwordRequirements({ minLength: 14 })[0]).toContain('entre 14 y 128 caracteres');
  });
});

describe('the shipped blocklist', () => {
  const lines = readFileSync(join(__dirname, 'blocklist.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const list = loadDefaultBlocklist();

  it('holds a few thousand distinct entries of each kind', () => {
    expect(list.size).toBeGreaterThan(3000);
    expect(list.size).toBe(new Set(lines.map(foldForComparison)).size);
    for (const entry of [
      '123456',
      'password',
      'qwertyuiop',
      '1qaz2wsx',
      'contrasena',
      'teamo',
      'colima2024',
      'cseee2025',
    ]) {
      expect(list.has(entry)).toBe(true);
    }
  });

  it('holds words and patterns, nothing that looks like a real secret', () => {
    // Hex keys, base64 tokens, e-mail addresses and URLs have no place here.
    const suspicious = lines.filter(
      (l) =>
        l.length > 40 ||
        l !== l.toLowerCase() ||
        (/[0-9a-f]{16,}/.test(l) && /[a-f]/.test(l) && /\d/.test(l)) ||
        /\w@[\w-]+\.\w|:\/\//.test(l),
    );
    expect(suspicious).toEqual([]);
  });

  it('is refused in full by checkPassword wherever an entry is long enough', () => {
    const accepted = lines.filter((l) => [...l].length >= 12 && checkPassword(l).length === 0);
    expect(accepted).toEqual([]);
  });
});
