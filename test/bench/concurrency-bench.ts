import { randomUUID } from 'node:crypto';
import { createPool, type Pool } from 'mysql2/promise';
import { PROCEDURES } from '../../machines';
import { CalendarService } from '../../src/engine/calendar.service';
import { EngineService, type EngineEvent } from '../../src/engine/engine.service';
import { In } from 'typeorm';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { BENCH_MYSQL_URL, type BenchDb, onEachDatabase } from './bench-db';
import { startHttp } from './bench-http';
import { OFICIALIA, openCases, PROCEDURE } from './engine-bench';
import { emptySection, type SectionResult, type Sizes } from './section';
import { heading, note, Progress, summarize } from './stats';

/**
 * The engine under concurrent clients, each on cases of its own, against the raw transaction a transition has to
 * write (UPDATE of the case with its version check + INSERT of the movement + INSERT of one outbox row, prepared
 * statements, one pooled connection per transaction), product and raw interleaved round by round (A B A B …), at 1, 8
 * and 32 clients. A sample is one round: its wall time divided by its events, so ops/s is the round's throughput.
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
  /** The issue's goal for the ratio product/raw at 8 clients. */
  goal: number;
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

async function rawWriter(db: BenchDb, perCase: boolean): Promise<RawWriter> {
  const movementSql = perCase
    ? 'INSERT INTO movement (case_id, case_seq, procedure_id, procedure_version, actor_id, actor_role, at, from_state, to_state, event_type, data, pasos, prev_hash, hash) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
    : 'INSERT INTO movement (seq, case_id, procedure_id, procedure_version, actor_id, actor_role, at, from_state, to_state, event_type, data, pasos, prev_hash, hash) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const caseSql =
    'UPDATE procedure_case SET state = ?, snapshot = ?, version = version + 1, updated_at = ? WHERE id = ?';
  const outboxSql =
    "INSERT INTO outbox (id, case_id, type, payload, idempotency_key, status, attempts, available_at, created_at) VALUES (?, ?, 'issueAcuse', '{}', ?, 'pendiente', 0, ?, ?)";
  const movementParams = (caseId: string, k: number): (string | number)[] => [
    ...(perCase ? [caseId, RAW_BASE + k] : [RAW_BASE + k, caseId]),
    PROCEDURE,
    OFICIALIA.id,
    OFICIALIA.role,
    new Date().toISOString(),
    'recepcion',
    'turno',
    'RECIBIR_OFICIO',
    MOVEMENT_DATA,
    '5.5:2',
    HASH,
    HASH,
  ];
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
  const url = new URL(BENCH_MYSQL_URL);
  const database = db.dataSource.driver.database as string;
  const pool: Pool = createPool({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database,
    timezone: 'Z',
    connectionLimit: POOL,
  });
  return {
    write: async (caseId, k) => {
      const conn = await pool.getConnection();
      try {
        await conn.beginTransaction();
        const now = new Date();
        await conn.execute(caseSql, ['turno', SNAPSHOT, now, caseId]);
        await conn.execute(movementSql, movementParams(caseId, k));
        await conn.execute(outboxSql, [randomUUID(), caseId, `raw:${k}`, now, now]);
        await conn.commit();
      } finally {
        conn.release();
      }
    },
    close: () => pool.end(),
  };
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
  const raw = await rawWriter(db, perCase);
  let rawK = 0;
  let taken = 0;
  const take = (n: number): string[] => cases.slice(taken, (taken += n));
  const http = await startHttp(db, [[OFICIALIA, 'bench.oficialia']], Math.max(...CLIENTS));
  const transports: Transport[] = [
    {
      tag: 'send',
      label: (clients) => `EngineService.send, ${clients} cliente(s) a la vez, trámites distintos (${db.name})`,
      send: async (caseId) => {
        const res = await engine.send(caseId, recibirOficio(), OFICIALIA);
        if (res.state !== 'turno') throw new Error(`send: estado ${res.state}`);
      },
      goal: db.sqlite ? 0.3 : 0.6,
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
        // Warm-up (untimed): two events per client through both.
        const warm = take(clients * 2);
        const warmV = await versions(warm);
        await wall(clients, 2, (c, i) => t.send(warm[c * 2 + i], warmV[c * 2 + i]));
        await wall(clients, 2, (c, i) => raw.write(warm[c * 2 + i], rawK++));
        const product: number[] = [];
        const base: number[] = [];
        const progress = new Progress(
          `${db.name}: ${t.tag === 'http' ? 'HTTP, ' : ''}${clients} cliente(s), ${ROUNDS} rondas producto/directo`,
          ROUNDS * 2,
        );
        for (let r = 0; r < ROUNDS; r++) {
          const mine = take(clients * each);
          const v = await versions(mine);
          const ms = await wall(clients, each, (c, i) => t.send(mine[c * each + i], v[c * each + i]));
          product.push(ms / (clients * each));
          progress.tick();
          // The raw transaction writes the same rows of the same cases (their version moves on; nothing reads it).
          base.push((await wall(clients, each, (c, i) => raw.write(mine[c * each + i], rawK++))) / (clients * each));
          progress.tick();
        }
        const ratios = product.map((p, i) => base[i] / p);
        progress.finish(
          `producto ${(1000 / median(product)).toFixed(0)}/s, directo ${(1000 / median(base)).toFixed(0)}/s, ` +
            `razón por ronda ${ratios.map((x) => x.toFixed(2)).join(' ')}`,
        );
        const noMemory = { rssPeakMb: 0, heapRetainedMb: 0 };
        const rawId = `engine.${tag}.${t.tag}.c${clients}.raw`;
        out.measurements.push(
          {
            section: 'motor',
            id: `engine.${tag}.c${clients}.${t.tag}`,
            label: t.label(clients),
            kind: 'producto',
            compareWith: [rawId],
            goal: clients === 8 ? t.goal : undefined,
            notes: [
              `${clients} cliente(s), ${each} eventos cada uno por ronda, ${ROUNDS} rondas intercaladas con el directo; ` +
                `rendimiento producto/directo por ronda: ${ratios.map((x) => `${x.toFixed(2)}×`).join(', ')} ` +
                `(mediana ${median(ratios).toFixed(2)}×); movimientos ${perCase ? 'encadenados por trámite' : 'en una sola cadena global'}`,
            ],
            summary: summarize(product, 'evento'),
            memory: noMemory,
          },
          {
            section: 'motor',
            id: rawId,
            label: `${db.sqlite ? 'better-sqlite3' : `mysql2 (pool de ${POOL})`}: UPDATE + INSERT movimiento + INSERT outbox, ${clients} cliente(s) (${db.name})`,
            short: 'sql',
            kind: 'base',
            summary: summarize(base, 'evento'),
            memory: noMemory,
          },
        );
        out.details[`engine.${tag}.${t.tag}.c${clients}.ratios`] = ratios;
      }
    }
  } finally {
    await raw.close();
    await http.close();
  }
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
