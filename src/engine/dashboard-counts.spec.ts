import { caseCounts, countChanges, periodKeys } from './dashboard-counts';

describe('periodKeys', () => {
  it('reads whole months as months and the days at the edges as days, each range within one month', () => {
    expect(periodKeys('2025-12-05', '2026-12-04')).toEqual({
      months: [
        '2026-01',
        '2026-02',
        '2026-03',
        '2026-04',
        '2026-05',
        '2026-06',
        '2026-07',
        '2026-08',
        '2026-09',
        '2026-10',
        '2026-11',
      ],
      days: [
        ['2025-12-05', '2025-12-31'],
        ['2026-12-01', '2026-12-04'],
      ],
    });
    expect(periodKeys('2028-02-01', '2028-02-29')).toEqual({ months: ['2028-02'], days: [] });
    expect(periodKeys('2026-02-01', '2026-02-27')).toEqual({ months: [], days: [['2026-02-01', '2026-02-27']] });
    expect(periodKeys('2026-04-30', '2026-05-01')).toEqual({
      months: [],
      days: [
        ['2026-04-30', '2026-04-30'],
        ['2026-05-01', '2026-05-01'],
      ],
    });
  });
});

describe('caseCounts and countChanges', () => {
  const received = new Date('2026-04-01T03:00:00Z'); // 31 March, 21:00 in Colima
  const base = {
    procedureId: 'cuenta-bloquear',
    state: 'busqueda',
    status: 'activo' as const,
    nivelClave: 'PRIMARIA',
    createdAt: received,
    closedAt: null,
    businessDays: null,
  };

  it('counts a case under its local day and month, its Nivel and all of them, and its open step', () => {
    expect(caseCounts(base).map((k) => [k.kind, k.dia, k.nivel, k.a, k.b, k.c].join('|'))).toEqual([
      'recibido|2026-03-31|PRIMARIA|||activo',
      'recibido|2026-03-31|*|||activo',
      'recibido|2026-03|PRIMARIA|||activo',
      'recibido|2026-03|*|||activo',
      'caso||PRIMARIA|cuenta-bloquear|busqueda|activo',
    ]);
  });

  it('moves a concluding case out of its step and into the day it concluded, nothing else', () => {
    const done = {
      ...base,
      state: 'concluido',
      status: 'concluido' as const,
      closedAt: new Date('2026-04-02T18:00:00Z'),
      businessDays: 2,
    };
    const changes = countChanges(caseCounts(base), caseCounts(done)).map(
      (d) => `${d.n > 0 ? '+' : '-'}${[d.kind, d.dia, d.nivel, d.a, d.c].join('|')}`,
    );
    expect(changes).toEqual([
      '-recibido|2026-03-31|PRIMARIA||activo',
      '-recibido|2026-03-31|*||activo',
      '-recibido|2026-03|PRIMARIA||activo',
      '-recibido|2026-03|*||activo',
      '-caso||PRIMARIA|cuenta-bloquear|activo',
      '+recibido|2026-03-31|PRIMARIA||concluido',
      '+recibido|2026-03-31|*||concluido',
      '+recibido|2026-03|PRIMARIA||concluido',
      '+recibido|2026-03|*||concluido',
      '+resuelto|2026-04-02|PRIMARIA|cuenta-bloquear|2',
      '+resuelto|2026-04-02|*|cuenta-bloquear|2',
      '+resuelto|2026-04|PRIMARIA|cuenta-bloquear|2',
      '+resuelto|2026-04|*|cuenta-bloquear|2',
    ]);
    expect(countChanges(caseCounts(done), caseCounts(done))).toEqual([]);
  });
});
