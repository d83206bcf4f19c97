/**
 * The embedded default (`npm start` without DATABASE_URL nor REDIS_URL: SQLite in DATA_DIR, the in-process queue, the
 * `local` directory, mail as .eml files in DATA_DIR/outbox) SIGKILLed at random moments while workers ask for their
 * account (5.1.1 self-service, a pair of namesakes among them), and started again on the same DATA_DIR each time.
 * Requests cut by a kill are sent again to the next process, as a person retries. Afterwards: every case the test
 * got an answer for ends (account created, or an incident that says why), one account and one credentials mail per
 * holder, no Message-ID twice, no command executed twice at once (the job runner's debug lines), the movement log
 * verifies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { In } from 'typeorm';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import type { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { verifyMovementLog } from '../../src/engine/audit';
import { loadOrCreateTestSigner } from '../../src/letters/signer';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { SEND_LEASE_MS } from '../../src/mail/mailer';
import { DirectorioLocal } from '../../src/provisioning/providers/local/directorio-local.entity';
import { startWeb, type WebProcess } from '../oficios/web-process';
import { addWorker } from '../support/pipeline';
import { createTestDb, type TestDb } from '../support/test-db';
import { reportFigures, scaled } from './report';

const CASES = scaled('embedded_cases', 20, 80);
const KILLS = scaled('embedded_kills', 5, 20);
/** Workers asking at once. */
const CLIENTS = 4;
/** The lease of a running command (QUEUE_STALLED_MS): a killed process's commands are free again this long after. */
const LEASE_MS = 3_000;
/**
 * How long the last process gets to finish every acknowledged case: a command left 'encolado' without its job is
 * queued again by the recovery job (every minute) once it is two minutes stale, so up to about three minutes.
 */
const SETTLE_MS = 210_000;

/** One execution of a command, from the job runner's 'Ejecución iniciada' / 'Ejecución terminada' lines. */
interface Execution {
  outboxId: string;
  type: string;
  pid: number;
  start: number;
  /** The end line's time; a process killed first ends it at its kill time. */
  end: number | null;
  interrupted: boolean;
}

interface Driven {
  worker: Trabajador;
  caseId: string;
}

const NAMES: [string, string][] = [
  ['Ana Lucía', 'Barajas'],
  ['José Luis', 'Cervantes'],
  ['María Elena', 'Díaz'],
  ['Juan Carlos', 'Espinoza'],
  ['Guadalupe', 'Fajardo'],
  ['Francisco', 'Gálvez'],
  ['Rosa María', 'Hernández'],
  ['Miguel Ángel', 'Ibarra'],
  ['Verónica', 'Jiménez'],
  ['Jesús', 'Llamas'],
  ['Patricia', 'Magaña'],
  ['Ramón', 'Núñez'],
  ['Adriana', 'Orozco'],
  ['Salvador', 'Preciado'],
  ['Claudia', 'Quintero'],
  ['Arturo', 'Rincón'],
];

