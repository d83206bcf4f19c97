/**
 * Issue 14: «Nothing is blocked without a person accepting it. A policy setting may allow automatic blocking after N
 * days of baja.» RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS = 30: after each catalog reconciliation (on demand and after a
 * full import), the Personal accounts of workers in baja for at least 30 days are accepted by the policy and their
 * 5.5 case opened with the product's opener; everything else waits for a person. Local directory, real provisioning.
 */
import type { DataSource, FindOptionsWhere } from 'typeorm';
import {
  ConciliacionCorrida,
  ConciliacionHallazgo,
  type TipoHallazgo,
} from '../../src/catalog/entities/conciliacion.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import type { TrabajadorRecord } from '../../src/catalog/import/catalog-rows';
import { importCatalog, ImportService } from '../../src/catalog/import/import.service';
import {
  type AutoBlockPolicy,
  reconcileCatalog,
  ReconciliationReview,
  type ReconcileResult,
} from '../../src/catalog/reconciliation';
import { ReconciliationCaseOpener } from '../../src/catalog/reconciliation/case-opener';
import { catalogTable, toCsv } from '../../src/catalog/seed/catalog-csv';
import { type DemoCatalog, generateDemoCatalog } from '../../src/catalog/seed/demo-data';
import { CaseRecords } from '../../src/engine/case-records';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import { buildPipeline } from '../support/pipeline';
import { provisionedAccount } from '../support/reconciliation-fixtures';
import { createTestDb, type TestDb } from '../support/test-db';

jest.setTimeout(120_000);

const DAY = 86_400_000;
const T0 = new Date('2026-03-02T16:00:00.000Z');
const at = (days: number, hours = 0): Date => new Date(T0.getTime() + days * DAY + hours * 3_600_000);
const POLICY = 'política de bloqueo automático (30 días de baja)';

