import { performance } from 'node:perf_hooks';
import type { Actor } from '../../src/auth/actor';
import { type InboxQuery, InboxService } from '../../src/engine/inbox.service';
import { type BenchDb, type CapturedQuery, onEachDatabase } from './bench-db';
import { emptySection, type SectionResult, type Sizes } from './section';
import { heading, measure, note, Progress } from './stats';
import { TASK_COLUMNS, TaskGenerator, type TaskRow } from './task-generator';
import { optimizeSqlite } from '../../src/database/sqlite-maintenance';

/**
 * InboxService.list on a task table of a million rows (issue 3: "fast on a million tasks, indexes proven by the
 * benchmark"). The statements the service sends are captured, explained, and replayed raw as the baseline; the raw
 * replay must return the same ids and total, or the run fails.
 */

const SUBJEFATURA: Actor = { id: 'u-subjefatura-1', role: 'subjefatura' };
const NIVEL: Actor = { id: 'u-nivel-primaria', role: 'nivel', nivelClave: 'PRIMARIA' };
const SQLITE_TX_ROWS = 50_000;
const MYSQL_TX_ROWS = 50_000;
const MYSQL_ROWS_PER_INSERT = 2_500;

interface InboxCase {
  id: string;
  label: string;
  actor: Actor;
  query: InboxQuery;
  /** A search by one column should use that column's index; anything else reads every open task of the role. */
  expectIndex?: string;
}

function inboxCases(g: TaskGenerator): InboxCase[] {
  const p = g.probe;
  return [
    { id: 'role-first-page', label: 'rol Subjefatura: abiertas, 1.ª página', actor: SUBJEFATURA, query: {} },
    {
      id: 'folio',
      label: `por folio (${p.folio})`,
      actor: SUBJEFATURA,
      query: { folio: p.folio },
      expectIndex: 'idx_task_folio',
    },
    { id: 'curp', label: 'por CURP', actor: SUBJEFATURA, query: { curp: p.curp }, expectIndex: 'idx_task_curp' },
    { id: 'cct', label: `por CCT (${p.cct})`, actor: SUBJEFATURA, query: { cct: p.cct }, expectIndex: 'idx_task_cct' },
    { id: 'overdue', label: 'solo vencidas', actor: SUBJEFATURA, query: { vencidas: true } },
    { id: 'nivel', label: 'bandeja de un usuario Nivel (Primaria)', actor: NIVEL, query: {} },
    { id: 'page-200', label: 'rol Subjefatura: página 200', actor: SUBJEFATURA, query: { pagina: 200 } },
  ];
}

async function loadSqlite(db: BenchDb, g: TaskGenerator): Promise<void> {
  const sqlite = db.sqlite!;
  const stmt = sqlite.prepare(
    `INSERT INTO task (${TASK_COLUMNS.join(', ')}) VALUES (${TASK_COLUMNS.map(() => '?').join(', ')})`,
  );
  const insertMany = sqlite.transaction((rows: TaskRow[]) => {
    for (const r of rows) stmt.run(...r);
  });
  const p = new Progress(
    `${db.name}: cargando ${g.total.toLocaleString('es-MX')} tareas (INSERT preparado, transacciones de 50 000)`,
    g.total,
  );
  for (const chunk of g.chunks(SQLITE_TX_ROWS)) {
    insertMany(chunk);
    p.tick(chunk.length);
  }
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  p.finish();
  // What the product's SqliteMaintenance does at boot and every hour (approximate ANALYZE).
  const t0 = performance.now();
  await optimizeSqlite(db.dataSource);
  note(
    `  ${db.name}: estadísticas del planificador como las mantiene el producto (${Math.round(performance.now() - t0)} ms)`,
  );
}

