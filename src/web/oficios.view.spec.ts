import { recentMonths } from './oficios.view';

describe("recentMonths (the register's «Recibidos» links)", () => {
  it('counts months in Colima and names the year only when it is not the current one', () => {
    // 2027-01-01 03:00 UTC is still 31 December 2026 in Colima.
    expect(recentMonths(new Date('2027-01-01T03:00:00Z'), '2026-11')).toEqual([
      { mes: '2026-12', etiqueta: 'este mes', actual: false },
      { mes: '2026-11', etiqueta: 'el mes pasado (noviembre)', actual: true },
      { mes: '2026-10', etiqueta: 'octubre', actual: false },
      { mes: '2026-09', etiqueta: 'septiembre', actual: false },
    ]);
    expect(recentMonths(new Date('2027-02-10T18:00:00Z')).map((m) => [m.mes, m.etiqueta])).toEqual([
      ['2027-02', 'este mes'],
      ['2027-01', 'el mes pasado (enero)'],
      ['2026-12', 'diciembre de 2026'],
      ['2026-11', 'noviembre de 2026'],
    ]);
  });
});
