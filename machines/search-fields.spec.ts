/** The search columns the engine copies from a case's context point at fields the context has. */
import { PROCEDURES } from './index';
import { initialContext } from './parts/setup';

describe('search fields', () => {
  const context = initialContext({ caseId: 'c' });

  it.each(PROCEDURES.map((p) => [`${p.id} v${p.version}`, p] as const))(
    '%s: every path starts at a field of the case context',
    (_name, def) => {
      const paths = Object.values(def.searchFields).flatMap((f) => [...f.paths, ...(f.fallback ?? [])]);
      expect(paths.length).toBeGreaterThan(0);
      expect(paths.filter((p) => !Object.hasOwn(context, p.split('.')[0]))).toEqual([]);
    },
  );

  it('fill the CURP column from the worker, the account requested and the new holder, in that order', () => {
    for (const def of PROCEDURES)
      expect(def.searchFields.curp.paths).toEqual(['identidad.curp', 'alta.curp', 'reasignacion.newCurp']);
  });
});