async function loadMariaDb(db: BenchDb, g: TaskGenerator): Promise<void> {
  const conn = await db.mysqlConnection!();
  const p = new Progress(
    `${db.name}: cargando ${g.total.toLocaleString('es-MX')} tareas (INSERT de ${MYSQL_ROWS_PER_INSERT} filas, transacciones de 50 000)`,
    g.total,
  );
  try {
    await conn.query('SET SESSION unique_checks = 0');
    const sql = `INSERT INTO task (${TASK_COLUMNS.join(', ')}) VALUES ?`;
    for (const chunk of g.chunks(MYSQL_TX_ROWS)) {
      await conn.beginTransaction();
      for (let i = 0; i < chunk.length; i += MYSQL_ROWS_PER_INSERT) {
        const part = chunk.slice(i, i + MYSQL_ROWS_PER_INSERT);
        await conn.query(sql, [part]);
        p.tick(part.length);
      }
      await conn.commit();
    }
    await conn.query('SET SESSION unique_checks = 1');
    // InnoDB recomputes statistics by itself after this many changes, in the background; do it now so the plans shown
    // are the ones a settled server picks.
    await conn.query('ANALYZE TABLE task');
  } finally {
    await conn.end();
  }
  p.finish();
}

interface PlanCheck {
  text: string;
  fullTableScan: boolean;
  fullIndexScan: boolean;
  tempSort: boolean;
  /** The sort covers the whole ORDER BY, so every matching row is read before the first page comes out. */
  fullSort: boolean;
  indexes: string[];
}

async function explainSqlite(db: BenchDb, q: CapturedQuery): Promise<PlanCheck> {
  const rows = db.sqlite!.prepare(`EXPLAIN QUERY PLAN ${q.query}`).all(...q.parameters) as {
    id: number;
    parent: number;
    detail: string;
  }[];
  const depth = new Map<number, number>([[0, 0]]);
  const lines: string[] = [];
  const check: PlanCheck = {
    text: '',
    fullTableScan: false,
    fullIndexScan: false,
    tempSort: false,
    fullSort: false,
    indexes: [],
  };
  for (const r of rows) {
    const d = (depth.get(r.parent) ?? 0) + 1;
    depth.set(r.id, d);
    lines.push(`${'  '.repeat(d)}${r.detail}`);
    if (/^SCAN \S+( AS \S+)?$/.test(r.detail)) check.fullTableScan = true;
    if (/^SCAN .* USING (COVERING )?INDEX/.test(r.detail)) check.fullIndexScan = true;
    if (/TEMP B-TREE/.test(r.detail)) check.tempSort = true;
    // "FOR LAST n TERMS" / "RIGHT PART" sorts only ties of the index order, page by page; "FOR ORDER BY" sorts it all.
    if (/USE TEMP B-TREE FOR ORDER BY/.test(r.detail)) check.fullSort = true;
    const idx = /USING (?:COVERING )?INDEX (\S+)/.exec(r.detail);
    if (idx) check.indexes.push(idx[1]);
  }
  check.text = lines.join('\n');
  return check;
}

async function explainMariaDb(db: BenchDb, q: CapturedQuery): Promise<PlanCheck> {
  const conn = await db.mysqlConnection!();
  try {
    const [rows] = await conn.query(`EXPLAIN ${q.query}`, q.parameters);
    const check: PlanCheck = {
      text: '',
      fullTableScan: false,
      fullIndexScan: false,
      tempSort: false,
      fullSort: false,
      indexes: [],
    };
    const lines: string[] = [];
    for (const r of rows as Record<string, string | number | null>[]) {
      const s = (k: string): string => (r[k] === null || r[k] === undefined ? '-' : String(r[k]));
      lines.push(
        `  tabla=${s('table')} tipo=${s('type')} índice=${s('key')} posibles=${s('possible_keys')} filas≈${s('rows')} extra=${s('Extra')}`,
      );
      if (r.type === 'ALL') check.fullTableScan = true;
      if (r.type === 'index') check.fullIndexScan = true;
      if (/filesort|temporary/i.test(s('Extra'))) check.tempSort = true;
      // MariaDB does not sort page by page along an index prefix: a filesort reads every matching row first.
      if (/filesort/i.test(s('Extra'))) check.fullSort = true;
      if (r.key) check.indexes.push(String(r.key));
    }
    check.text = lines.join('\n');
    return check;
  } finally {
    await conn.end();
  }
}

type RawRun = (qs: CapturedQuery[]) => Promise<{ ids: string[]; total: number }>;

