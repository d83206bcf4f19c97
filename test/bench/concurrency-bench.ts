import { randomUUID } from 'node:crypto';
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPool, type Pool, type PoolConnection } from 'mysql2/promise';
import { PROCEDURES } from '../../machines';
import { CalendarService } from '../../src/engine/calendar.service';
import { EngineService, type EngineEvent } from '../../src/engine/engine.service';
import { deltaStatement, taskCountStatement } from '../../src/engine/dashboard-counts';
import { In } from 'typeorm';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { BENCH_MYSQL_URL, type BenchDb, onEachDatabase, type RawStatement } from './bench-db';
import { sendJson, startHttp } from './bench-http';
import { OFICIALIA, openCases, PROCEDURE } from './engine-bench';
import { emptySection, type SectionResult, type Sizes } from './section';
import { heading, note, Progress, summarize } from './stats';

/**
 * The engine under concurrent clients, each on cases of its own, against raw baselines, product and baselines
 * interleaved round by round (A B C A B C …), at 1, 8 and 32 clients. A sample is one round: its wall time divided by
 * its events, so ops/s is the round's throughput.
 *
 * The goal's baseline is the same transaction as the transition written by hand (transactionWriter: both reads, the
 * case's version-checked UPDATE, the movement, closing and opening the task, the outbox row); over HTTP, that
 * transaction behind a bare node:http server reached by the same client (rawHttpServer). The narrower transaction
 * measured before (UPDATE + INSERT movement + INSERT outbox, rawWriter) stays beside them as a reference, so earlier
 * results can still be compared.
 */

const CLIENTS = [1, 8, 32];
const ROUNDS = 5;
/** The product's MySQL pool (TypeORM's default, 10): the raw baseline gets the same number of connections. */
const POOL = 10;

const recibirOficio = (): EngineEvent => ({ type: 'RECIBIR_OFICIO', at: new Date().toISOString() });

/** Events per client per round: enough for a steady state without making 32 clients take minutes. */
const perClient = (clients: number, quick: boolean): number =>
  quick ? Math.max(4, Math.round(40 / clients)) : clients === 1 ? 500 : clients === 8 ? 100 : 30;

/** Runs `clients` loops at once, each doing `each` calls of fn(client, i); the wall time in ms. */
async function wall(
  clients: number,
  each: number,
  fn: (client: number, i: number) => Promise<unknown>,
): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < each; i++) await fn(c, i);
    }),
  );
  return performance.now() - t0;
}

/** How a client sends its events: straight to the service, or through the web application. */
interface Transport {
  tag: 'send' | 'http';
  label: (clients: number) => string;
  send: (caseId: string, version: number) => Promise<void>;
  /** The issue's goal for the ratio product/first baseline at 8 clients. */
  goal: number;
  /** What the product is compared with, round by round; the goal is against the first. */
  baselines: Baseline[];
}

/** A raw way of doing the product's work, measured in the same rounds. */
interface Baseline {
  tag: string;
  label: (clients: number) => string;
  write: (caseId: string) => Promise<void>;
}

interface RawWriter {
  /** One transition-shaped transaction on `caseId`. */
  write(caseId: string, k: number): Promise<void>;
  close(): Promise<void>;
}

/** Whether movements are numbered per case (the transparency log's schema) or by one global sequence (before it). */
async function perCaseSchema(db: BenchDb): Promise<boolean> {
  const cols = await db.dataSource.query<{ name?: string; COLUMN_NAME?: string }[]>(
    db.dialect === 'sqlite'
      ? `SELECT name FROM pragma_table_info('movement')`
      : `SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'movement'`,
  );
  return cols.some((c) => (c.name ?? c.COLUMN_NAME) === 'case_seq');
}

const MOVEMENT_DATA = JSON.stringify({ at: '2026-11-25T16:00:00.000Z' });
const SNAPSHOT = JSON.stringify({ status: 'active', value: 'turno', context: { relleno: 'x'.repeat(1500) } });
const HASH = 'a'.repeat(64);
/** Raw rows get numbers far above the product's, in a database that is thrown away afterwards. */
const RAW_BASE = 1_000_000_000;

/** A mysql2 pool on the bench database, as large as the product's, in UTC like TypeORM's. */
function rawPool(db: BenchDb, extra: { multipleStatements?: boolean } = {}): Pool {
  const url = new URL(BENCH_MYSQL_URL);
  return createPool({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database: db.dataSource.driver.database,
    timezone: 'Z',
    connectionLimit: POOL,
    ...extra,
  });
}

