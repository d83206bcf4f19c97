import { DomainError } from '../../common/domain-error';
import { checkRetirement, RETIREMENT_CONFIRM_PERCENT } from './import.service';

describe('checkRetirement', () => {
  const plan = (retiring: number, active: number) => ({
    active,
    keys: Array.from({ length: retiring }, (_, i) => `K${i}`),
  });
  const refusal = (fn: () => void): DomainError => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      return e as DomainError;
    }
    throw new Error('no se rechazó');
  };

  it('lets through up to the threshold, an empty catalog, and anything confirmed', () => {
    expect(RETIREMENT_CONFIRM_PERCENT).toBe(10);
    expect(() => checkRetirement('trabajadores', plan(300, 3000), false)).not.toThrow();
    expect(() => checkRetirement('centros', plan(0, 0), false)).not.toThrow();
    expect(() => checkRetirement('trabajadores', plan(2950, 3000), true)).not.toThrow();
  });

  it('refuses more than the threshold with the numbers as people here write them', () => {
    const e = refusal(() => checkRetirement('trabajadores', plan(2950, 3000), false));
    expect(e).toMatchObject({
      code: 'IMPORTACION_DESACTIVACION_MASIVA',
      status: 409,
      details: { retiring: 2950, active: 3000 },
    });
    expect(e.message).toMatch(
      /^La importación completa dejaría inactivos 2,950 de 3,000 trabajadores activos \(98 %\)/,
    );
    expect(e.message).toMatch(/npm run import -- trabajadores ARCHIVO\.csv --confirmar/);
    // Just over: one decimal, so the percentage shown is over the threshold too.
    expect(refusal(() => checkRetirement('centros', plan(301, 3000), false)).message).toMatch(
      /301 de 3,000 centros de trabajo activos \(10\.1 %\)/,
    );
  });
});