function rawRunner(db: BenchDb): { run: RawRun; close: () => Promise<void> } {
  // The count statement answers `cnt`; the page statement rows carry the task id as `t_id`.
  const pick = (qs: CapturedQuery[], results: unknown[][]): { ids: string[]; total: number } => {
    let ids: string[] = [];
    let total = -1;
    results.forEach((rows, i) => {
      if (/COUNT\(/i.test(qs[i].query)) total = Number((rows[0] as { cnt: unknown }).cnt);
      else ids = (rows as { t_id: unknown }[]).map((r) => String(r.t_id));
    });
    // TypeORM skips the count when a first page comes back short: the page is the whole result.
    return { ids, total: total < 0 ? ids.length : total };
  };
  if (db.sqlite) {
    const sqlite = db.sqlite;
    const cache = new Map<string, ReturnType<typeof sqlite.prepare>>();
    const prepared = (sql: string) => {
      let s = cache.get(sql);
      if (!s) cache.set(sql, (s = sqlite.prepare(sql)));
      return s;
    };
    return {
      run: async (qs) =>
        pick(
          qs,
          qs.map((q) => prepared(q.query).all(...q.parameters)),
        ),
      close: async () => undefined,
    };
  }
  let conn: Awaited<ReturnType<NonNullable<BenchDb['mysqlConnection']>>> | undefined;
  return {
    run: async (qs) => {
      conn ??= await db.mysqlConnection!();
      const results: unknown[][] = [];
      for (const q of qs) results.push((await conn.query(q.query, q.parameters))[0] as unknown[]);
      return pick(qs, results);
    },
    close: async () => {
      await conn?.end();
    },
  };
}

async function inboxOn(db: BenchDb, g: TaskGenerator, sizes: Sizes, out: SectionResult): Promise<void> {
  const inbox = new InboxService(db.dataSource);
  const tag = db.dialect === 'sqlite' ? 'sqlite' : 'mariadb';
  const raw = rawRunner(db);
  const planLines: string[] = [];
  const plans: Record<string, unknown> = {};
  const seen: { c: InboxCase; statements: CapturedQuery[]; indexes: string[]; medianMs: number }[] = [];
  const facts = await storageFacts(db);
  planLines.push(facts, '');
  out.details[`inbox.${tag}.storage`] = facts;
  try {
    for (const c of inboxCases(g)) {
      db.capture.start();
      const first = await inbox.list(c.actor, c.query, g.now);
      const statements = db.capture.stop().filter((q) => /^\s*SELECT/i.test(q.query));
      if (first.items.length === 0)
        out.warnings.push(`Bandeja «${c.label}» (${db.name}) no devolvió filas: la consulta no se probó con datos.`);

      // The baseline must be the very same work: same statements, same ids, same total.
      const check = await raw.run(statements);
      const ids = first.items.map((i) => i.id);
      if (check.total !== first.total || check.ids.join() !== ids.join()) {
        throw new Error(
          `La consulta directa de «${c.label}» (${db.name}) no devuelve lo mismo que InboxService.list: ${check.ids.length}/${check.total} vs ${ids.length}/${first.total}`,
        );
      }

      planLines.push(
        `${c.label} — ${first.total.toLocaleString('es-MX')} coinciden, ${first.items.length} en la página`,
      );
      const casePlans: unknown[] = [];
      for (const [i, s] of statements.entries()) {
        const kind = /COUNT\(/i.test(s.query) ? 'conteo' : 'página';
        const plan = db.sqlite ? await explainSqlite(db, s) : await explainMariaDb(db, s);
        const missed = c.expectIndex !== undefined && !plan.indexes.includes(c.expectIndex);
        // Where the time of a slow page goes: each statement alone, median of three.
        const alone = await measure({ iterations: 3, unit: 'consulta' }, () => raw.run([s]));
        const sortsAll = plan.fullSort && first.total > 1000;
        const flags = [
          plan.fullTableScan ? 'RECORRIDO COMPLETO DE LA TABLA (full table scan)' : '',
          plan.fullIndexScan ? 'recorre un índice completo (full index scan)' : '',
          plan.fullSort
            ? 'ordena todas las filas que coinciden'
            : plan.tempSort
              ? 'ordena en temporal parte del ORDER BY'
              : '',
          missed ? `NO usa ${c.expectIndex}` : '',
        ].filter(Boolean);
        planLines.push(
          `  [${kind}] ${s.query}`,
          `  parámetros: ${JSON.stringify(s.parameters)}`,
          plan.text,
          `  → índices: ${plan.indexes.join(', ') || 'NINGUNO'}${flags.length ? ` · ${flags.join(' · ')}` : ''} · sola: mediana ${alone.summary.medianMs} ms`,
        );
        if (plan.fullTableScan) {
          out.warnings.push(
            `FULL SCAN: «${c.label}» (${db.name}, consulta de ${kind}) recorre toda la tabla task sin índice.`,
          );
        } else if (plan.fullIndexScan) {
          out.warnings.push(
            `Recorrido completo de índice: «${c.label}» (${db.name}, consulta de ${kind}) lee el índice ${plan.indexes.join(', ')} entero.`,
          );
        }
        if (missed) {
          out.warnings.push(
            `«${c.label}» (${db.name}, consulta de ${kind}) NO usa ${c.expectIndex}: usa ${plan.indexes.join(', ') || 'ninguno'} y filtra la columna fila por fila entre todas las tareas abiertas del rol (${alone.summary.medianMs} ms).`,
          );
        }
        if (sortsAll) {
          out.warnings.push(
            `«${c.label}» (${db.name}, consulta de ${kind}) lee y ordena las ${first.total.toLocaleString('es-MX')} filas que coinciden para devolver ${first.items.length} (${alone.summary.medianMs} ms): el índice no da el orden completo due_at, priority, id.`,
          );
        }
        casePlans.push({
          statement: i,
          kind,
          query: s.query,
          parameters: s.parameters,
          plan: plan.text,
          indexes: plan.indexes,
          fullTableScan: plan.fullTableScan,
          fullIndexScan: plan.fullIndexScan,
          tempSort: plan.tempSort,
          fullSort: plan.fullSort,
          expectedIndexMissed: missed,
          aloneMedianMs: alone.summary.medianMs,
        });
      }
      plans[c.id] = { matched: first.total, returned: first.items.length, statements: casePlans };
      planLines.push('');

      const budget = { iterations: 200, minIterations: 5, budgetMs: sizes.inboxBudgetMs, warmup: 2, unit: 'consulta' };
      let p = new Progress(`${db.name}: InboxService.list ${c.label}`, budget.iterations);
      const product = await measure({ ...budget, progress: p }, () => inbox.list(c.actor, c.query, g.now));
      p.finish(`mediana ${product.summary.medianMs} ms`);
      p = new Progress(`${db.name}: SQL directo ${c.label}`, budget.iterations);
      const base = await measure({ ...budget, progress: p }, () => raw.run(statements));
      p.finish(`mediana ${base.summary.medianMs} ms`);
      const baseId = `inbox.${tag}.${c.id}.raw`;
      seen.push({
        c,
        statements,
        indexes: (plans[c.id] as { statements: { indexes: string[] }[] }).statements.flatMap((x) => x.indexes),
        medianMs: product.summary.medianMs,
      });
      out.measurements.push(
        {
          section: 'bandeja',
          id: `inbox.${tag}.${c.id}`,
          label: `InboxService.list ${c.label}, ${db.name} (${first.total.toLocaleString('es-MX')} coinciden)`,
          kind: 'producto',
          compareWith: [baseId],
          ...product,
        },
        {
          section: 'bandeja',
          id: baseId,
          label: `  ${statements.length === 1 ? 'la misma consulta' : `las mismas ${statements.length} consultas`} en SQL directo (${db.sqlite ? 'better-sqlite3' : 'mysql2'})`,
          short: 'sql',
          kind: 'base',
          ...base,
        },
      );
    }
  } finally {
    await raw.close();
  }
  out.blocks.push({
    title: `Planes de consulta de la bandeja / inbox query plans — ${db.name}, ${g.total.toLocaleString('es-MX')} tareas`,
    text: planLines.join('\n').trimEnd(),
  });
  out.details[`inbox.${tag}.plans`] = plans;
  if (db.sqlite) await sqliteAnalyzeDiagnosis(db, g, seen, out);
}

/**
 * The product keeps approximate statistics (SqliteMaintenance: ANALYZE with analysis_limit). Shown apart, not in the
 * table: whether a full ANALYZE would change any plan or time.
 */
async function sqliteAnalyzeDiagnosis(
  db: BenchDb,
  g: TaskGenerator,
  seen: { c: InboxCase; statements: CapturedQuery[]; indexes: string[]; medianMs: number }[],
  out: SectionResult,
): Promise<void> {
  const inbox = new InboxService(db.dataSource);
  note('  SQLite: diagnóstico con ANALYZE (fuera de la tabla)…');
  const t0 = performance.now();
  db.sqlite!.prepare('ANALYZE').run();
  const analyzeMs = performance.now() - t0;
  const lines = [
    `ANALYZE tardó ${(analyzeMs / 1000).toFixed(1)} s. Mediana de InboxService.list con las estadísticas del producto → con ANALYZE completo:`,
  ];
  const details: Record<string, unknown> = { analyzeMs };
  for (const s of seen) {
    const after: string[] = [];
    for (const q of s.statements) after.push(...(await explainSqlite(db, q)).indexes);
    const m = await measure({ iterations: 30, minIterations: 5, budgetMs: 1500, warmup: 1, unit: 'consulta' }, () =>
      inbox.list(s.c.actor, s.c.query, g.now),
    );
    lines.push(
      `  ${s.c.label}: índices ${[...new Set(s.indexes)].join(', ') || 'ninguno'} → ${[...new Set(after)].join(', ') || 'ninguno'}; ${s.medianMs} ms → ${m.summary.medianMs} ms`,
    );
    details[s.c.id] = {
      indexesBefore: s.indexes,
      indexesAfter: after,
      medianBeforeMs: s.medianMs,
      medianAfterMs: m.summary.medianMs,
    };
  }
  out.blocks.push({
    title: 'SQLite con ANALYZE completo (diagnóstico) / SQLite after a full ANALYZE (diagnosis only)',
    text: lines.join('\n'),
  });
  out.details['inbox.sqlite.analyze'] = details;
}

/** Size of the task table and, on MariaDB, the buffer pool it competes for: the context of the timings. */
async function storageFacts(db: BenchDb): Promise<string> {
  const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MiB`;
  if (db.sqlite) {
    const pages = Number(db.sqlite.pragma('page_count', { simple: true }));
    const size = Number(db.sqlite.pragma('page_size', { simple: true }));
    const cache = Number(db.sqlite.pragma('cache_size', { simple: true }));
    return `Archivo SQLite: ${mib(pages * size)} (todas las tablas e índices); cache_size ${cache}.`;
  }
  const [pool] = await db.dataSource.query<{ v: string }[]>('SELECT @@innodb_buffer_pool_size AS v');
  const [t] = await db.dataSource.query<{ data: number; idx: number }[]>(
    "SELECT data_length AS data, index_length AS idx FROM information_schema.TABLES WHERE table_schema = DATABASE() AND table_name = 'task'",
  );
  return `Tabla task: datos ${mib(Number(t.data))} + índices ${mib(Number(t.idx))}; innodb_buffer_pool_size del servidor: ${mib(Number(pool.v))}.`;
}

async function countOpen(db: BenchDb): Promise<{ total: number; open: number }> {
  const [r] = await db.dataSource.query<{ total: number; open: number }[]>(
    "SELECT COUNT(*) AS total, SUM(CASE WHEN status = 'abierta' THEN 1 ELSE 0 END) AS open FROM task",
  );
  return { total: Number(r.total), open: Number(r.open) };
}

export async function benchInbox(sizes: Sizes): Promise<SectionResult> {
  const out = emptySection();
  const g = new TaskGenerator(sizes.inboxTasks, new Date());
  heading(`Bandeja / inbox: ${g.total.toLocaleString('es-MX')} tareas`);

  await onEachDatabase(out, 'Bandeja', async (db) => {
    if (db.sqlite) await loadSqlite(db, g);
    else await loadMariaDb(db, g);
    const counts = await countOpen(db);
    if (counts.total !== g.total)
      throw new Error(`Se cargaron ${counts.total} tareas en ${db.name} y se esperaban ${g.total}`);
    if (db.sqlite) {
      note(`  ${counts.total.toLocaleString('es-MX')} tareas, ${counts.open.toLocaleString('es-MX')} abiertas`);
      out.details.inboxTasks = counts;
    }
    await inboxOn(db, g, sizes, out);
  });
  return out;
}
