import { PROCEDURES } from '../../machines';
import type { EngineService } from '../engine/engine.service';
import { type EngineProcedure, ProcedureRegistry } from '../engine/procedure-registry';
import { ProcedureLabels } from './procedure-labels';

describe('ProcedureLabels.procedures (the procedure filter of the inbox and the register)', () => {
  const catalog = PROCEDURES as unknown as EngineProcedure[];
  const labels = new ProcedureLabels({ registry: new ProcedureRegistry(catalog) } as unknown as EngineService);
  // "5.2.2 y 5.2.3 — …" → [5, 2, 2]
  const sectionOf = (label: string): number[] => (/^\d+(\.\d+)*/.exec(label)?.[0] ?? '').split('.').map(Number);

  it('lists each procedure once, in the order of the sections of the guide', () => {
    const all = labels.procedures();
    expect(new Set(all.map((p) => p.value))).toEqual(new Set(catalog.map((d) => d.id)));
    expect(all).toHaveLength(new Set(catalog.map((d) => d.id)).size);
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [sectionOf(all[i - 1].label), sectionOf(all[i].label)];
      const first = a.findIndex((n, k) => n !== b[k]);
      expect(first === -1 || a[first] === undefined || a[first] < b[first]).toBe(true);
    }
  });

  it('keeps that order for a subset, and hands out lists a page may change without changing the next one', () => {
    const all = structuredClone(labels.procedures());
    const some = [all[2].value, all[0].value];
    expect(labels.procedures(some).map((p) => p.value)).toEqual([all[0].value, all[2].value]);
    const first = labels.procedures();
    first[0].label = 'cambiada';
    first.reverse();
    expect(labels.procedures()).toEqual(all);
  });
});

describe('ProcedureLabels.dataLabel (the movement log of a case opened by reconciliation, issue 14)', () => {
  const labels = new ProcedureLabels({
    registry: new ProcedureRegistry(PROCEDURES),
  } as unknown as EngineService);

  it('names the data of its start and of CONCILIAR in Spanish, never by an internal key', () => {
    for (const procedure of ['cuenta-bloquear', 'cuenta-reasignar']) {
      const inicio = ['origen', 'hallazgoId', 'hallazgo', 'direccion', 'importacionAt'].map(
        (k) => labels.dataLabel(procedure, 3, 'INICIAR', k).label,
      );
      expect(inicio).toEqual([
        'Origen',
        'Hallazgo de la conciliación',
        'Hallazgo',
        'Cuenta',
        'Fecha de la importación',
      ]);
      const conciliar = ['cuentaId', 'hallazgoId', 'importacionAt'].map(
        (k) => labels.dataLabel(procedure, 3, 'CONCILIAR', k).label,
      );
      expect(conciliar).toEqual(['Cuenta', 'Hallazgo de la conciliación', 'Fecha de la importación']);
      expect(labels.eventLabel(procedure, 3, 'CONCILIAR')).toMatch(/por conciliación$/);
    }
    // Opened by the automatic blocking policy: which one, and since when the baja counts.
    expect(['aceptadoPor', 'bajaDesde'].map((k) => labels.dataLabel('cuenta-bloquear', 3, 'INICIAR', k).label)).toEqual(
      ['Aceptado por', 'Baja detectada desde'],
    );
  });
});