/** A writer that runs `body` in a transaction on a connection of `pool`, one per event. */
function pooledWriter(pool: Pool, body: (conn: PoolConnection, caseId: string, k: number) => Promise<void>): RawWriter {
  return {
    write: async (caseId, k) => {
      const conn = await pool.getConnection();
      try {
        await conn.beginTransaction();
        await body(conn, caseId, k);
        await conn.commit();
      } finally {
        conn.release();
      }
    },
    close: () => pool.end(),
  };
}

const OUTBOX_SQL =
  "INSERT INTO outbox (id, case_id, type, payload, idempotency_key, status, attempts, available_at, created_at) VALUES (?, ?, 'issueAcuse', '{}', ?, 'pendiente', 0, ?, ?)";

/** The movement INSERT of RECIBIR_OFICIO: numbered per case (case_seq), or by the one global sequence before it. */
const movementStatement = (perCase: boolean): string =>
  `INSERT INTO movement (${perCase ? 'case_id, case_seq' : 'seq, case_id'}, procedure_id, procedure_version, actor_id, actor_role, at, from_state, to_state, event_type, data, pasos, prev_hash, hash) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Its values for event `k` of `caseId`, written at `at`. */
const movementValues = (perCase: boolean, caseId: string, k: number, at: string | Date): (string | number | Date)[] => [
  ...(perCase ? [caseId, RAW_BASE + k] : [RAW_BASE + k, caseId]),
  PROCEDURE,
  OFICIALIA.id,
  OFICIALIA.role,
  at,
  'recepcion',
  'turno',
  'RECIBIR_OFICIO',
  MOVEMENT_DATA,
  '5.5:2',
  HASH,
  HASH,
];

async function rawWriter(db: BenchDb, perCase: boolean): Promise<RawWriter> {
  const movementSql = movementStatement(perCase);
  const caseSql =
    'UPDATE procedure_case SET state = ?, snapshot = ?, version = version + 1, updated_at = ? WHERE id = ?';
  const outboxSql = OUTBOX_SQL;
  const movementParams = (caseId: string, k: number): (string | number | Date)[] =>
    movementValues(perCase, caseId, k, new Date().toISOString());
  if (db.sqlite) {
    const upd = db.sqlite.prepare(caseSql);
    const mov = db.sqlite.prepare(movementSql);
    const out = db.sqlite.prepare(outboxSql);
    const tx = db.sqlite.transaction((caseId: string, k: number) => {
      const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
      upd.run('turno', SNAPSHOT, now, caseId);
      mov.run(...movementParams(caseId, k));
      out.run(randomUUID(), caseId, `raw:${k}`, now, now);
    });
    return { write: async (caseId, k) => tx(caseId, k), close: async () => undefined };
  }
  const pool = rawPool(db);
  return pooledWriter(pool, async (conn, caseId, k) => {
    const now = new Date();
    await conn.execute(caseSql, ['turno', SNAPSHOT, now, caseId]);
    await conn.execute(movementSql, movementParams(caseId, k));
    await conn.execute(outboxSql, [randomUUID(), caseId, `raw:${k}`, now, now]);
  });
}

async function concurrencyOn(
  db: BenchDb,
  quick: boolean,
  tag: 'sqlite' | 'mariadb',
  out: SectionResult,
): Promise<void> {
  const ds = db.dataSource;
  const calendar = new CalendarService(ds);
  await calendar.ensureOfficialHolidays();
  const engine = new EngineService(ds, PROCEDURES, calendar);
  await engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
  const perCase = await perCaseSchema(db);
  const needed = 2 * CLIENTS.reduce((n, c) => n + c * (perClient(c, quick) * ROUNDS + 2), 0);
  const cases = await openCases(engine, needed, db.name, 8);
  const narrow = await rawWriter(db, perCase);
  const whole = await transactionWriter(db, perCase);
  const wholeHttp = await rawHttpServer(whole);
  let rawK = 0;
  let taken = 0;
  const take = (n: number): string[] => cases.slice(taken, (taken += n));
  const http = await startHttp(db, [[OFICIALIA, 'bench.oficialia']], Math.max(...CLIENTS));
  const engineName = db.sqlite ? 'better-sqlite3' : `mysql2 (pool de ${POOL})`;
  const wholeBase: Baseline = {
    tag: 'tx',
    label: (c) =>
      `${engineName}: la misma transacción (lee trámite y tareas; UPDATE trámite, INSERT movimiento, cierra y abre tarea, INSERT outbox), ${c} cliente(s) (${db.name})`,
    write: (caseId) => whole.write(caseId, rawK++),
  };
  const narrowBase: Baseline = {
    tag: 'raw',
    label: (c) =>
      `${engineName}: UPDATE + INSERT movimiento + INSERT outbox (referencia anterior), ${c} cliente(s) (${db.name})`,
    write: (caseId) => narrow.write(caseId, rawK++),
  };
  const transports: Transport[] = [
    {
      tag: 'send',
      label: (clients) => `EngineService.send, ${clients} cliente(s) a la vez, trámites distintos (${db.name})`,
      send: async (caseId) => {
        const res = await engine.send(caseId, recibirOficio(), OFICIALIA);
        if (res.state !== 'turno') throw new Error(`send: estado ${res.state}`);
      },
      goal: db.sqlite ? 0.3 : 0.6,
      baselines: [wholeBase, narrowBase],
    },
    {
      tag: 'http',
      label: (clients) =>
        `POST /api/tramites/:id/eventos por HTTP, ${clients} cliente(s) a la vez (aplicación Nest en un puerto local, ${db.name})`,
      send: async (caseId, version) => {
        const r = await http.post(`/api/tramites/${caseId}/eventos`, OFICIALIA, {
          tipo: 'RECIBIR_OFICIO',
          version,
          datos: { at: new Date().toISOString() },
        });
        if (r.status !== 200) throw new Error(`POST eventos respondió ${r.status}: ${r.body.slice(0, 200)}`);
      },
      goal: 0.4,
      baselines: [
        {
          tag: 'txhttp',
          label: (c) =>
            `la misma transacción (${engineName}) detrás de un servidor node:http mínimo, mismo cliente HTTP, ${c} cliente(s) (${db.name})`,
          write: (caseId) => wholeHttp.post(caseId, rawK++),
        },
        narrowBase,
      ],
    },
  ];
  const versions = async (ids: string[]): Promise<number[]> => {
    const rows = await ds
      .getRepository(ProcedureCase)
      .find({ select: { id: true, version: true }, where: { id: In(ids) } });
    const byId = new Map(rows.map((r) => [r.id, r.version]));
    return ids.map((id) => byId.get(id)!);
  };
  try {
    for (const t of transports) {
      for (const clients of CLIENTS) {
        const each = perClient(clients, quick);
        // Warm-up (untimed): two events per client through the product and every baseline.
        const warm = take(clients * 2);
        const warmV = await versions(warm);
        await wall(clients, 2, (c, i) => t.send(warm[c * 2 + i], warmV[c * 2 + i]));
        for (const b of t.baselines) await wall(clients, 2, (c, i) => b.write(warm[c * 2 + i]));
        const product: number[] = [];
        const bases: number[][] = t.baselines.map(() => []);
        const progress = new Progress(
          `${db.name}: ${t.tag === 'http' ? 'HTTP, ' : ''}${clients} cliente(s), ${ROUNDS} rondas producto/directo`,
          ROUNDS * (1 + t.baselines.length),
        );
        for (let r = 0; r < ROUNDS; r++) {
          const mine = take(clients * each);
          const v = await versions(mine);
          const ms = await wall(clients, each, (c, i) => t.send(mine[c * each + i], v[c * each + i]));
          product.push(ms / (clients * each));
          progress.tick();
          // Each baseline writes on the same cases right after (their version moves on; only the product checks it).
          for (const [b, base] of t.baselines.map((b, j) => [b, bases[j]] as const)) {
            base.push((await wall(clients, each, (c, i) => b.write(mine[c * each + i]))) / (clients * each));
            progress.tick();
          }
        }
        const ratiosOf = (base: number[]): number[] => product.map((p, i) => base[i] / p);
        const ratios = ratiosOf(bases[0]);
        const per = (xs: number[]): string => xs.map((x) => `${x.toFixed(2)}×`).join(', ');
        progress.finish(
          `producto ${(1000 / median(product)).toFixed(0)}/s, ` +
            t.baselines.map((b, j) => `${b.tag} ${(1000 / median(bases[j])).toFixed(0)}/s`).join(', ') +
            `, razón por ronda ${ratios.map((x) => x.toFixed(2)).join(' ')}`,
        );
        const noMemory = { rssPeakMb: 0, heapRetainedMb: 0 };
        const baseId = (b: Baseline): string => `engine.${tag}.${t.tag}.c${clients}.${b.tag}`;
        out.measurements.push({
          section: 'motor',
          id: `engine.${tag}.c${clients}.${t.tag}`,
          label: t.label(clients),
          kind: 'producto',
          compareWith: t.baselines.map(baseId),
          goal: clients === 8 ? t.goal : undefined,
          notes: [
            `${clients} cliente(s), ${each} eventos cada uno por ronda, ${ROUNDS} rondas intercaladas (producto, ` +
              `${t.baselines.map((b) => b.tag).join(', ')}); rendimiento producto/${t.baselines[0].tag} por ronda: ` +
              `${per(ratios)} (mediana ${median(ratios).toFixed(2)}×, la meta se mide contra esta base)` +
              t.baselines
                .slice(1)
                .map((b, j) => `; producto/${b.tag}: mediana ${median(ratiosOf(bases[j + 1])).toFixed(2)}×`)
                .join('') +
              `; movimientos ${perCase ? 'encadenados por trámite' : 'en una sola cadena global'}`,
          ],
          summary: summarize(product, 'evento'),
          memory: noMemory,
        });
        t.baselines.forEach((b, j) => {
          out.measurements.push({
            section: 'motor',
            id: baseId(b),
            label: b.label(clients),
            short: b.tag,
            kind: 'base',
            summary: summarize(bases[j], 'evento'),
            memory: noMemory,
          });
          out.details[`engine.${tag}.${t.tag}.c${clients}.ratios${j ? `.${b.tag}` : ''}`] = ratiosOf(bases[j]);
        });
      }
    }
  } finally {
    await narrow.close();
    await whole.close();
    await wholeHttp.close();
    await http.close();
  }
}

/**
 * The same transaction as a transition, by hand: read the case and its open tasks, UPDATE the case (version checked),
 * INSERT its movement, close the open task and open the next one (a copy of the task just read: the same columns,
 * bytes and index entries as the engine's), INSERT one outbox row. On SQLite prepared statements in one synchronous
 * transaction on TypeORM's own connection; on MariaDB the engine's four round trips (BEGIN, both reads in one request,
 * every write in one request, COMMIT) on a mysql2 pool of the same size. This is the goal's baseline; the narrower
 * three-statement one above stays as a reference.
 */
async function transactionWriter(db: BenchDb, perCase: boolean): Promise<RawWriter> {
  if (!perCase) throw new Error('La base del benchmark no tiene movimientos por trámite (case_seq)');
  const readCase = 'SELECT * FROM procedure_case WHERE id = ?';
  const readTasks = "SELECT * FROM task WHERE case_id = ? AND status = 'abierta'";
  const updateCase =
    'UPDATE procedure_case SET state = ?, snapshot = ?, version = version + 1, movement_count = movement_count + 1, ' +
    'last_movement_hash = ?, updated_at = ? WHERE id = ? AND version = ?';
  const insertMovement = movementStatement(true);
  const closeTask = "UPDATE task SET status = 'cerrada', closed_at = ?, closed_by = ? WHERE id = ?";
  const insertOutbox = OUTBOX_SQL;
  const insertTask = (cols: string[]): string =>
    `INSERT INTO task (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
  type Row = Record<string, unknown>;
  /** The writes after the reads: the statements and their parameters, in the engine's order. */
  const writes = (caseRow: Row, tasks: Row[], k: number, now: Date | string): [string, unknown[]][] => {
    const caseId = String(caseRow.id);
    const out: [string, unknown[]][] = [
      [updateCase, ['turno', caseRow.snapshot, HASH, now, caseId, caseRow.version]],
      [insertMovement, movementValues(true, caseId, k, now)],
    ];
    // The dashboard's counters: the case leaves its step for the next, its tasks close and one opens.
    const nivel = (caseRow.nivel_clave as string | null) ?? '';
    const step = { kind: 'caso', dia: '', nivel, a: String(caseRow.procedure_id), c: String(caseRow.status) } as const;
    const moved = deltaStatement([
      { ...step, b: String(caseRow.state), n: -1 },
      { ...step, b: 'turno', n: 1 },
    ])!;
    out.push([moved.text, moved.params]);
    for (const t of tasks) out.push([closeTask, [now, OFICIALIA.id, t.id]]);
    const closed = taskCountStatement(
      tasks.map((t) => String(t.id)),
      -1,
    );
    if (closed) out.push([closed.text, closed.params]);
    if (tasks[0]) {
      const next: Row = { ...tasks[0], id: randomUUID(), created_at: now, closed_at: null, closed_by: null };
      const cols = Object.keys(next);
      out.push([insertTask(cols), cols.map((c) => next[c])]);
      const opened = deltaStatement([
        {
          kind: 'tarea',
          dia: '',
          nivel: (next.nivel_clave as string | null) ?? '',
          a: String(next.candidate_role),
          b: 'a_tiempo',
          c: '',
          n: 1,
        },
      ])!;
      out.push([opened.text, opened.params]);
    }
    out.push([insertOutbox, [randomUUID(), caseId, `raw:${k}`, now, now]]);
    return out;
  };
  if (db.sqlite) {
    const sqlite = db.sqlite;
    const cache = new Map<string, RawStatement>();
    const prepared = (sql: string): RawStatement => {
      let st = cache.get(sql);
      if (!st) cache.set(sql, (st = sqlite.prepare(sql)));
      return st;
    };
    const tx = sqlite.transaction((caseId: string, k: number) => {
      const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
      const caseRow = prepared(readCase).get(caseId) as Row;
      const tasks = prepared(readTasks).all(caseId) as Row[];
      for (const [sql, params] of writes(caseRow, tasks, k, now)) {
        const changes = prepared(sql).run(...params).changes;
        if (changes !== 1 && !sql.includes('dashboard_delta')) throw new Error(`Sin cambios: ${sql.slice(0, 40)}`);
      }
    });
    return { write: async (caseId, k) => tx(caseId, k), close: async () => undefined };
  }
  const pool = rawPool(db, { multipleStatements: true });
  return pooledWriter(pool, async (conn, caseId, k) => {
    const [results] = await conn.query(`${readCase}; ${readTasks}`, [caseId, caseId]);
    const [[caseRow], tasks] = results as unknown as [Row[], Row[]];
    const batch = writes(caseRow, tasks, k, new Date());
    await conn.query(
      batch.map(([sql]) => sql).join('; '),
      batch.flatMap(([, params]) => params),
    );
  });
}

