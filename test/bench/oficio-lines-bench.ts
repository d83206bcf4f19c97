import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NestExpressApplication } from '@nestjs/platform-express';
import * as argon2 from 'argon2';
import { DataSource, In } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { workerSearchText } from '../../src/catalog/import/catalog-sync';
import { loadConfig } from '../../src/config/config';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { demoCombinedReplyLetter } from '../../src/letters/demo-data';
import { renderSignedReplyLetter } from '../../src/letters/renderer';
import { loadOrCreateTestSigner } from '../../src/letters/signer';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import type { BullDriver } from '../../src/queue/bull.driver';
import { QueueRuntime } from '../../src/queue/queue-runtime.service';
import { generateCurp } from '../../src/validation/curp-generate';
import { addNiveles, postOficio, scannedOficio, testCct } from '../oficios/support';
import { httpOf } from '../support/app-flows';
import { startPrivateMariadb } from '../support/private-mariadb';
import { startPrivateRedis } from '../support/private-redis';
import { createStaff, login } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { startWorker, type WorkerProcess } from '../support/worker-process';
import { type CompletedJob, watchCompletedJobs } from './bull-jobs';
import { emptySection, type SectionResult, type Sizes } from './section';
import { heading, measure, type Measurement, summarize } from './stats';

/**
 * Issue 14 §2 — one oficio, many accounts, measured end to end: an oficio with N lines (500, the most a registration
 * and a bulk act take) on a private MariaDB and Redis with 2 real worker processes (`src/worker.ts`). The web side is
 * the real application in this process (createApp, queues in Redis as a web process has them): the registration
 * (POST /api/oficios with `lineas`) and the bulk acts (POST /api/tramites/eventos: TURNAR by the Subdirección,
 * RECIBIR_TURNO and CREAR_CUENTA by the Subjefatura) go through its HTTP routes. The workers then provision each
 * school's account (queue provisioning), mail each director's activation link (notifications) and ask for the reply
 * letter (letters): each line's command parks until the last line draws the ONE signed letter with an N-row table,
 * which wakes the others to 'envioRespuesta'.
 *
 * Printed: the time of the registration and of each bulk act, from CREAR_CUENTA to N accounts, to N mails, to the
 * letter and to every case in 'envioRespuesta'; the letter's pages and bytes; every queue's jobs (count, duration
 * p50/max) and how long the letter's drawing job held its lease against QUEUE_STALLED_MS. Baselines in the same run:
 * renderSignedReplyLetter of an N-row table alone (demo data), N single-row INSERTs in one transaction and N
 * single-row UPDATEs each in its own, on the same MariaDB; N argon2id hashes at argon2's default cost (what the local
 * directory, this run's provider, spends on each account it creates), as many at a time as the workers run jobs.
 *
 * Only with `--solo oficio-lineas`. OFICIO_LINEAS_N (500; --quick 50) and OFICIO_LINEAS_WORKERS (2) change the size.
 */

const STALL_MS = Number(process.env.OFICIO_LINEAS_STALL_MS ?? 300_000);
const POLL_MS = 250;
const log = (msg: string): void => void process.stderr.write(`[oficio-líneas] ${msg}\n`);
const secs = (ms: number): string => (ms / 1000).toLocaleString('es-MX', { maximumFractionDigits: 2 });

interface Line {
  tramite: string;
  version: number | null;
}
interface BulkAnswer {
  total: number;
  hechos: number;
  conError: number;
  resultados: { ok: boolean; status?: number; error?: string; mensaje?: string }[];
}