describe('caídas del proceso embebido: SIGKILL con trámites en curso y arranque sobre el mismo DATA_DIR', () => {
  let db: TestDb;
  let web: WebProcess | undefined;
  const ds = () => db.dataSource;

  beforeAll(async () => {
    db = await createTestDb('sqlite');
  });
  afterAll(async () => {
    await web?.kill();
    await db?.close();
  });

  it(`${CASES} autoservicios 5.1.1 con ${KILLS} muertes del proceso: ninguno perdido, nada repetido, ninguna ejecución simultánea`, async () => {
    // Workers: every one a different person except the first two, namesakes (same names, different CURP).
    const workers: Trabajador[] = [];
    for (let i = 0; i < CASES; i++) {
      const [nombre, primerApellido] = i < 2 ? ['Dolores', 'Güemes'] : NAMES[i % NAMES.length];
      workers.push(
        await addWorker(ds(), { nombre, primerApellido, correoAlterno: `autoservicio.${i}@correo-alterno.example` }),
      );
    }

    // --- the process, its lives and its executions ---
    const executions = new Map<string, Execution>();
    const killedAt = new Map<number, number>();
    const startedAt = new Map<number, number>();
    let lives = 0;
    /** When each retry after a transient failure is due (the job runner's 'Falla transitoria' lines). */
    const retries: { due: number; delay: number }[] = [];
    /** Warnings and errors of every process, for the failure message. */
    const warnings: string[] = [];
    /** Commands the recovery job queued again, and cases it sent to an incident (its 'Recuperación:' lines). */
    let recovered = 0;
    /** End lines without their start line: the log lost lines, and the overlap check could not be trusted. */
    const orphanEnds: string[] = [];
    const onLine = (pid: number, line: string): void => {
      if (!line.startsWith('{')) return;
      let rec: {
        level?: number;
        msg?: string;
        time?: number;
        outboxId?: string;
        execution?: string;
        type?: string;
        requeued?: number;
        cases?: number;
        delay?: number;
      };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        return;
      }
      if ((rec.level ?? 0) >= 40) warnings.push(`[${pid}] ${line.slice(0, 600)}`);
      if (rec.msg?.startsWith('Recuperación:')) recovered += (rec.requeued ?? 0) + (rec.cases ?? 0);
      if (rec.msg?.startsWith('Falla transitoria') && typeof rec.delay === 'number' && typeof rec.time === 'number')
        retries.push({ due: rec.time + rec.delay, delay: rec.delay });
      if (!rec.execution || !rec.outboxId || typeof rec.time !== 'number') return;
      if (rec.msg === 'Ejecución iniciada') {
        executions.set(rec.execution, {
          outboxId: rec.outboxId,
          type: rec.type ?? '?',
          pid,
          start: rec.time,
          end: null,
          interrupted: false,
        });
      } else if (rec.msg === 'Ejecución terminada') {
        const e = executions.get(rec.execution);
        if (e) e.end = rec.time;
        else orphanEnds.push(line);
      }
    };
    const env = { DATA_DIR: db.dataDir, LOG_LEVEL: 'debug', QUEUE_STALLED_MS: String(LEASE_MS), RETRY_BASE_MS: '200' };
    const start = async (): Promise<WebProcess> => {
      let pid = 0;
      let pending = '';
      const early: string[] = [];
      const p = await startWeb(env, 120_000, {
        onOutput: (chunk, stream) => {
          if (stream !== 'stdout') return;
          const lines = (pending + chunk).split('\n');
          pending = lines.pop() ?? '';
          for (const l of lines) {
            if (pid) onLine(pid, l);
            else early.push(l);
          }
        },
      });
      pid = p.pid;
      startedAt.set(pid, Date.now());
      for (const l of early.splice(0)) onLine(pid, l);
      lives++;
      return p;
    };
    const openExecutions = (pid: number): number =>
      [...executions.values()].filter((e) => e.pid === pid && e.end === null).length;

    // `ready` is the process to talk to: replaced before a kill, so a request cut by it waits for the next process.
    let ready: Promise<WebProcess>;
    web = await start();
    ready = Promise.resolve(web);

    // --- the workers: ask (CURP + CURT), then confirm; a request the kill cut is sent again to the next process ---
    let retried = 0;
    const call = async (
      method: 'GET' | 'POST',
      path: string,
      body: unknown,
      ip: string,
    ): Promise<{ status: number; body: Record<string, unknown> }> => {
      for (let attempt = 1; ; attempt++) {
        const p = await ready;
        try {
          const res = await fetch(`${p.url}${path}`, {
            method,
            headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(60_000),
          });
          const text = await res.text();
          return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
        } catch (e) {
          // The process died under the request (connection refused or reset); anything else is the test's own fault.
          if (attempt > 50)
            throw new Error(`${method} ${path}: sin respuesta tras ${attempt} intentos (${(e as Error).message})`);
          retried++;
          await sleep(100);
        }
      }
    };
    const acknowledged: Driven[] = [];
    const drive = async (i: number): Promise<void> => {
      const w = workers[i];
      // Each worker from their own connection, as the rate limit counts them (the app trusts loopback's X-Forwarded-For).
      const ip = `10.20.${Math.floor(i / 200)}.${(i % 200) + 1}`;
      const alta = await call('POST', '/api/autoservicio/alta', { curp: w.curp, curt: w.curt }, ip);
      if (alta.status !== 200) throw new Error(`alta de ${w.curp} → ${alta.status}: ${JSON.stringify(alta.body)}`);
      const caseId = alta.body.tramite as string;
      const token = alta.body.token as string;
      acknowledged.push({ worker: w, caseId });
      // A repeated alta (its first answer lost with the process) finds the open request: the same case, maybe confirmed.
      if (alta.body.estado !== 'confirmacion') {
        if (alta.body.existente !== true) throw new Error(`alta de ${w.curp}: estado ${String(alta.body.estado)}`);
        return;
      }
      const conf = await call('POST', `/api/autoservicio/tramites/${caseId}/confirmar`, { token, confirma: true }, ip);
      if (conf.status === 200) return;
      // 409: the confirmation sent to the killed process had gone through; the case has moved on.
      const now = await call(
        'GET',
        `/api/autoservicio/tramites/${caseId}?token=${encodeURIComponent(token)}`,
        undefined,
        ip,
      );
      if (conf.status === 409 && now.status === 200 && now.body.estado !== 'confirmacion') return;
      throw new Error(
        `confirmación de ${caseId} → ${conf.status}: ${JSON.stringify(conf.body)}; estado: ${JSON.stringify(now.body)}`,
      );
    };
    let allowance = 0;
    let next = 0;
    const client = async (): Promise<void> => {
      for (;;) {
        if (next >= CASES) return;
        if (next >= allowance) {
          await sleep(20);
          continue;
        }
        await drive(next++);
      }
    };

    // --- the killer: each life gets its share of the cases, and dies at a random moment while they are in flight ---
    const killer = async (): Promise<void> => {
      for (let k = 1; k <= KILLS; k++) {
        const before = acknowledged.length;
        allowance = Math.round((k * CASES) / (KILLS + 1));
        const until = Date.now() + 20_000;
        while (acknowledged.length === before && Date.now() < until) await sleep(5);
        if (k % 2 === 0) {
          // Aimed: the moment a command is being executed, when there is one within a few seconds.
          const aim = Date.now() + 4_000;
          while (openExecutions(web!.pid) === 0 && Date.now() < aim) await sleep(1);
        } else {
          await sleep(Math.floor(Math.random() * 1_500));
        }
        let revive!: (p: WebProcess) => void;
        ready = new Promise<WebProcess>((r) => (revive = r));
        const dead = web!;
        await dead.kill();
        killedAt.set(dead.pid, Date.now());
        // Every other restart waits for the dead process's leases to expire (a supervisor's restart delay), so the
        // next boot queues their commands again; the others start at once, and a command whose lease is still live
        // at boot waits for the recovery job (every minute) of a later process.
        if (k % 2 === 0 || k === KILLS) await sleep(LEASE_MS + 200);
        web = await start();
        revive(web);
      }
      allowance = CASES;
    };
    await Promise.all([killer(), ...Array.from({ length: CLIENTS }, () => client())]);
    expect(acknowledged).toHaveLength(CASES);
    expect(lives).toBe(KILLS + 1);

    // --- the last process finishes everything it was left ---
    const ids = acknowledged.map((a) => a.caseId);
    // A retry the processes scheduled later than that (a mail whose send a killed process had reserved waits for the
    // reservation, SEND_LEASE_MS) extends the wait to its time, within that bound.
    const settleFrom = Date.now();
    const deadline = (): number =>
      Math.min(
        settleFrom + SETTLE_MS + SEND_LEASE_MS,
        Math.max(settleFrom + SETTLE_MS, Math.max(0, ...retries.map((r) => r.due)) + 30_000),
      );
    let open = await ds()
      .getRepository(ProcedureCase)
      .countBy({ id: In(ids), status: 'activo' });
    while (open > 0 && Date.now() < deadline()) {
      await sleep(500);
      open = await ds()
        .getRepository(ProcedureCase)
        .countBy({ id: In(ids), status: 'activo' });
    }
    const settledIn = Math.round((Date.now() - settleFrom) / 1000);
    // Done: the last executions have written their end lines.
    await sleep(300);
    const last = web;
    await last.kill();
    killedAt.set(last.pid, Date.now());
    web = undefined;
    for (const e of executions.values()) {
      if (e.end !== null) continue;
      const k = killedAt.get(e.pid);
      if (k === undefined) throw new Error(`ejecución de un proceso que no murió: ${e.outboxId}`);
      e.end = k;
      e.interrupted = true;
    }

    // Every acknowledged case ended: its account created, or an incident that says why.
    const cases = await ds()
      .getRepository(ProcedureCase)
      .findBy({ id: In(ids) });
    expect(cases).toHaveLength(CASES);
    const unfinished = cases
      .filter(
        (c) =>
          !(c.status === 'concluido' && c.outcome === 'creada') &&
          !(c.status === 'incidente' && (c.incidentMessage ?? '').length > 0),
      )
      .map((c) => `${c.id}: ${c.status} ${c.state} ${c.outcome ?? ''} ${c.incidentMessage ?? ''}`);
    if (unfinished.length) {
      // What a person needs to tell why: the commands of those cases and every execution of them, by process.
      const stuck = cases.filter((c) => unfinished.some((u) => u.startsWith(c.id))).map((c) => c.id);
      const cmds = await ds()
        .getRepository(OutboxCommand)
        .findBy({ caseId: In(stuck) });
      const runs = [...executions.values()].filter((e) => cmds.some((c) => c.id === e.outboxId));
      console.error(
        `${unfinished.length} sin terminar.\nComandos: ${JSON.stringify(cmds, null, 1)}\nEjecuciones: ${JSON.stringify(runs)}\n` +
          `Procesos (pid: arranque → muerte): ${JSON.stringify([...startedAt].map(([pid, t]) => [pid, t, killedAt.get(pid)]))}\n` +
          `Avisos y errores (${warnings.length}):\n${warnings.slice(-60).join('\n')}\nSalida del último proceso:\n${last.output().slice(-4000)}`,
      );
    }
    expect(unfinished).toEqual([]);
    const created = cases.filter((c) => c.status === 'concluido');
    const incidents = cases.filter((c) => c.status === 'incidente');

    // One account per holder, in the local directory and in the catalog; namesakes get addresses of their own.
    const dir = await ds().getRepository(DirectorioLocal).find();
    const perHolder = new Map<string, string[]>();
    for (const r of dir)
      perHolder.set(r.holderCurp ?? `cct:${r.holderCct}`, [
        ...(perHolder.get(r.holderCurp ?? `cct:${r.holderCct}`) ?? []),
        r.address,
      ]);
    expect([...perHolder.entries()].filter(([, a]) => a.length > 1)).toEqual([]);
    const cuentas = await ds().getRepository(Cuenta).find();
    const cuentasPorTitular = new Map<string, number>();
    for (const c of cuentas)
      if (c.titularCurp) cuentasPorTitular.set(c.titularCurp, (cuentasPorTitular.get(c.titularCurp) ?? 0) + 1);
    expect([...cuentasPorTitular.entries()].filter(([, n]) => n > 1)).toEqual([]);
    const curpOf = new Map(acknowledged.map((a) => [a.caseId, a.worker.curp]));
    for (const c of created) {
      expect(perHolder.get(curpOf.get(c.id)!)).toHaveLength(1);
      expect(cuentasPorTitular.get(curpOf.get(c.id)!)).toBe(1);
    }
    const namesakes = workers.slice(0, 2).map((w) => perHolder.get(w.curp)?.[0]);
    if (namesakes.every(Boolean)) expect(namesakes[0]).not.toBe(namesakes[1]);

    // The mails: no Message-ID twice, and one credentials mail per account created (none to a worker without one).
    const outbox = join(db.dataDir, 'outbox');
    const files = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
    const messageIds: string[] = [];
    const perRecipient = new Map<string, number>();
    for (const f of files) {
      const raw = readFileSync(join(outbox, f), 'utf8');
      const id = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(raw)?.[1];
      if (!id) throw new Error(`${f} no tiene Message-ID`);
      messageIds.push(id);
      const to = /^To:\s*(.+)$/im.exec(raw)?.[1] ?? '';
      const addr = (/<([^>]+)>/.exec(to)?.[1] ?? to).trim().toLowerCase();
      perRecipient.set(addr, (perRecipient.get(addr) ?? 0) + 1);
    }
    const duplicateIds = messageIds.filter((id, i) => messageIds.indexOf(id) !== i);
    expect(duplicateIds).toEqual([]);
    const alternoOf = new Map(acknowledged.map((a) => [a.caseId, a.worker.correoAlterno!.toLowerCase()]));
    const repeatedMail = [...perRecipient.entries()].filter(([, n]) => n > 1);
    expect(repeatedMail).toEqual([]);
    for (const c of created) expect(perRecipient.get(alternoOf.get(c.id)!)).toBe(1);

    // No command ran twice at once, whichever processes its executions were in.
    const byCommand = new Map<string, Execution[]>();
    for (const e of executions.values()) byCommand.set(e.outboxId, [...(byCommand.get(e.outboxId) ?? []), e]);
    const overlaps: string[] = [];
    for (const [id, list] of byCommand) {
      list.sort((a, b) => a.start - b.start);
      for (let i = 0; i < list.length; i++)
        for (let j = i + 1; j < list.length; j++)
          if (list[j].start < list[i].end!)
            overlaps.push(
              `${id} (${list[i].type}): ${list[i].start}–${list[i].end} (pid ${list[i].pid}) y ${list[j].start}– (pid ${list[j].pid})`,
            );
    }
    expect(orphanEnds).toEqual([]);
    // The lines were there to compare: a provisioning per case, and a credentials mail per account created.
    expect(executions.size).toBeGreaterThanOrEqual(CASES + created.length);
    expect(overlaps).toEqual([]);

    // The movement log verifies (what `npm run audit:verify` runs).
    const audit = await verifyMovementLog(ds(), { trusted: [loadOrCreateTestSigner(db.dataDir).certificateDer] });
    expect(audit.problems).toEqual([]);
    expect(audit.checked).toBeGreaterThan(0);

    // The kills fell while commands were running (the aimed ones wait for that): otherwise this proved little.
    const interrupted = [...executions.values()].filter((e) => e.interrupted).length;
    // A command the recovery job had to queue again lost its job in a living process: say which, and what was logged.
    if (recovered > 0) process.stderr.write(`Recuperación: ${recovered}. Avisos y errores:\n${warnings.join('\n')}\n`);
    expect(interrupted).toBeGreaterThan(0);
    reportFigures('caídas del proceso embebido', {
      casos: CASES,
      muertes: KILLS,
      ejecuciones: executions.size,
      interrumpidas: interrupted,
      solapes: overlaps.length,
      correos: files.length,
      duplicados: duplicateIds.length + repeatedMail.length,
      incidentes: incidents.length,
      peticionesCortadas: retried,
      recuperados: recovered,
      esperaFinalS: settledIn,
      // Retries a minute or more away: a mail reserved by a killed process waits for its reservation to lapse.
      reintentosLargos: retries.filter((r) => r.delay >= 60_000).length,
    });
  });
});
