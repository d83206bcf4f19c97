import {
  emailProblem,
  institutionalAddressProblem,
  isEmailAddress,
  isInstitutionalLocalPart,
  localPartProblem,
} from './email';

describe('localPartProblem', () => {
  it('accepts lowercase letters, digits, dots, hyphens and underscores', () => {
    for (const s of ['jperez', 'juan.perez', 'prim-benito_juarez', 'dpr0001z', 'a', 'x'.repeat(64)]) {
      expect(localPartProblem(s)).toBeNull();
      expect(isInstitutionalLocalPart(s)).toBe(true);
    }
  });

  it('rejects with a reason a person can act on', () => {
    expect(localPartProblem('')).toMatch(/vacío/);
    expect(localPartProblem('x'.repeat(65))).toMatch(/hasta 64.*tiene 65/);
    expect(localPartProblem('Juan.Perez')).toMatch(/minúsculas/);
    expect(localPartProblem('muñoz')).toMatch(/«ñ»; use «n»/);
    expect(localPartProblem('josé')).toMatch(/acentos.*«é»/);
    expect(localPartProblem('juan perez')).toMatch(/espacios/);
    expect(localPartProblem('juan+perez')).toMatch(/«\+»/);
    expect(localPartProblem('juan@colima.gob.mx')).toMatch(/sin «@»/);
    expect(localPartProblem('.juan')).toMatch(/empezar ni terminar con punto/);
    expect(localPartProblem('juan.')).toMatch(/empezar ni terminar con punto/);
    expect(localPartProblem('juan..perez')).toMatch(/dos puntos seguidos/);
  });

  it('checks the full address length when the domain is given', () => {
    const domain = ['d', 'e', 'f', 'g'].map((c) => c.repeat(60)).join('.') + '.mx';
    expect(localPartProblem('x'.repeat(64), domain)).toMatch(/254/);
    expect(localPartProblem('x'.repeat(64), 'colima.gob.mx')).toBeNull();
  });
});

describe('emailProblem', () => {
  it('accepts ordinary addresses', () => {
    for (const s of ['ana.lopez@gmail.com', 'j_p+colima@outlook.com', 'maestra-01@yahoo.com.mx', 'X@EXAMPLE.MX']) {
      expect(emailProblem(s)).toBeNull();
      expect(isEmailAddress(s)).toBe(true);
    }
  });

  it('rejects malformed ones with the reason', () => {
    expect(emailProblem('')).toMatch(/vacío/);
    expect(emailProblem('ana.lopez.gmail.com')).toMatch(/no tiene «@»/);
    expect(emailProblem('ana@lopez@gmail.com')).toMatch(/más de una/);
    expect(emailProblem('@gmail.com')).toMatch(/antes de la «@»/);
    expect(emailProblem('ana@')).toMatch(/no tiene dominio/);
    expect(emailProblem('ana@gmail')).toMatch(/dominio «gmail»/);
    expect(emailProblem('ana@gmail.c0m')).toMatch(/nivel superior/);
    expect(emailProblem('ana..lopez@gmail.com')).toMatch(/antes de la «@».*no es válida/);
    expect(emailProblem('ana lopez@gmail.com')).toMatch(/espacios/);
    expect(emailProblem('peña@gmail.com')).toMatch(/acentos o «ñ»/);
    expect(emailProblem('ana@-gmail.com')).toMatch(/dominio/);
  });

  it('recognizes an institutional address', () => {
    expect(institutionalAddressProblem('juan.perez@colima.gob.mx', 'colima.gob.mx')).toBeNull();
    expect(institutionalAddressProblem('juan.perez@gmail.com', 'colima.gob.mx')).toMatch(/@colima\.gob\.mx/);
    expect(institutionalAddressProblem('Juan.Perez@colima.gob.mx', 'colima.gob.mx')).toMatch(/minúsculas/);
  });
});