/**
 * The HTTP baseline: the same transaction behind a bare node:http server (read the JSON body, run it, answer JSON),
 * reached by the same client and keep-alive agent as the application.
 */
async function rawHttpServer(
  writer: RawWriter,
): Promise<{ post(caseId: string, k: number): Promise<void>; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { k: number };
      const caseId = decodeURIComponent(String(req.url).split('/')[2]);
      writer.write(caseId, body.k).then(
        () => {
          const answer = JSON.stringify({ id: caseId, estado: 'turno' });
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
          res.end(answer);
        },
        (e: Error) => {
          res.writeHead(500);
          res.end(e.message);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(...CLIENTS) });
  return {
    post: async (caseId, k) => {
      const r = await sendJson(agent, `http://127.0.0.1:${port}/directo/${caseId}`, 'POST', 'x', JSON.stringify({ k }));
      if (r.status !== 200) throw new Error(`directo por HTTP respondió ${r.status}: ${r.body.slice(0, 200)}`);
    },
    close: async () => {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function benchConcurrency(sizes: Sizes): Promise<SectionResult> {
  const out = emptySection();
  heading('Motor con clientes concurrentes / engine under concurrent clients');
  await onEachDatabase(out, 'Motor concurrente', async (db) => {
    if (!db.sqlite) {
      const [flush] = await db.dataSource.query<{ flush: number; binlog: number }[]>(
        'SELECT @@innodb_flush_log_at_trx_commit AS flush, @@log_bin AS binlog',
      );
      out.details['mariadb.flush'] = flush;
      note(`${db.name}: innodb_flush_log_at_trx_commit=${flush.flush}, log_bin=${flush.binlog}`);
    }
    await concurrencyOn(db, sizes.quick, db.sqlite ? 'sqlite' : 'mariadb', out);
  });
  return out;
}
