import { CURP_STATES, curpCheckDigit, curpProblem, isValidCurp, normalizeCurp, parseCurp } from './curp';
import { generateCurp } from './curp-generate';

/** A 17-character body completed with its real check digit, so each case fails only where it means to. */
const withCheck = (body: string): string => body + String(curpCheckDigit(body));

describe('curpProblem', () => {
  it('accepts published CURPs with their real check digit', () => {
    // python-stdnum's reference value, and the Instructivo's worked example (Luis Raúl Bello Mena, 13/03/1992, Edo. Méx.).
    expect(curpProblem('BOXW310820HNERXN09')).toBeNull();
    expect(curpProblem('BEML920313HMCLNS09')).toBeNull();
    expect(isValidCurp('BEML920313HMCLNS09')).toBe(true);
  });

  it('rejects every other check digit and names character 18', () => {
    for (let d = 0; d <= 9; d++) {
      const curp = `BEML920313HMCLNS0${d}`;
      if (d === 9) continue;
      expect(curpProblem(curp)).toMatch(/dígito verificador.*carácter 18/);
      expect(isValidCurp(curp)).toBe(false);
    }
  });

  it('detects a transposition that keeps the format valid', () => {
    // Two digits of the date swapped: still a real date, still the right shape; only the check digit catches it.
    expect(curpProblem('BEML923013HMCLNS09')).not.toBeNull();
    expect(curpProblem('BEML920331HMCLNS09')).toMatch(/dígito verificador/);
  });

  it('computes the check digit with the 37-character dictionary (Ñ shifts the letters after N)', () => {
    // O is 25, not 24, because Ñ sits between N and O in the dictionary.
    const body = 'OOOO000101HCMXXXA';
    const manual = [...body].reduce(
      (sum, ch, i) => sum + '0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ'.indexOf(ch) * (18 - i),
      0,
    );
    expect(curpCheckDigit(body)).toBe((10 - (manual % 10)) % 10);
    expect('0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ'.indexOf('O')).toBe(25);
  });

  describe('birth date (the 17th character tells the century)', () => {
    it('29 February exists in 2000 (letter → 20xx) but not in 1900 (digit → 19xx)', () => {
      expect(curpProblem(withCheck('GOMA000229MCMRRNA'))).toBeNull();
      expect(curpProblem(withCheck('GOMA000229MCMRRN0'))).toMatch(/no existe: 29 de febrero de 1900/);
    });

    it('29 February on leap and non-leap years', () => {
      expect(curpProblem(withCheck('GOMA960229MCMRRN0'))).toBeNull();
      expect(curpProblem(withCheck('GOMA970229MCMRRN0'))).toMatch(/29 de febrero de 1997/);
      expect(curpProblem(withCheck('GOMA040229MCMRRNB'))).toBeNull();
      expect(curpProblem(withCheck('GOMA050229MCMRRNB'))).toMatch(/29 de febrero de 2005/);
    });

    it('rejects 31 February, 31 April, day 00 and month 13', () => {
      expect(curpProblem(withCheck('GOMA900231MCMRRN0'))).toMatch(/31 de febrero de 1990/);
      expect(curpProblem(withCheck('GOMA900431MCMRRN0'))).toMatch(/31 de abril/);
      expect(curpProblem(withCheck('GOMA900400MCMRRN0'))).toMatch(/no existe/);
      expect(curpProblem(withCheck('GOMA901301MCMRRN0'))).toMatch(/mes 13/);
      expect(curpProblem(withCheck('GOMA901231MCMRRN0'))).toBeNull();
    });
  });

  it('accepts every state code, NE, and sexes H, M and X', () => {
    expect(Object.keys(CURP_STATES)).toHaveLength(33);
    for (const state of Object.keys(CURP_STATES)) {
      expect(curpProblem(withCheck(`GOMA850615H${state}RRN0`))).toBeNull();
    }
    expect(curpProblem(withCheck('GOMA850615XCMRRN0'))).toBeNull();
    expect(curpProblem(withCheck('GOMA850615MNERRN0'))).toBeNull();
  });

  it('rejects an unknown state code and an unknown sex, naming the characters', () => {
    expect(curpProblem(withCheck('GOMA850615HXXRRN0'))).toMatch(/12 y 13.*«XX».*entidad/);
    expect(curpProblem(withCheck('GOMA850615HCORRN0'))).toMatch(/«CO»/);
    expect(curpProblem(withCheck('GOMA850615ZCMRRN0'))).toMatch(/carácter 11.*H, M o X.*«Z»/);
  });

  it('names the shape problems precisely', () => {
    expect(curpProblem('')).toBe('La CURP está vacía.');
    expect(curpProblem('BEML920313HMCLNS0')).toBe('La CURP debe tener 18 caracteres y tiene 17.');
    expect(curpProblem('BEML920313HMCLNS090')).toMatch(/tiene 19/);
    expect(curpProblem('beml920313hmclns09')).toMatch(/mayúsculas/);
    expect(curpProblem(' BEML920313HMCLNS09')).toMatch(/espacios/);
    expect(curpProblem('MUÑA920313HMCLNS09')).toMatch(/«Ñ» en la posición 3.*la Ñ se escribe X/);
    expect(curpProblem('BEM1920313HMCLNS09')).toMatch(/1 a 4.*letras/);
    expect(curpProblem(withCheck('BRML920313HMCLNS0'))).toMatch(/carácter 2.*vocal.*«R»/);
    expect(curpProblem('BEML92O313HMCLNS09')).toMatch(/5 a 10.*«92O313»/);
    expect(curpProblem(withCheck('BEML920313HMCANS0'))).toMatch(/14 a 16.*consonantes.*el 14 es «A»/);
    expect(curpProblem('BEML920313HMCLNS0A')).toMatch(/carácter 18.*dígito/);
  });

  it('normalizes and parses', () => {
    expect(normalizeCurp('  beml920313hmclns09 ')).toBe('BEML920313HMCLNS09');
    expect(parseCurp('BEML920313HMCLNS09')).toEqual({
      birthDate: { year: 1992, month: 3, day: 13 },
      sex: 'H',
      state: 'MC',
      stateName: 'Estado de México',
    });
    expect(parseCurp('BEML920313HMCLNS08')).toBeNull();
  });
});

