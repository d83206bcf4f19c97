import type { ProcedureCase } from './entities/case.entity';
import { changedColumns } from './engine.service';

/** The case UPDATE of a transition names only the tracked columns that changed (every named column rewrites its indexes). */
describe('changedColumns', () => {
  const base = {
    state: 'turno',
    status: 'activo',
    outcome: null,
    folio: 'MCI-2026-000001',
    nivelClave: 'PRIMARIA',
    cct: null,
    curp: null,
    cuentaId: null,
    closedAt: null,
    incidentMessage: null,
  } as const;

  it('is empty when nothing tracked changed, a date included when only its object is new', () => {
    const closed = new Date('2026-12-01T18:00:00.000Z');
    const before = { ...base, closedAt: closed };
    const row = { ...before, closedAt: new Date(closed.getTime()) } as unknown as ProcedureCase;
    expect(changedColumns(before, row)).toEqual({});
  });

  it('names each changed column with its new value, null and dates included', () => {
    const at = new Date('2026-12-02T10:00:00.000Z');
    const row = {
      ...base,
      state: 'concluido',
      status: 'concluido',
      outcome: 'creada',
      folio: null,
      curp: 'GOMA800101HCMRRN09',
      closedAt: at,
    } as unknown as ProcedureCase;
    expect(changedColumns(base, row)).toEqual({
      state: 'concluido',
      status: 'concluido',
      outcome: 'creada',
      folio: null,
      curp: 'GOMA800101HCMRRN09',
      closedAt: at,
    });
  });
});
