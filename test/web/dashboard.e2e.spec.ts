/**
 * The dashboard (/tablero) and the printable case history (/tramites/:id/historial).
 *
 * The dashboard's numbers come from case and task rows written here with known instants: cases received and
 * concluded in April 2031 (a month with no art. 74 holiday, so the business days do not depend on which years the
 * calendar was seeded for), open tasks due relative to the real clock (overdue, "falta poco", later). Every SQL
 * statement the dashboard runs is captured and its SQLite plan read: none reads the movement table, and the case and
 * task tables are read through an index.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource, type Logger } from 'typeorm';
import { localDate } from '../../src/engine/business-calendar';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { EngineService } from '../../src/engine/engine.service';
import { Task } from '../../src/engine/entities/task.entity';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { DashboardService } from '../../src/engine/dashboard.service';
import { addNiveles, postOficio, scannedOficio, settle } from '../oficios/support';
import { pageRequests } from '../admin/pages';
import { createStaff, login } from '../support/staff';
import { TEST_DIALECT } from '../support/test-db';
import { backfillDashboardCounts } from '../../src/database/migrations/backfill-dashboard-counts';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

const PERIOD = 'desde=2031-04-01&hasta=2031-04-30';
/** 10:00 in Colima on a day of April 2031. */
const at = (day: number, hour = 10): Date => new Date(Date.UTC(2031, 3, day, hour + 6));

