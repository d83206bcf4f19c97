import { transition, type AnyMachineSnapshot } from 'xstate';
import { PROCEDURES } from '../../machines';
import type { Actor } from '../../src/auth/actor';
import { CalendarService } from '../../src/engine/calendar.service';
import { EngineService, type EngineEvent } from '../../src/engine/engine.service';
import type { EngineProcedure } from '../../src/engine/procedure-registry';
import { persistSnapshot, restoreSnapshot, stateString } from '../../src/engine/snapshot';
import { type BenchDb, onEachDatabase } from './bench-db';
import { emptySection, type SectionResult, type Sizes } from './section';
import { heading, measure, type Measurement, Progress } from './stats';

/**
 * One event through the engine (load the case, pure transition, one transaction with snapshot + movement + tasks +
 * outbox) against XState's pure transition() on the same machine and snapshot, and a raw UPDATE + INSERT of the same
 * size. The event is RECIBIR_OFICIO of cuenta-bloquear (Guía 5.5 paso 2): it closes the reception task, opens the
 * turn task with its two reminders and declares the acuse, so every part of the transaction is written.
 */

export const PROCEDURE = 'cuenta-bloquear';
export const OFICIALIA: Actor = { id: 'u-oficialia', role: 'subdireccion', nombre: 'María Fernanda Ochoa Larios' };
const EXPECTED_STATE = 'turno';
const WARMUP = 20;

const recibirOficio = (): EngineEvent => ({ type: 'RECIBIR_OFICIO', at: new Date().toISOString() });

/** SQLite stores TypeORM datetimes as UTC text with milliseconds. */
const sqliteDate = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');

/** Opens `count` cases of the benchmark's procedure (untimed), `parallel` at a time; their ids. */
export async function openCases(engine: EngineService, count: number, label: string, parallel = 1): Promise<string[]> {
  const progress = new Progress(`${label}: abriendo trámites (sin medir)`, count);
  const ids: string[] = [];
  let next = 0;
  const opener = async (): Promise<void> => {
    while (next < count) {
      const n = String(++next).padStart(6, '0');
      const r = await engine.start(
        PROCEDURE,
        OFICIALIA,
        {
          oficio: {
            folio: `DEP/${n}/2026`,
            fecha: '2026-11-25',
            asunto: 'Bloqueo de la cuenta programa.lectura@colima.gob.mx',
          },
        },
        { folio: `MCI-2026-${n}` },
      );
      ids.push(r.caseId);
      progress.tick();
    }
  };
  await Promise.all(Array.from({ length: parallel }, opener));
  progress.finish();
  return ids;
}

interface RawPayload {
  snapshot: string;
  state: string;
  movement: {
    procedureId: string;
    procedureVersion: number;
    actorId: string;
    actorRole: string;
    fromState: string;
    toState: string;
    eventType: string;
    data: string;
    pasos: string;
    prevHash: string;
    hash: string;
  };
}

/** A real snapshot and movement written by the engine, so the raw statements carry the same bytes. */
async function payloadFrom(db: BenchDb, caseId: string): Promise<RawPayload> {
  const [c] = await db.dataSource.query<{ snapshot: string; state: string }[]>(
    'SELECT snapshot, state FROM procedure_case WHERE id = ?',
    [caseId],
  );
  const [m] = await db.dataSource.query<Record<string, string | number>[]>(
    'SELECT procedure_id, procedure_version, actor_id, actor_role, from_state, to_state, event_type, data, pasos, prev_hash, hash FROM movement WHERE case_id = ? ORDER BY seq DESC LIMIT 1',
    [caseId],
  );
  return {
    snapshot: c.snapshot,
    state: c.state,
    movement: {
      procedureId: String(m.procedure_id),
      procedureVersion: Number(m.procedure_version),
      actorId: String(m.actor_id),
      actorRole: String(m.actor_role),
      fromState: String(m.from_state),
      toState: String(m.to_state),
      eventType: String(m.event_type),
      data: String(m.data),
      pasos: String(m.pasos),
      prevHash: String(m.prev_hash),
      hash: String(m.hash),
    },
  };
}