describe('generateCurp', () => {
  it('reproduces the Instructivo example', () => {
    expect(
      generateCurp({
        primerApellido: 'Bello',
        segundoApellido: 'Mena',
        nombre: 'Luis Raúl',
        fechaNacimiento: { year: 1992, month: 3, day: 13 },
        sexo: 'H',
        estado: 'MC',
        diferenciador: '0',
      }),
    ).toBe('BEML920313HMCLNS09');
  });

  it('writes Ñ as X, skips MARÍA in a compound name and uses a letter from 2000', () => {
    const curp = generateCurp({
      primerApellido: 'Muñoz',
      segundoApellido: 'Peña',
      nombre: 'María José',
      fechaNacimiento: { year: 2004, month: 2, day: 29 },
      sexo: 'M',
      estado: 'CM',
    });
    expect(curp.slice(0, 16)).toBe('MUPJ040229MCMXXS');
    expect(curp[16]).toBe('A');
    expect(curpProblem(curp)).toBeNull();
  });

  it('skips particles, marks a missing second surname with X and masks inconvenient words', () => {
    const cruz = generateCurp({
      primerApellido: 'de la Cruz',
      segundoApellido: null,
      nombre: 'Inés',
      fechaNacimiento: { year: 1978, month: 11, day: 2 },
      sexo: 'M',
      estado: 'JC',
    });
    expect(cruz.slice(0, 4)).toBe('CUXI');
    expect(cruz.slice(13, 16)).toBe('RXN');
    const masked = generateCurp({
      primerApellido: 'Pérez',
      segundoApellido: 'Domínguez',
      nombre: 'Octavio',
      fechaNacimiento: { year: 1980, month: 1, day: 1 },
      sexo: 'H',
      estado: 'CM',
    });
    expect(masked.slice(0, 4)).toBe('PXDO');
    expect(curpProblem(masked)).toBeNull();
  });

  it('refuses a differentiator of the wrong century and an impossible date', () => {
    const base = { primerApellido: 'Ruiz', nombre: 'Ana', sexo: 'M' as const, estado: 'CM' };
    expect(() =>
      generateCurp({ ...base, fechaNacimiento: { year: 2001, month: 1, day: 1 }, diferenciador: '3' }),
    ).toThrow(/diferenciador/);
    expect(() => generateCurp({ ...base, fechaNacimiento: { year: 1999, month: 2, day: 29 } })).toThrow(/no existe/);
  });
});