/** One director (an active worker with an alternate mail) per school, and the N schools of PRIMARIA naming them. */
async function seedSchools(ds: DataSource, n: number): Promise<void> {
  const now = new Date();
  const nombres = ['Ana Lucía', 'José Luis', 'María Elena', 'Juan Carlos', 'Rosa María'];
  const directors: Trabajador[] = [];
  for (let i = 0; i < n; i++) {
    const base = {
      curp: generateCurp({
        nombre: nombres[i % nombres.length],
        primerApellido: 'Cárdenas',
        segundoApellido: 'Villalobos',
        fechaNacimiento: { year: 1960 + (i % 40), month: 1 + (Math.floor(i / 40) % 12), day: 1 + Math.floor(i / 480) },
        sexo: i % 2 ? 'H' : 'M',
        estado: 'CM',
        diferenciador: String(i % 10),
      }),
      curt: `CURTD${String(i).padStart(7, '0')}`,
      nombre: nombres[i % nombres.length],
      primerApellido: 'Cárdenas',
      segundoApellido: 'Villalobos',
      correoAlterno: `director.${i + 1}@correo-alterno.example`,
      cct: testCct(i + 1),
      nivelClave: 'PRIMARIA',
      activo: true,
      ultimaImportacion: null,
      createdAt: now,
      updatedAt: now,
    };
    directors.push({ ...base, nombreBusqueda: workerSearchText(base) });
  }
  if (new Set(directors.map((d) => d.curp)).size !== n) throw new Error('CURP repetidas al sembrar los directores');
  const centros = directors.map((d, i): CentroTrabajo => ({
    cct: testCct(i + 1),
    nombre: `Escuela Primaria ${i + 1}`,
    nombreBusqueda: `escuela primaria ${i + 1}`,
    nivelClave: 'PRIMARIA',
    directorCurp: d.curp,
    correo: null,
    estatus: 'activo',
    createdAt: now,
    updatedAt: now,
  }));
  for (let i = 0; i < n; i += 250) {
    await ds.getRepository(Trabajador).insert(directors.slice(i, i + 250));
    await ds.getRepository(CentroTrabajo).insert(centros.slice(i, i + 250));
  }
}

/** Where the oficio's N cases and their commands stand, read in one go. */
async function standing(ds: DataSource, oficioId: string, ids: string[]) {
  const states = await ds
    .getRepository(ProcedureCase)
    .createQueryBuilder('c')
    .select('c.state', 'state')
    .addSelect('c.status', 'status')
    .addSelect('COUNT(*)', 'n')
    .where({ id: In(ids) })
    .groupBy('c.state')
    .addGroupBy('c.status')
    .getRawMany<{ state: string; status: string; n: number | string }>();
  const commands = await ds
    .getRepository(OutboxCommand)
    .createQueryBuilder('o')
    .select('o.type', 'type')
    .addSelect('o.status', 'status')
    .addSelect('COUNT(*)', 'n')
    .where({ caseId: In(ids) })
    .groupBy('o.type')
    .addGroupBy('o.status')
    .getRawMany<{ type: string; status: string; n: number | string }>();
  const state = (s: string): number => states.filter((r) => r.state === s).reduce((a, r) => a + Number(r.n), 0);
  const cmd = (type: string, status: string): number =>
    Number(commands.find((r) => r.type === type && r.status === status)?.n ?? 0);
  return {
    cuentas: await ds.getRepository(Cuenta).countBy({ tipo: 'centro_trabajo' }),
    letters: await ds.getRepository(IssuedDocument).countBy({ oficioId, kind: 'respuesta' }),
    incidents: states.filter((r) => r.status === 'incidente').reduce((a, r) => a + Number(r.n), 0),
    envioRespuesta: state('envioRespuesta'),
    oficioRespuesta: state('oficioRespuesta'),
    mailsSent: cmd('sendCredentials', 'hecho'),
    parked: cmd('renderReplyLetter', 'en_espera'),
    failed: commands.filter((r) => r.status === 'fallido').reduce((a, r) => a + Number(r.n), 0),
    summary: [
      states.map((r) => `${r.state}${r.status === 'activo' ? '' : `(${r.status})`} ${r.n}`).join(', '),
      commands.map((r) => `${r.type}:${r.status} ${r.n}`).join(', '),
    ].join(' · '),
  };
}

function p50(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}

