import { cctProblem, isValidCct, normalizeCct } from './cct';

describe('cctProblem', () => {
  it('accepts Colima CCTs of every kind', () => {
    for (const cct of ['06DPR0001Z', '06EJN0123K', '06DST0005B', '06ETV0042C', '06PPR0310M', '32DPR1234A']) {
      expect(cctProblem(cct)).toBeNull();
      expect(isValidCct(cct)).toBe(true);
    }
  });

  it('names what is wrong', () => {
    expect(cctProblem('')).toBe('La CCT está vacía.');
    expect(cctProblem('06DPR001Z')).toBe('La CCT debe tener 10 caracteres y tiene 9.');
    expect(cctProblem('06dpr0001z')).toMatch(/mayúsculas/);
    expect(cctProblem('0ADPR0001Z')).toMatch(/1 y 2.*dígitos/);
    expect(cctProblem('00DPR0001Z')).toMatch(/«00».*01 a 32/);
    expect(cctProblem('33DPR0001Z')).toMatch(/«33»/);
    expect(cctProblem('06DP10001Z')).toMatch(/3 a 5.*«DP1»/);
    expect(cctProblem('06DPR00A1Z')).toMatch(/6 a 9.*«00A1»/);
    expect(cctProblem('06DPR00011')).toMatch(/carácter 10.*letra.*«1»/);
    expect(isValidCct(42)).toBe(false);
  });

  it('refuses a CCT of another state when given the state code (CCT_STATE_CODE), and only then', () => {
    // The default installation (Colima, 06) refuses a Nayarit CCT; one configured with CCT_STATE_CODE=18 takes it.
    expect(cctProblem('18DPR0001Z', '06')).toBe(
      'La CCT 18DPR0001Z es de otra entidad federativa («18»): las de este sistema empiezan con 06.',
    );
    expect(cctProblem('18DPR0001Z', '18')).toBeNull();
    expect(cctProblem('06DPR0001Z', '18')).toMatch(/otra entidad federativa \(«06»\).*empiezan con 18/);
    expect(cctProblem('06DPR0001Z', '06')).toBeNull();
    // A malformed one is still told what is wrong with its shape first.
    expect(cctProblem('18DPR001Z', '06')).toMatch(/10 caracteres/);
  });

  it('normalizes', () => {
    expect(normalizeCct(' 06dpr0001z ')).toBe('06DPR0001Z');
  });
});