describe('dashboard and printable case history', () => {
  let t: TestApp & { base: string };
  const tok: Record<string, string> = {};
  const ds = () => t.db.dataSource;
  const pages = pageRequests(() => t);
  const get = (path: string, who?: string) => pages.get(path, who && tok[who]);
  const cell = (html: string, id: string): string =>
    new RegExp(`id="${id}">([^<]*)<`).exec(html)?.[1] ?? `(no hay #${id})`;
  /** The data row of a table whose first cell is `first`, as its cells' text. */
  const rowOf = (html: string, section: string, first: string): string[] => {
    const part = new RegExp(`<section class="tarjeta" id="${section}">.*?</section>`, 's').exec(html)?.[0] ?? '';
    const row = [...part.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)]
      .map((m) => [...m[1].matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => c[1].replace(/<[^>]+>/g, '').trim()))
      .find((cells) => cells[0] === first);
    return row ?? [];
  };

  const titleOf = (id: string): string => t.app.get(EngineService).registry.versions(id).at(-1)!.title;
  const addCase = async (c: Partial<ProcedureCase> & Pick<ProcedureCase, 'procedureId' | 'state' | 'status'>) => {
    const id = randomUUID();
    await ds()
      .getRepository(ProcedureCase)
      .insert({
        id,
        procedureVersion: 1,
        folio: null,
        snapshot: '{}',
        version: 1,
        movementCount: 1,
        lastMovementHash: '0'.repeat(64),
        nivelClave: null,
        cct: null,
        curp: null,
        cuentaId: null,
        responsableId: null,
        outcome: null,
        incidentMessage: null,
        startedBy: 'prueba',
        closedAt: null,
        ...c,
      });
    // createdAt is the database's on insert: set the instant the test needs afterwards.
    if (c.createdAt)
      await ds()
        .getRepository(ProcedureCase)
        .update({ id }, { createdAt: c.createdAt, closedAt: c.closedAt ?? null });
    return id;
  };
  const addTask = async (t0: Partial<Task> & Pick<Task, 'candidateRole' | 'dueAt' | 'warnAt'>) => {
    await ds()
      .getRepository(Task)
      .insert({
        id: randomUUID(),
        caseId: randomUUID(),
        procedureId: 'cuenta-bloquear',
        stateId: 'cuenta-bloquear.busqueda',
        title: 'Buscar la cuenta a bloquear',
        nivelClave: null,
        cct: null,
        curp: null,
        folio: null,
        assigneeId: null,
        responsableId: null,
        status: 'abierta',
        priority: 2,
        createdAt: new Date(Date.now() - 5 * 86400_000),
        remindedAt: null,
        escalatedAt: null,
        closedAt: null,
        closedBy: null,
        ...t0,
      });
  };

  beforeAll(async () => {
    t = await createWebApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    await createStaff(ds(), 'admin', 'administrador');
    await createStaff(ds(), 'oficialia', 'subdireccion');
    await createStaff(ds(), 'sistemas', 'subjefatura');
    await createStaff(ds(), 'primaria', 'nivel', { nivelClave: 'PRIMARIA' });
    await createStaff(ds(), 'secundaria', 'nivel', { nivelClave: 'SECUNDARIA' });
    await createStaff(ds(), 'becas', 'responsable');
    for (const u of ['admin', 'oficialia', 'sistemas', 'primaria', 'secundaria', 'becas'])
      tok[u] = await login(t.app, u);

    // Concluded in April 2031, received Monday 7 April: 0, 1, 2, 5 and 17 business days (PRIMARIA), 3 (SECUNDARIA).
    for (const [day, nivel] of [
      [7, 'PRIMARIA'],
      [8, 'PRIMARIA'],
      [9, 'PRIMARIA'],
      [14, 'PRIMARIA'],
      [30, 'PRIMARIA'],
      [10, 'SECUNDARIA'],
    ] as const)
      await addCase({
        procedureId: 'cuenta-bloquear',
        state: 'concluido',
        status: 'concluido',
        outcome: 'bloqueada',
        nivelClave: nivel,
        createdAt: at(7),
        closedAt: at(day, 17),
      });
    // Concluded in March: outside the period.
    await addCase({
      procedureId: 'cuenta-bloquear',
      state: 'concluido',
      status: 'concluido',
      nivelClave: 'PRIMARIA',
      createdAt: new Date(Date.UTC(2031, 2, 3, 16)),
      closedAt: new Date(Date.UTC(2031, 2, 14, 16)),
    });
    // Open now, received in April.
    for (const nivel of ['PRIMARIA', 'PRIMARIA'])
      await addCase({
        procedureId: 'centro-trabajo-alta',
        state: 'creacion',
        status: 'activo',
        nivelClave: nivel,
        createdAt: at(21),
      });
    await addCase({
      procedureId: 'centro-trabajo-alta',
      state: 'recepcion',
      status: 'activo',
      nivelClave: 'SECUNDARIA',
      createdAt: at(22),
    });
    await addCase({
      procedureId: 'centro-trabajo-alta',
      state: 'incidente',
      status: 'incidente',
      nivelClave: 'PRIMARIA',
      folio: 'SSST-2031-000099',
      incidentMessage: 'El directorio no respondió al crear la cuenta.',
      createdAt: at(23),
    });
    const now = Date.now();
    const h = 3600_000;
    await addTask({
      candidateRole: 'subjefatura',
      nivelClave: 'PRIMARIA',
      dueAt: new Date(now - 48 * h),
      warnAt: new Date(now - 72 * h),
      folio: 'SSST-2031-000042',
    });
    await addTask({
      candidateRole: 'subjefatura',
      nivelClave: 'PRIMARIA',
      dueAt: new Date(now + 24 * h),
      warnAt: new Date(now - h),
    });
    await addTask({
      candidateRole: 'subdireccion',
      nivelClave: 'SECUNDARIA',
      dueAt: new Date(now + 120 * h),
      warnAt: new Date(now + 96 * h),
    });
    await addTask({
      candidateRole: 'subdireccion',
      status: 'cerrada',
      dueAt: new Date(now - 96 * h),
      warnAt: new Date(now - 120 * h),
    });
    // Rows written by hand, not by transitions: the dashboard's counters are built from them as the migration builds
    // them from the rows of before (test/engine/dashboard-counts.db.spec.ts: transitions keep them in step).
    const runner = ds().createQueryRunner();
    await backfillDashboardCounts(runner, TEST_DIALECT).finally(() => runner.release());
  }, 60_000);
  afterAll(async () => t?.close());

  it('is for the Subdirección, the Subjefatura and administrators: a Nivel or a responsable gets 403', async () => {
    for (const who of ['admin', 'oficialia', 'sistemas']) {
      const res = await get(`/tablero?${PERIOD}`, who);
      expect([who, res.status]).toEqual([who, 200]);
      expect(res.text).toContain('href="/tablero" aria-current="page"');
    }
    for (const who of ['primaria', 'becas']) {
      expect([who, (await get('/tablero', who)).status]).toEqual([who, 403]);
      expect([who, (await get('/tablero/csv', who)).status]).toEqual([who, 403]);
      expect((await get('/bandeja', who)).text).not.toContain('href="/tablero"');
    }
    const anon = await get('/tablero');
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toMatch(/^\/personal\/entrar/);
  });

  it('counts open cases per procedure and step, overdue and "falta poco" tasks, cases per Nivel and incidents', async () => {
    const html = (await get(`/tablero?${PERIOD}`, 'sistemas')).text;
    expect(cell(html, 'total-abiertos')).toBe('4');
    expect(cell(html, 'total-vencidas')).toBe('1');
    expect(cell(html, 'total-falta-poco')).toBe('1');
    expect(cell(html, 'total-incidentes')).toBe('1');
    const alta = titleOf('centro-trabajo-alta');
    expect(html).toContain(alta);
    expect(rowOf(html, 'abiertos', alta).slice(1)).toEqual(
      expect.arrayContaining(['Crear la cuenta del centro de trabajo']),
    );
    const abiertos = /<section class="tarjeta" id="abiertos">.*?<\/section>/s.exec(html)![0];
    expect(abiertos).toMatch(
      /Crear la cuenta del centro de trabajo<\/td><td data-etiqueta="En curso" class="num">2<\/td><td data-etiqueta="Con incidente" class="num">0</,
    );
    expect(abiertos).toMatch(
      /Recibir oficio y emitir acuse de recibo<\/td><td data-etiqueta="En curso" class="num">1</,
    );
    expect(abiertos).toMatch(
      /Atender incidente del servicio<\/td><td data-etiqueta="En curso" class="num">0<\/td><td data-etiqueta="Con incidente" class="num">1</,
    );
    expect(rowOf(html, 'tareas', 'Subjefatura de Sistemas')).toEqual(['Subjefatura de Sistemas', '2', '1', '1']);
    expect(rowOf(html, 'tareas', 'Subdirección de Sistemas y Servicios Telemáticos').slice(1)).toEqual(['1', '0', '0']);
    expect(html).toContain('SSST-2031-000042');
    expect(rowOf(html, 'por-nivel', 'Primaria')).toEqual(['Primaria', '8', '3', '5']);
    expect(rowOf(html, 'por-nivel', 'Secundaria')).toEqual(['Secundaria', '2', '1', '1']);
    expect(html).toContain('El directorio no respondió al crear la cuenta.');
    // Four charts, drawn on the server for a screen and for a phone, each with its accessible title.
    expect(html.match(/<svg [^>]*class="grafica ancha"/g)).toHaveLength(4);
    expect(html.match(/<svg [^>]*class="grafica angosta"/g)).toHaveLength(4);
    expect(html).toContain('<title id="grafica-resolucion-titulo">');
    expect(html).toContain('<title id="grafica-resolucion-angosta-titulo">');
  });

  it('gives the median and p90 of the time to resolve against the service level, and filters by Nivel', async () => {
    const bloqueo = (html: string): string[] => {
      const part = /<section class="tarjeta" id="resolucion">.*?<\/section>/s.exec(html)![0];
      return rowOf(part, 'resolucion', titleOf('cuenta-bloquear'));
    };
    const svc = t.app.get(DashboardService);
    // cuenta-bloquear: 1+1+1+2+1+1+1+3 business days of steps that wait for a person (the incident's step aside).
    expect(svc.serviceLevel('cuenta-bloquear')).toBe(11);
    // All niveles: 0, 1, 2, 3, 5, 17 → median 2.5, p90 (nearest rank) 17; five of six within 11 days.
    expect(bloqueo((await get(`/tablero?${PERIOD}`, 'admin')).text)).toEqual([
      titleOf('cuenta-bloquear'),
      '6',
      '2.5',
      '17',
      '11',
      '83 %',
    ]);
    // PRIMARIA only: 0, 1, 2, 5, 17.
    const primaria = (await get(`/tablero?${PERIOD}&nivel=PRIMARIA`, 'admin')).text;
    expect(bloqueo(primaria)).toEqual([titleOf('cuenta-bloquear'), '5', '2', '17', '11', '80 %']);
    expect(cell(primaria, 'total-abiertos')).toBe('3');
    expect(rowOf(primaria, 'por-nivel', 'Secundaria')).toEqual([]);
    expect(rowOf(primaria, 'tareas', 'Subdirección de Sistemas y Servicios Telemáticos')).toEqual([]);
    // The latest incidents are the Nivel's: PRIMARIA's incident in its list, not in SECUNDARIA's.
    expect(primaria).toContain('El directorio no respondió al crear la cuenta.');
    const secundaria = (await get(`/tablero?${PERIOD}&nivel=SECUNDARIA`, 'admin')).text;
    expect(secundaria).not.toContain('El directorio no respondió al crear la cuenta.');
    // March only: the case concluded then, in 9 business days.
    const marzo = (await get('/tablero?desde=2031-03-01&hasta=2031-03-31', 'admin')).text;
    expect(bloqueo(marzo)).toEqual([titleOf('cuenta-bloquear'), '1', '9', '9', '11', '100 %']);
  });

  it('exports the same numbers as CSV and has a print view', async () => {
    const res = await get(`/tablero/csv?${PERIOD}&nivel=PRIMARIA`, 'oficialia');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="tablero-2031-04-01-a-2031-04-30-PRIMARIA.csv"',
    );
    const lines = res.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('seccion,procedimiento,paso_o_area,nivel,medida,valor');
    const bloqueo = /[",]/.test(titleOf('cuenta-bloquear'))
      ? `"${titleOf('cuenta-bloquear').replace(/"/g, '""')}"`
      : titleOf('cuenta-bloquear');
    expect(lines).toContain(`resolucion,${bloqueo},,PRIMARIA,mediana_dias_habiles,2`);
    expect(lines).toContain(`resolucion,${bloqueo},,PRIMARIA,p90_dias_habiles,17`);
    expect(lines).toContain(`resolucion,${bloqueo},,PRIMARIA,nivel_servicio_dias_habiles,11`);
    expect(lines).toContain('tareas,,Subjefatura de Sistemas,PRIMARIA,vencidas,1');
    expect(lines).toContain('por_nivel,,,PRIMARIA,recibidos,8');
    expect(lines).toContain('incidentes,,,PRIMARIA,abiertos,1');
    const print = (await get(`/tablero?${PERIOD}&imprimir=1`, 'oficialia')).text;
    expect(print).toContain('class="vista-impresion"');
    expect(print).toContain('@media print');
    expect(print).not.toContain('action="/tablero"');
    expect(print).toContain('href="/tablero?desde&#x3D;2031-04-01&amp;hasta&#x3D;2031-04-30"');
  });

  it.each([
    ['desde=2031-02-30&hasta=2031-03-10', 'La fecha «Desde» debe ser una fecha válida'],
    ['desde=2031-04-10&hasta=2031-04-01', 'no puede ser anterior'],
    ['desde=2020-01-01&hasta=2031-04-01', 'hasta dos años'],
    [`${PERIOD}&nivel=NO-EXISTE`, 'No existe el nivel «NO-EXISTE»'],
  ])('answers %s with a Spanish 400', async (q, message) => {
    for (const path of ['/tablero', '/tablero/csv']) {
      const res = await get(`${path}?${q}`, 'admin');
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.text.replace(/&#x27;|&quot;/g, '')).toContain(message.replace(/[«»]/g, (c) => c));
    }
  });

  (TEST_DIALECT === 'sqlite' ? it : it.skip)(
    'takes its numbers from the counters and reads cases and tasks through indexes, never the movement table',
    async () => {
      const statements: { sql: string; params: unknown[] }[] = [];
      const app = t.app.get(DataSource);
      const logger = app.logger;
      const capture: Logger = {
        logQuery: (sql, params) => void statements.push({ sql, params: Array.isArray(params) ? params : [] }),
        logQueryError: () => undefined,
        logQuerySlow: () => undefined,
        logSchemaBuild: () => undefined,
        logMigration: () => undefined,
        log: () => undefined,
      };
      Object.assign(app, { logger: capture });
      try {
        await t.app.get(DashboardService).data({ desde: '2031-04-01', hasta: '2031-04-30', nivel: 'PRIMARIA' });
        await t.app.get(DashboardService).data({ desde: '2031-04-01', hasta: '2031-04-30', nivel: null });
      } finally {
        Object.assign(app, { logger });
      }
      const selects = statements.filter(
        (s) => /^\s*SELECT/i.test(s.sql) && /FROM ("?procedure_case"?|"?task"?)[\s)]/.test(s.sql),
      );
      // Per view: the latest incidents, the tasks the reminder sweep has not marked yet, the most overdue of each role
      // with open tasks. The numbers come from the counters (one statement per view), never from counting rows.
      expect(selects.length).toBe(6);
      expect(statements.filter((s) => /FROM dashboard_count .* dashboard_delta/s.test(s.sql))).toHaveLength(2);
      for (const s of selects) {
        expect(s.sql).not.toMatch(/COUNT\(|SUM\(|GROUP BY/i);
        expect(s.sql).not.toMatch(/["`\s]movement["`\s]/i);
        const plan = await app.query<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${s.sql}`, s.params);
        // A scan of a subquery's own 15 rows (the overdue tasks of a role, `r0`, and the 15 kept of them all, `k`)
        // reads no table.
        const reads = plan.map((p) => p.detail).filter((d) => /^(SCAN|SEARCH)/.test(d) && !/^SCAN (r\d+|k)$/.test(d));
        expect(reads.length).toBeGreaterThan(0);
        for (const d of reads) expect([s.sql, d]).toEqual([s.sql, expect.stringMatching(/USING (COVERING )?INDEX/)]);
      }
    },
  );

  describe('printable case history', () => {
    let caseId = '';
    let folio = '';

    beforeAll(async () => {
      const pdf = await scannedOficio('Oficio: solicitud de cuenta de servicio.');
      const res = await postOficio(t, await login(t.app, 'oficialia'), pdf, {
        procedimiento: 'servicio-alta',
        numeroOficio: 'SOL/0001/2031',
        fechaOficio: localDate(new Date()),
        remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
        remitenteCargo: 'Directora',
        asunto: 'Cuenta de servicio para el programa de lectura',
        nivel: 'PRIMARIA',
      }).expect(201);
      caseId = res.body.tramite as string;
      await settle(t);
      folio = (await ds().getRepository(ProcedureCase).findOneByOrFail({ id: caseId })).folio!;
      const acuse = await ds().getRepository(IssuedDocument).findOneByOrFail({ caseId, kind: 'acuse' });
      await request(t.app.getHttpServer())
        .get(`/api/documentos/${acuse.id}/pdf`)
        .set('Authorization', `Bearer ${tok.oficialia}`)
        .expect(200);
    }, 60_000);

    it('shows the movements, the documents and who downloaded them, to whoever may see the case', async () => {
      // The case page leads to it.
      expect((await get(`/tramites/${caseId}`, 'oficialia')).text).toContain(`href="/tramites/${caseId}/historial"`);
      const res = await get(`/tramites/${caseId}/historial`, 'oficialia');
      expect(res.status).toBe(200);
      expect(res.text).toContain(`Historial del trámite ${folio}`);
      const docs = /<section class="tarjeta" id="documentos">.*?<\/section>/s.exec(res.text)![0];
      expect(docs).toContain('Acuse de recibo');
      const acuses = /<section class="tarjeta" id="acuses">.*?<\/section>/s.exec(res.text)![0];
      expect(acuses).toContain('Descarga de documento');
      expect(acuses).toContain('Usuario oficialia');
      const movs = /<section class="tarjeta" id="movimientos">.*?<\/section>/s.exec(res.text)![0];
      expect(movs.match(/<tr>/g)?.length).toBeGreaterThanOrEqual(3);
      expect(res.text).toContain('@media print');
      expect(res.text).not.toContain('<form method="post" action="/tramites/');
    });

    it('answers 404 to whom the case is not addressed, and for an unknown case', async () => {
      for (const who of ['secundaria', 'becas'])
        expect([who, (await get(`/tramites/${caseId}/historial`, who)).status]).toEqual([who, 404]);
      expect((await get(`/tramites/${randomUUID()}/historial`, 'admin')).status).toBe(404);
      expect((await get('/tramites/no-es-id/historial', 'admin')).status).toBe(404);
      expect((await get(`/tramites/${caseId}/historial`)).status).toBe(303);
    });
  });
});