export async function benchOficioLines(sizes: Sizes): Promise<SectionResult> {
  const out = emptySection();
  const n = Number(process.env.OFICIO_LINEAS_N ?? (sizes.quick ? 50 : 500));
  const workerCount = Number(process.env.OFICIO_LINEAS_WORKERS ?? 2);
  heading(`Un oficio, muchas cuentas: ${n} líneas, MariaDB + Redis privados, ${workerCount} workers`);
  const loadAtStart = loadavg();
  const [mdb, redis] = await Promise.all([startPrivateMariadb(), startPrivateRedis()]);
  const dataDir = mkdtempSync(join(tmpdir(), 'mci-oficio-lineas-'));
  const env: Record<string, string> = {
    DATABASE_URL: mdb.url('mci_oficio_lineas'),
    REDIS_URL: redis.url,
    DATA_DIR: dataDir,
    SECRET_KEY: randomBytes(32).toString('hex'),
    QUEUE_PREFIX: `mci-oficio-lineas-${randomBytes(3).toString('hex')}`,
    PUBLIC_BASE_URL: 'https://correo.example.test',
  };
  const config = loadConfig({ ...env, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  let app: NestExpressApplication | undefined;
  const workers: WorkerProcess[] = [];
  try {
    // The web side first: it migrates (a worker only checks) and makes the test signing certificate in DATA_DIR.
    app = await createApp(config);
    await app.init();
    const web = app;
    const ds = web.get(DataSource);
    await addNiveles(ds);
    await seedSchools(ds, n);
    await createStaff(ds, 'oficialia', 'subdireccion');
    await createStaff(ds, 'sistemas', 'subjefatura');
    const token = { oficialia: await login(web, 'oficialia'), sistemas: await login(web, 'sistemas') };
    const allJobs: CompletedJob[] = [];
    const jobsRead = await watchCompletedJobs(web.get(QueueRuntime).driver as BullDriver, (j) => allJobs.push(j));
    for (let i = 0; i < workerCount; i++)
      workers.push(await startWorker({ ...env, LOG_LEVEL: 'warn' }, { readyTimeoutMs: 120_000 }));
    log(`${n} escuelas con director sembradas; web en este proceso, ${workerCount} workers en marcha`);

    // Each HTTP step is one sample of `measure` (time and this process's memory); the figures are whole seconds.
    const product = (id: string, label: string, unit: string, extra: Partial<Measurement> = {}) => ({
      section: 'oficios' as const,
      id: `oficioLineas.${id}`,
      label,
      kind: 'producto' as const,
      ...extra,
      unit,
    });
    const timed: { spec: ReturnType<typeof product>; result: Awaited<ReturnType<typeof measure>> }[] = [];
    const step = async <T>(spec: ReturnType<typeof product>, fn: () => Promise<T>): Promise<T> => {
      let value!: T;
      const result = await measure({ iterations: 1, unit: spec.unit, unitsPerSample: n }, async () => {
        value = await fn();
      });
      timed.push({ spec, result });
      log(`${spec.label}: ${secs(result.summary.medianMs)} s`);
      return value;
    };
    const lineas = async (oficioId: string, who: keyof typeof token, estado: string): Promise<Line[]> => {
      const res = await httpOf(web)
        .get(`/api/oficios/${oficioId}/lineas?estado=${estado}`)
        .set('Authorization', `Bearer ${token[who]}`)
        .expect(200);
      return (res.body as { lineas: Line[] }).lineas;
    };
    const bulk = async (who: keyof typeof token, tipo: string, ls: Line[]): Promise<BulkAnswer> => {
      const res = await httpOf(web)
        .post('/api/tramites/eventos')
        .set('Authorization', `Bearer ${token[who]}`)
        .send({ tipo, tramites: ls.map((l) => ({ id: l.tramite, version: l.version })) })
        .expect(200);
      const answer = res.body as BulkAnswer;
      if (answer.hechos !== ls.length) {
        const first = answer.resultados.find((r) => !r.ok);
        out.warnings.push(
          `oficio-líneas: ${tipo} hizo ${answer.hechos} de ${ls.length}; primer error: ${first?.status} ${first?.error} ${first?.mensaje}`,
        );
      }
      return answer;
    };

    const pdf = await scannedOficio(`Oficio: alta de cuentas para los ${n} centros de trabajo siguientes.`);
    const annex = Array.from({ length: n }, (_, i) => ({ cct: testCct(i + 1), nombre: `Escuela primaria ${i + 1}` }));
    const fecha = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const started = performance.now();
    // postOficio reads only the application of its TestApp.
    const oficio = await step(
      product('registrar', `Registrar el oficio con ${n} líneas (POST /api/oficios)`, 'línea', {
        compareWith: ['oficioLineas.raw.insertTx'],
      }),
      async () => {
        const res = await postOficio({ app: web } as TestApp, token.oficialia, pdf, {
          procedimiento: 'centro-trabajo-alta',
          numeroOficio: 'DEP/L0500/2026',
          fechaOficio: fecha,
          remitenteNombre: 'Profr. José Ángel Núñez Ceballos',
          remitenteCargo: 'Director de Educación Primaria',
          nivel: 'PRIMARIA',
          asunto: 'Alta de cuentas para los centros de trabajo siguientes',
          lineas: JSON.stringify(annex),
        });
        if (res.status !== 201) throw new Error(`El registro respondió ${res.status}: ${JSON.stringify(res.body)}`);
        return res.body as { id: string; folio: string };
      },
    );
    const bulkSpec = (tipo: string, who: string) =>
      product(tipo.toLowerCase(), `${tipo} a ${n} trámites (${who}, POST /api/tramites/eventos)`, 'trámite', {
        compareWith: ['oficioLineas.raw.updates'],
      });
    let ls = await lineas(oficio.id, 'oficialia', 'turno');
    const ids = ls.map((l) => l.tramite);
    await step(bulkSpec('TURNAR', 'Subdirección'), () => bulk('oficialia', 'TURNAR', ls));
    ls = await lineas(oficio.id, 'sistemas', 'recepcionSubjefatura');
    await step(bulkSpec('RECIBIR_TURNO', 'Subjefatura'), () => bulk('sistemas', 'RECIBIR_TURNO', ls));
    ls = await lineas(oficio.id, 'sistemas', 'creacion');
    const crearAt = performance.now();
    await step(bulkSpec('CREAR_CUENTA', 'Subjefatura'), () => bulk('sistemas', 'CREAR_CUENTA', ls));

    // From the CREAR_CUENTA request on: the workers' part, watched every POLL_MS.
    const at: Record<'cuentas' | 'correos' | 'enEspera' | 'oficio' | 'envioRespuesta', number | undefined> = {
      cuentas: undefined,
      correos: undefined,
      enEspera: undefined,
      oficio: undefined,
      envioRespuesta: undefined,
    };
    let last = '';
    let lastChange = performance.now();
    let lastReport = 0;
    let now = await standing(ds, oficio.id, ids);
    for (;;) {
      now = await standing(ds, oficio.id, ids);
      const t = performance.now();
      const mark = (k: keyof typeof at, reached: boolean, what: string): void => {
        if (!reached || at[k] !== undefined) return;
        at[k] = t - crearAt;
        log(`${what}: ${secs(at[k])} s desde CREAR_CUENTA`);
      };
      mark('cuentas', now.cuentas >= n, `${n} cuentas creadas`);
      mark('correos', now.mailsSent >= n, `${n} enlaces de activación enviados`);
      mark('enEspera', now.parked >= n - 1, `${n - 1} oficios de respuesta en espera de la última línea`);
      mark('oficio', now.letters >= 1, 'el oficio de respuesta único existe');
      mark('envioRespuesta', now.envioRespuesta >= n, `${n} trámites en envioRespuesta`);
      if (now.summary !== last) {
        last = now.summary;
        lastChange = t;
      }
      if (t - lastReport > 5000) {
        lastReport = t;
        log(`${secs(t - crearAt)} s: cuentas ${now.cuentas}/${n}; ${now.summary}`);
      }
      if (at.envioRespuesta !== undefined || now.incidents > 0 || now.failed > 0) break;
      if (t - lastChange > STALL_MS) {
        out.warnings.push(`oficio-líneas: nada cambió en ${STALL_MS / 1000} s; último estado: ${now.summary}`);
        break;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const totalMs = performance.now() - started;
    if (now.incidents > 0 || now.failed > 0)
      out.warnings.push(
        `oficio-líneas: ${now.incidents} trámites en incidente, ${now.failed} comandos fallidos: ${now.summary}`,
      );

    const letters = await ds.getRepository(IssuedDocument).findBy({ oficioId: oficio.id, kind: 'respuesta' });
    if (letters.length !== 1) out.warnings.push(`oficio-líneas: ${letters.length} oficios de respuesta (se espera 1)`);
    const letter = letters[0];
    const commands = await ds.getRepository(OutboxCommand).findBy({ caseId: In(ids) });
    const replyCmds = commands.filter((c) => c.type === 'renderReplyLetter');
    const retried = replyCmds.filter((c) => c.attempts > 0).length;
    const typeOf = new Map(commands.map((c) => [c.id, c.type]));
    await jobsRead();
    // Every job of the run by its command's type: how many, how long each ran, how long it waited in its queue.
    const jobTypes = [...new Set(allJobs.map((j) => typeOf.get(j.outboxId) ?? '?'))].map((type) => {
      const js = allJobs.filter((j) => (typeOf.get(j.outboxId) ?? '?') === type);
      const dur = js.map((j) => j.finished - j.started);
      const wait = js.map((j) => j.started - j.added);
      return {
        type,
        jobs: js.length,
        durationP50Ms: p50(dur),
        durationMaxMs: Math.max(...dur),
        waitP50Ms: p50(wait),
        waitMaxMs: Math.max(...wait),
      };
    });
    // The job that drew the letter: its command is the one the document names.
    const drawJobs = letter ? allJobs.filter((j) => j.outboxId === letter.outboxId) : [];
    const drawMs = drawJobs.length ? Math.max(...drawJobs.map((j) => j.finished - j.started)) : NaN;
    if (drawMs > config.queueStalledMs / 3)
      out.warnings.push(
        `oficio-líneas: el trabajo que dibuja el oficio duró ${secs(drawMs)} s, más que un tercio de QUEUE_STALLED_MS (${secs(config.queueStalledMs)} s), el intervalo de renovación de su turno`,
      );

    // The baselines, same run, same MariaDB: the letter alone, and N plain rows written.
    log(`bases: renderSignedReplyLetter de ${n} filas y ${n} filas escritas a mano en la misma MariaDB`);
    const signer = loadOrCreateTestSigner(dataDir);
    const render = { pages: 0, bytes: 0 };
    const rawRender = await measure({ iterations: 3, warmup: 1, unit: 'fila', unitsPerSample: n }, async () => {
      const doc = await renderSignedReplyLetter(demoCombinedReplyLetter(n), signer);
      render.pages = doc.pages;
      render.bytes = doc.pdf.length;
    });
    await ds.query('CREATE TABLE bench_raw (id VARCHAR(36) PRIMARY KEY, n INT NOT NULL, data TEXT NOT NULL)');
    const payload = JSON.stringify({ estado: 'turno', cct: testCct(1), texto: 'x'.repeat(1500) });
    const rawInsert = await measure(
      { iterations: 3, warmup: 1, unit: 'fila', unitsPerSample: n },
      () =>
        ds.transaction(async (em) => {
          for (let i = 0; i < n; i++)
            await em.query('INSERT INTO bench_raw (id, n, data) VALUES (?, ?, ?)', [randomUUID(), i, payload]);
        }),
      { before: () => ds.query('DELETE FROM bench_raw') },
    );
    const rawIds = (await ds.query<{ id: string }[]>('SELECT id FROM bench_raw')).map((r) => r.id);
    const rawUpdates = await measure({ iterations: 3, warmup: 1, unit: 'fila', unitsPerSample: n }, async (call) => {
      for (const id of rawIds) await ds.query('UPDATE bench_raw SET n = ? WHERE id = ?', [call, id]);
    });
    // What the local directory (this run's provider) spends on each account it creates: an argon2id hash with
    // argon2's default cost, here N of them as many at a time as the workers run jobs.
    const slots = workerCount * config.workerConcurrency;
    const rawArgon = await measure({ iterations: 1, unit: 'hash', unitsPerSample: n }, async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: slots }, async () => {
          while (next++ < n) await argon2.hash(randomUUID(), { type: argon2.argon2id });
        }),
      );
    });
    log(
      `bases: argon2id ×${n} (${slots} a la vez) ${secs(rawArgon.summary.medianMs)} s, render ${secs(rawRender.summary.medianMs)} s (${render.pages} págs.), INSERT ${secs(rawInsert.summary.medianMs)} s, UPDATE ${secs(rawUpdates.summary.medianMs)} s`,
    );

    const single = (ms: number) => ({
      summary: summarize([ms], 'línea', n),
      memory: { rssPeakMb: 0, heapRetainedMb: 0 },
    });
    const waited: Measurement[] = [];
    const waitRow = (key: keyof typeof at, id: string, label: string, extra: Partial<Measurement> = {}): void => {
      const ms = at[key];
      if (ms !== undefined) waited.push({ ...product(id, label, 'línea', extra), ...single(ms) });
    };
    waitRow('cuentas', 'cuentas', `CREAR_CUENTA → ${n} cuentas creadas (${workerCount} workers)`, {
      compareWith: ['oficioLineas.raw.argon2'],
    });
    waitRow('correos', 'correos', `CREAR_CUENTA → ${n} enlaces de activación enviados`);
    waitRow('oficio', 'oficio', `CREAR_CUENTA → el oficio de respuesta único firmado`);
    waitRow('envioRespuesta', 'envio', `CREAR_CUENTA → ${n} trámites en envioRespuesta`);
    if (Number.isFinite(drawMs))
      waited.push({
        ...product(
          'dibujo',
          `Trabajo que dibuja el oficio de ${n} filas (lee ${n} líneas, render, firma, guarda)`,
          'fila',
          {
            compareWith: ['oficioLineas.raw.render'],
          },
        ),
        summary: summarize([drawMs], 'fila', n),
        memory: { rssPeakMb: 0, heapRetainedMb: 0 },
      });
    if (at.envioRespuesta !== undefined)
      waited.push({
        ...product('total', `Total: registro → ${n} trámites en envioRespuesta`, 'línea'),
        ...single(totalMs),
      });
    out.measurements.push(
      ...timed.map(({ spec, result }) => ({ ...spec, ...result })),
      ...waited,
      {
        section: 'oficios',
        id: 'oficioLineas.raw.render',
        label: `renderSignedReplyLetter solo: tabla de ${n} filas (datos de demostración), firmado`,
        short: 'render',
        kind: 'base',
        notes: [`${render.pages} páginas, ${render.bytes.toLocaleString('es-MX')} bytes.`],
        ...rawRender,
      },
      {
        section: 'oficios',
        id: 'oficioLineas.raw.argon2',
        label: `${n} hash argon2id (costo por defecto, el del directorio local), ${slots} a la vez en este proceso`,
        short: 'argon2',
        kind: 'base',
        ...rawArgon,
      },
      {
        section: 'oficios',
        id: 'oficioLineas.raw.insertTx',
        label: `${n} INSERT de una fila (1,5 KB) en una transacción, misma MariaDB`,
        short: 'INSERT',
        kind: 'base',
        ...rawInsert,
      },
      {
        section: 'oficios',
        id: 'oficioLineas.raw.updates',
        label: `${n} UPDATE de una fila, cada uno su transacción, misma MariaDB`,
        short: 'UPDATE',
        kind: 'base',
        ...rawUpdates,
      },
    );

    const rows: [string, string][] = [
      ...timed.map(({ spec, result }): [string, string] => [spec.label, `${secs(result.summary.medianMs)} s`]),
      ...(['cuentas', 'correos', 'enEspera', 'oficio', 'envioRespuesta'] as const).map((k): [string, string] => [
        {
          cuentas: `CREAR_CUENTA → ${n} cuentas creadas`,
          correos: `CREAR_CUENTA → ${n} enlaces de activación enviados`,
          enEspera: `CREAR_CUENTA → ${n - 1} oficios de respuesta en espera`,
          oficio: 'CREAR_CUENTA → el oficio de respuesta único',
          envioRespuesta: `CREAR_CUENTA → ${n} trámites en envioRespuesta`,
        }[k],
        at[k] === undefined ? 'no llegó' : `${secs(at[k])} s`,
      ]),
      [`Total (registro → ${n} en envioRespuesta)`, `${secs(totalMs)} s`],
      [
        'Oficio de respuesta',
        letter
          ? `${letter.numeroOficio}: ${letter.paginas} páginas, ${letter.bytes.toLocaleString('es-MX')} bytes; ${letters.length} emitido(s)`
          : 'no se emitió',
      ],
      [
        'Trabajo que lo dibuja',
        `${secs(drawMs)} s (QUEUE_STALLED_MS ${secs(config.queueStalledMs)} s; turno renovado cada ${secs(config.queueStalledMs / 3)} s)`,
      ],
      [
        'Comandos renderReplyLetter',
        `${replyCmds.length}: ${replyCmds.filter((c) => c.status === 'hecho').length} hechos, ${retried} reintentados`,
      ],
      [
        `Base: renderSignedReplyLetter, ${n} filas`,
        `${secs(rawRender.summary.medianMs)} s (${render.pages} págs., ${render.bytes.toLocaleString('es-MX')} bytes)`,
      ],
      [`Base: ${n} hash argon2id, ${slots} a la vez`, `${secs(rawArgon.summary.medianMs)} s`],
      [`Base: ${n} INSERT en una transacción`, `${secs(rawInsert.summary.medianMs)} s`],
      [`Base: ${n} UPDATE, una transacción cada uno`, `${secs(rawUpdates.summary.medianMs)} s`],
      ...jobTypes.map((q): [string, string] => [
        `Trabajos ${q.type}`,
        `${q.jobs}; duración p50 ${q.durationP50Ms} ms, máx. ${q.durationMaxMs} ms; espera p50 ${q.waitP50Ms} ms, máx. ${q.waitMaxMs} ms`,
      ]),
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    out.blocks.push({
      title: `oficio-líneas / one oficio, many accounts: ${n} líneas, ${workerCount} workers (MariaDB + Redis privados, ${cpus().length} CPU, carga al empezar ${loadAtStart.map((l) => l.toFixed(2)).join(' ')})`,
      text: rows.map(([k, v]) => `${k.padEnd(width)} | ${v}`).join('\n'),
    });
    out.details.oficioLineas = {
      lines: n,
      workers: workerCount,
      workerConcurrency: config.workerConcurrency,
      queueStalledMs: config.queueStalledMs,
      loadAtStart,
      loadAtEnd: loadavg(),
      secondsFromCrearCuenta: Object.fromEntries(
        Object.entries(at).map(([k, v]) => [k, v === undefined ? null : v / 1000]),
      ),
      totalSeconds: totalMs / 1000,
      letter: letter
        ? { numeroOficio: letter.numeroOficio, paginas: letter.paginas, bytes: letter.bytes, emitted: letters.length }
        : null,
      drawJobMs: drawMs,
      replyCommands: { total: replyCmds.length, retried },
      jobs: jobTypes,
      baseline: { renderPages: render.pages, renderBytes: render.bytes },
      finalState: now.summary,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await app?.close();
    await redis.stop();
    await mdb.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return out;
}