const UPDATE_CASE =
  'UPDATE procedure_case SET state = ?, snapshot = ?, version = version + 1, updated_at = ? WHERE id = ?';
const INSERT_MOVEMENT =
  'INSERT INTO movement (case_seq, case_id, procedure_id, procedure_version, actor_id, actor_role, at, from_state, to_state, event_type, data, pasos, prev_hash, hash) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
/** Raw movements get case numbers far above the engine's (unique per case), in a database that is thrown away afterwards. */
const RAW_SEQ_BASE = 1_000_000_000;

function movementParams(p: RawPayload, k: number, caseId: string): unknown[] {
  const m = p.movement;
  return [
    RAW_SEQ_BASE + k,
    caseId,
    m.procedureId,
    m.procedureVersion,
    m.actorId,
    m.actorRole,
    new Date().toISOString(),
    m.fromState,
    m.toState,
    m.eventType,
    m.data,
    m.pasos,
    m.prevHash,
    m.hash,
  ];
}

async function engineOn(
  db: BenchDb,
  iterations: number,
  tag: 'sqlite' | 'mariadb',
  out: SectionResult,
  xstateIterations?: number,
): Promise<void> {
  const ds = db.dataSource;
  const calendar = new CalendarService(ds);
  await calendar.ensureOfficialHolidays();
  const definitions = PROCEDURES as unknown as EngineProcedure[];
  const engine = new EngineService(ds, definitions, calendar);
  await engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
  const ids = await openCases(engine, iterations + WARMUP + 1, db.name);

  // The snapshot of a case waiting for RECIBIR_OFICIO, as stored: the input of the XState baseline.
  const [{ snapshot: storedJson }] = await ds.query<{ snapshot: string }[]>(
    'SELECT snapshot FROM procedure_case WHERE id = ?',
    [ids[0]],
  );

  // What one send costs in statements (BEGIN and COMMIT included).
  const probeId = ids.pop() as string;
  db.capture.start();
  await engine.send(probeId, recibirOficio(), OFICIALIA);
  const statements = db.capture.stop();
  const counts = { tasks: 0, outbox: 0 };
  for (const s of statements) {
    if (/^INSERT INTO [`"]task[`"]/i.test(s.query) || /^UPDATE [`"]task[`"]/i.test(s.query)) counts.tasks++;
    if (/^INSERT INTO [`"]outbox[`"]/i.test(s.query)) counts.outbox++;
  }
  const stmtNote = `${statements.length} sentencias SQL por evento (con BEGIN/COMMIT): ${counts.tasks} de tareas, ${counts.outbox} INSERT en outbox`;
  out.details[`${tag}.statementsPerEvent`] = statements.map((s) => s.query.slice(0, 160));

  const sendId = `engine.${tag}.send`;
  const rawId = `engine.${tag}.raw`;
  const progress = new Progress(`${db.name}: EngineService.send`, iterations);
  const send = await measure({ iterations, warmup: WARMUP, unit: 'evento', progress }, async (k) => {
    const r = await engine.send(ids[k], recibirOficio(), OFICIALIA);
    if (r.state !== EXPECTED_STATE || r.commands.length !== 1)
      throw new Error(`send: estado ${r.state}, ${r.commands.length} comandos (se esperaba ${EXPECTED_STATE} y 1)`);
  });
  progress.finish(`mediana ${send.summary.medianMs} ms`);

  const payload = await payloadFrom(db, ids[0]);
  const sizeNote = `UPDATE de la instantánea (${payload.snapshot.length} B) + INSERT del movimiento (${payload.movement.data.length} B de datos), los bytes que escribió el motor`;
  let raw: Awaited<ReturnType<typeof measure>>;
  const rawProgress = new Progress(`${db.name}: UPDATE+INSERT directo`, iterations);
  if (db.sqlite) {
    const upd = db.sqlite.prepare(UPDATE_CASE);
    const ins = db.sqlite.prepare(INSERT_MOVEMENT);
    const tx = db.sqlite.transaction((k: number) => {
      const caseId = ids[k];
      upd.run(payload.state, payload.snapshot, sqliteDate(new Date()), caseId);
      ins.run(...movementParams(payload, k, caseId));
    });
    raw = await measure({ iterations, warmup: WARMUP, unit: 'evento', progress: rawProgress }, (k) => tx(k));
  } else {
    const conn = await db.mysqlConnection!();
    try {
      raw = await measure({ iterations, warmup: WARMUP, unit: 'evento', progress: rawProgress }, async (k) => {
        const caseId = ids[k];
        await conn.beginTransaction();
        await conn.query(UPDATE_CASE, [payload.state, payload.snapshot, new Date(), caseId]);
        await conn.query(INSERT_MOVEMENT, movementParams(payload, k, caseId));
        await conn.commit();
      });
    } finally {
      await conn.end();
    }
  }
  rawProgress.finish(`mediana ${raw.summary.medianMs} ms`);

  if (xstateIterations !== undefined) {
    const def = engine.registry.get(PROCEDURE, 1);
    const machine = def.machine;
    const snap = restoreSnapshot(machine, storedJson);
    const event = recibirOficio();
    const check = (next: AnyMachineSnapshot): void => {
      if (stateString(next.value) !== EXPECTED_STATE)
        throw new Error(`transition(): estado ${stateString(next.value)}`);
    };
    const xp = new Progress('XState transition() puro', xstateIterations);
    const pure = await measure({ iterations: xstateIterations, warmup: 200, unit: 'evento', progress: xp }, () => {
      const [next] = transition(machine, snap, event) as [AnyMachineSnapshot, unknown[]];
      check(next);
    });
    xp.finish(`mediana ${pure.summary.medianMs} ms`);
    const rp = new Progress('XState restaurar + transition() + persistir', xstateIterations);
    const roundTrip = await measure({ iterations: xstateIterations, warmup: 200, unit: 'evento', progress: rp }, () => {
      const s = restoreSnapshot(machine, storedJson);
      const [next] = transition(machine, s, event) as [AnyMachineSnapshot, unknown[]];
      check(next);
      return persistSnapshot(machine, next).length;
    });
    rp.finish(`mediana ${roundTrip.summary.medianMs} ms`);
    out.measurements.push(
      {
        section: 'motor',
        id: 'engine.xstate.transition',
        label: 'XState transition() puro, misma máquina e instantánea, sin BD',
        short: 'xstate',
        kind: 'base',
        ...pure,
      },
      {
        section: 'motor',
        id: 'engine.xstate.roundtrip',
        label: 'XState restaurar + transition() + persistir, sin BD',
        kind: 'base',
        ...roundTrip,
      },
    );
  }

  const rawLabel = db.sqlite
    ? 'better-sqlite3: UPDATE + INSERT en 1 transacción'
    : 'mysql2: UPDATE + INSERT en 1 transacción';
  const m: Measurement[] = [
    {
      section: 'motor',
      id: sendId,
      label: `EngineService.send RECIBIR_OFICIO (${PROCEDURE}) en ${db.name}`,
      kind: 'producto',
      compareWith: ['engine.xstate.transition', rawId],
      notes: [stmtNote],
      ...send,
    },
    {
      section: 'motor',
      id: rawId,
      label: `${rawLabel} (${db.name})`,
      short: 'sql',
      kind: 'base',
      notes: [sizeNote],
      ...raw,
    },
  ];
  out.measurements.unshift(...m);
}

export async function benchEngine(sizes: Sizes): Promise<SectionResult> {
  const out = emptySection();
  heading('Motor / engine');
  await onEachDatabase(out, 'Motor', async (db) => {
    if (db.sqlite) return engineOn(db, sizes.engineSqlite, 'sqlite', out, sizes.xstateIterations);
    // The MariaDB rows go after SQLite's product and baseline rows, before the XState baselines.
    const before = out.measurements.length;
    const section = emptySection();
    await engineOn(db, sizes.engineMariadb, 'mariadb', section);
    out.measurements.splice(before, 0, ...section.measurements);
    Object.assign(out.details, section.details);
  });
  return out;
}