describe('automatic blocking policy after N days of baja (issue 14)', () => {
  let db: TestDb;
  let ds: DataSource;
  let pipeline: ReturnType<typeof buildPipeline>;
  let policy: AutoBlockPolicy;
  let opener: ReconciliationCaseOpener;
  let demo: DemoCatalog;
  let workers: TrabajadorRecord[];
  const cuentas: Record<'a' | 'b' | 'c' | 'd' | 's', Cuenta> = {} as never;

  /** The workers' export with those of `bajas` (by index) in baja. */
  const workersCsv = (bajas: readonly number[]): Buffer => {
    const t = catalogTable('trabajadores', {
      ...demo,
      trabajadores: workers.map((w, i) => ({ ...w, activo: !bajas.includes(i) })),
    });
    return toCsv(t.header, t.rows);
  };
  const provisioned = (localPart: string, tipo: 'personal' | 'servicio', curp: string): Promise<Cuenta> =>
    provisionedAccount(ds, pipeline.directory, localPart, tipo, curp);
  const finding = async (c: Cuenta, tipo: TipoHallazgo = 'personal_baja') =>
    ds.getRepository(ConciliacionHallazgo).findOneByOrFail({ cuentaId: c.id, tipo, vigente: true });
  const blockCases = (where: FindOptionsWhere<ProcedureCase> = {}) =>
    ds.getRepository(ProcedureCase).find({ where: { procedureId: 'cuenta-bloquear', ...where } });
  const automaticos = async (r: ReconcileResult) =>
    (await ds.getRepository(ConciliacionCorrida).findOneByOrFail({ id: r.corridaId })).automaticos;

  beforeAll(async () => {
    db = await createTestDb();
    ds = db.dataSource;
    pipeline = buildPipeline(db);
    await pipeline.engine.syncCatalog(T0);
    opener = new ReconciliationCaseOpener(pipeline.engine, new CaseRecords(ds, pipeline.engine));
    policy = { dias: 30, open: opener.open };
    demo = generateDemoCatalog({ seed: 1414, centros: 4, trabajadores: 40 });
    workers = demo.trabajadores.filter((w) => w.activo).slice(0, 12);
    const centros = catalogTable('centros', demo);
    await importCatalog(ds, { kind: 'centros', content: toCsv(centros.header, centros.rows), now: T0 });
    await importCatalog(ds, { kind: 'trabajadores', content: workersCsv([]), now: T0 });
    cuentas.a = await provisioned('baja.treinta.y.uno', 'personal', workers[0].curp);
    cuentas.b = await provisioned('baja.veintinueve', 'personal', workers[1].curp);
    // Not in Capital Humano at all: never blocked by the policy, however long it waits.
    cuentas.c = await provisioned('sin.catalogo', 'personal', 'XEXX010101HNEXXXA4');
    cuentas.d = await provisioned('baja.rechazada', 'personal', workers[2].curp);
    cuentas.s = await provisioned('servicio.responsable', 'servicio', workers[3].curp);

    // Day 1: workers 0, 2 and 3 leave (the policy is not there yet); worker 1 leaves on day 3.
    const day1 = await importCatalog(ds, { kind: 'trabajadores', content: workersCsv([0, 2, 3]), now: at(1) });
    expect(day1.conciliacion).toMatchObject({
      porTipo: { personal_baja: 2, personal_sin_catalogo: 1, responsable_baja: 1 },
    });
    expect(day1.conciliacion).not.toHaveProperty('politica');
    const d = await finding(cuentas.d);
    await new ReconciliationReview(ds).reject([d.id], 'Licencia sin goce: regresa en seis meses.', 'usr-sub', at(2));
    const day3 = await importCatalog(ds, { kind: 'trabajadores', content: workersCsv([0, 1, 2, 3]), now: at(3) });
    expect(day3.conciliacion).toMatchObject({ nuevos: 1, porTipo: { personal_baja: 3 } });
  });
  afterAll(async () => {
    await pipeline?.close();
    await db?.close();
  });

  it('off (the default): 31 days of baja later, nothing is accepted and no case is opened', async () => {
    const r = await reconcileCatalog(ds, { origen: 'manual', now: at(32) });
    expect(r.politica).toBeUndefined();
    expect(await automaticos(r)).toBe(0);
    expect((await finding(cuentas.a)).estado).toBe('pendiente');
    expect(await blockCases()).toEqual([]);
  });

  it('N = 30: 31 days of baja opens the 5.5 case, accepted by the policy; 29 days stays pending for a person', async () => {
    const r = await reconcileCatalog(ds, { origen: 'manual', now: at(32), autoBlock: policy });
    expect(r.politica).toEqual({ dias: 30, aceptados: 1, fallidos: [] });
    expect(await automaticos(r)).toBe(1);

    const a = await finding(cuentas.a);
    expect([a.estado, a.decididoPor, a.decididoAt?.toISOString()]).toEqual(['aceptado', POLICY, at(32).toISOString()]);
    const [opened] = await blockCases();
    expect(opened).toMatchObject({
      id: a.caseId,
      procedureVersion: 3,
      state: 'aprovisionamiento',
      startedBy: 'política de bloqueo automático',
    });
    // The case's record names the policy, with the finding, the import and since when the baja counts.
    const movements = await ds
      .getRepository(Movement)
      .find({ where: { caseId: a.caseId! }, order: { caseSeq: 'ASC' } });
    expect(movements.slice(0, 2).map((m) => [m.eventType, m.actorId, m.actorRole])).toEqual([
      ['INICIAR', 'política de bloqueo automático', 'subjefatura'],
      ['CONCILIAR', 'política de bloqueo automático', 'subjefatura'],
    ]);
    expect(JSON.parse(movements[0].data)).toMatchObject({
      origen: 'Conciliación con los catálogos',
      hallazgoId: a.id,
      hallazgo: 'Cuenta personal de un trabajador dado de baja',
      direccion: cuentas.a.direccion,
      importacionAt: at(1).toISOString(),
      aceptadoPor: POLICY,
      bajaDesde: at(1).toISOString(),
    });

    // 29 days: waits for a person. Missing from the catalog, a rejected one and a Servicio account: never the policy's.
    expect((await finding(cuentas.b)).estado).toBe('pendiente');
    expect((await finding(cuentas.c, 'personal_sin_catalogo')).estado).toBe('pendiente');
    expect((await finding(cuentas.d)).estado).toBe('rechazado');
    expect((await finding(cuentas.s, 'responsable_baja')).estado).toBe('pendiente');
  });

  it('run twice, one case: the second run accepts nothing', async () => {
    const r = await reconcileCatalog(ds, { origen: 'manual', now: at(32, 1), autoBlock: policy });
    expect(r.politica).toEqual({ dias: 30, aceptados: 0, fallidos: [] });
    expect(await automaticos(r)).toBe(0);
    const a = await finding(cuentas.a);
    const cases = await blockCases();
    expect(cases.map((c) => c.id)).toEqual([a.caseId]);

    // A second finding of the same account while its case is under way (the first one closed meanwhile, the second
    // already old enough): the opener's one-block-at-a-time check refuses it, it waits for a person, one case.
    await ds.getRepository(ConciliacionHallazgo).update(a.id, { vigente: null, cerradoAt: at(32, 1) });
    await reconcileCatalog(ds, { origen: 'manual', now: at(32, 2) });
    const second = await finding(cuentas.a);
    expect(second.id).not.toBe(a.id);
    await ds.getRepository(ConciliacionHallazgo).update(second.id, { detectadoAt: at(1) });
    const third = await reconcileCatalog(ds, { origen: 'manual', now: at(32, 3), autoBlock: policy });
    expect(third.politica).toEqual({
      dias: 30,
      aceptados: 0,
      fallidos: [
        {
          hallazgoId: second.id,
          direccion: cuentas.a.direccion,
          mensaje: expect.stringContaining('ya tiene un trámite de bloqueo o reasignación en curso'),
        },
      ],
    });
    expect((await finding(cuentas.a)).estado).toBe('pendiente');
    expect(await blockCases()).toHaveLength(1);
    // The Subjefatura sees it is already being blocked and rejects it.
    await new ReconciliationReview(ds).reject(
      [second.id],
      'Ya se está bloqueando por el hallazgo anterior.',
      'usr-sub',
      at(32, 4),
    );
  });

  it('after a full import, the 30th day of the later baja: its case opens too, counted in the import summary', async () => {
    // The import as the administrators' page runs it: the provider reads the setting and takes the product's opener.
    const imports = new ImportService(ds, { reconciliationAutoBlockDays: 30 }, opener);
    const imported = await imports.import({ kind: 'trabajadores', content: workersCsv([0, 1, 2, 3]), now: at(33) });
    expect(imported.conciliacion).toMatchObject({ politica: { dias: 30, aceptados: 1, fallidos: [] } });
    const b = await finding(cuentas.b);
    expect([b.estado, b.decididoPor]).toEqual(['aceptado', POLICY]);
    expect(await blockCases()).toHaveLength(2);
    expect((await finding(cuentas.c, 'personal_sin_catalogo')).estado).toBe('pendiente');
  });

  it('the cases end blocked in the directory; the accounts a person did not accept stay active', async () => {
    await pipeline.drain();
    const cases = await blockCases();
    expect(cases.map((c) => [c.state, c.status, c.outcome])).toEqual(
      Array(2).fill(['bloqueada', 'concluido', 'bloqueada']),
    );
    for (const c of [cuentas.a, cuentas.b]) {
      expect((await ds.getRepository(Cuenta).findOneByOrFail({ id: c.id })).estado).toBe('bloqueada');
      expect((await pipeline.directory.lookup(c.direccion))?.suspended).toBe(true);
    }
    for (const c of [cuentas.c, cuentas.d, cuentas.s]) {
      expect((await ds.getRepository(Cuenta).findOneByOrFail({ id: c.id })).estado).toBe('activa');
      expect((await pipeline.directory.lookup(c.direccion))?.suspended).toBe(false);
    }
    // Blocked, the accounts no longer hold a finding: the next run closes nothing of theirs twice, opens nothing.
    const r = await reconcileCatalog(ds, { origen: 'manual', now: at(40), autoBlock: policy });
    expect(r.politica?.aceptados).toBe(0);
    expect(await blockCases()).toHaveLength(2);
  });
});
