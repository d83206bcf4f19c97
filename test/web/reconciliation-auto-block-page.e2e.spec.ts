/**
 * /conciliacion with RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS = 30 (issue 14): «Conciliar con los catálogos» is followed
 * by the policy, through the product's case opener; the page says how many it accepted, marks those findings as
 * accepted by the policy (never a person's name) and counts them in the run. The page reconciles at its own time (the
 * clock of the request), so the findings are raised relative to it: 31 and 29 days before.
 */
import type { DataSource } from 'typeorm';
import { ConciliacionHallazgo } from '../../src/catalog/entities/conciliacion.entity';
import { reconcileCatalog } from '../../src/catalog/reconciliation';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { pageRequests } from '../admin/pages';
import { workerAccount, workerInBaja } from '../support/reconciliation-fixtures';
import { createStaff, login } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

jest.setTimeout(120_000);

const DAY = 86_400_000;

/** A worker in baja with an active Personal account, and the reconciliation that finds it `daysAgo` days ago. */
async function bajaFoundDaysAgo(ds: DataSource, n: number, daysAgo: number): Promise<void> {
  const curp = `CAHL90${String(n).padStart(4, '0')}HCMSRR05`;
  await workerInBaja(ds, curp);
  await workerAccount(ds, { localPart: `baja${n}`, tipo: 'personal', curp });
  await reconcileCatalog(ds, { origen: 'manual', now: new Date(Date.now() - daysAgo * DAY) });
}

describe('/conciliacion with the automatic blocking policy (30 days of baja)', () => {
  let t: TestApp & { base: string };
  let ds: DataSource;
  let tok = '';
  const pages = pageRequests(() => t);
  const row = (html: string, direccion: string): string =>
    new RegExp(`<tr id="h-[0-9a-f-]{36}" data-direccion="${direccion}">.*?</tr>`, 's').exec(html)?.[0] ?? '';

  beforeAll(async () => {
    t = await createWebApp({
      RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS: '30',
      RELAY_INTERVAL_MS: '60000',
      LOG_LEVEL: 'error',
    });
    ds = t.db.dataSource;
    await createStaff(ds, 'sistemas', 'subjefatura', { nombre: 'Jorge Alberto Mendoza Cruz' });
    tok = await login(t.app, 'sistemas');
    await bajaFoundDaysAgo(ds, 1, 31);
    await bajaFoundDaysAgo(ds, 2, 29);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('«Conciliar» accepts the 31-day baja by the policy, labelled and counted; the 29-day one waits for a person', async () => {
    const res = await pages.post('/conciliacion/conciliar', {}, tok);
    expect(res.status).toBe(200);
    expect(res.text).toContain(
      'La política de bloqueo automático (30 días de baja) aceptó 1 hallazgo y abrió su trámite de bloqueo.',
    );
    const accepted = await ds.getRepository(ConciliacionHallazgo).findOneByOrFail({ direccion: 'baja1@colima.gob.mx' });
    expect([accepted.estado, accepted.decididoPor]).toEqual([
      'aceptado',
      'política de bloqueo automático (30 días de baja)',
    ]);
    expect(await ds.getRepository(ProcedureCase).findOneByOrFail({ id: accepted.caseId! })).toMatchObject({
      procedureId: 'cuenta-bloquear',
      state: 'aprovisionamiento',
    });

    const page = (await pages.get('/conciliacion', tok)).text;
    const auto = row(page, 'baja1@colima.gob.mx');
    expect(auto).toContain('>Automático</span>');
    expect(auto).toContain('<small class="decidido">política de bloqueo automático (30 días de baja), ');
    expect(auto).toContain(`href="/tramites/${accepted.caseId}"`);
    const pending = row(page, 'baja2@colima.gob.mx');
    expect(pending).toContain('Pendiente');
    expect(pending).not.toContain('Automático');
    expect(pending).toContain('>Aceptar</button>');
    const runs = /<table class="tabla tarjetas" id="corridas">.*?<\/table>/s.exec(page)?.[0] ?? '';
    expect(runs).toContain('1 aceptado por la política de bloqueo automático');

    // Again: nothing more to accept, still one case.
    const again = await pages.post('/conciliacion/conciliar', {}, tok);
    expect(again.text).toContain('La política de bloqueo automático (30 días de baja) aceptó 0 hallazgos.');
    expect(await ds.getRepository(ProcedureCase).countBy({ procedureId: 'cuenta-bloquear' })).toBe(1);
  });
});
