import { importCatalog, type ImportSummary } from '../../src/catalog/import';
import { catalogTable, generateDemoCatalog, toCsv } from '../../src/catalog/seed';
import { type BenchDb, openSqliteBenchDb } from './bench-db';
import { emptySection, type SectionResult, type Sizes } from './section';
import { heading, measure, note, Progress } from './stats';

/**
 * A full import of N workers from a Capital Humano CSV (read, detect encoding and separator, validate every row, upsert
 * in batches, retire the missing) into an empty migrated SQLite database, against one prepared INSERT of the same rows
 * in one transaction. Each run gets a fresh database.
 */

const sqliteDate = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');

const INSERT =
  'INSERT INTO trabajador (curp, curt, nombre, primer_apellido, segundo_apellido, correo_alterno, cct, nivel_clave, activo, ultima_importacion, created_at, updated_at) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

async function countWorkers(db: BenchDb): Promise<number> {
  const [r] = await db.dataSource.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM trabajador');
  return Number(r.n);
}

export async function benchImport(sizes: Sizes): Promise<SectionResult> {
  const out = emptySection();
  const n = sizes.importRows;
  heading(`Importación / import: ${n.toLocaleString('es-MX')} trabajadores`);
  note(`  Generando ${n.toLocaleString('es-MX')} trabajadores con CURP válida (src/catalog/seed)…`);
  const data = generateDemoCatalog({ seed: 2026, centros: Math.max(5, Math.ceil(n / 20)), trabajadores: n });
  const { header, rows } = catalogTable('trabajadores', data);
  const csv = toCsv(header, rows);
  note(`  CSV de ${(csv.length / 1024 / 1024).toFixed(1)} MiB listo.`);

  let db: BenchDb | undefined;
  const fresh = async (): Promise<void> => {
    db = await openSqliteBenchDb();
  };
  const check = async (): Promise<void> => {
    const have = await countWorkers(db!);
    await db!.close();
    db = undefined;
    if (have !== n) throw new Error(`se esperaban ${n} trabajadores en la base y hay ${have}`);
  };

  let last: ImportSummary | undefined;
  let p = new Progress('importCatalog (CSV → SQLite), base nueva en cada corrida', sizes.importRuns);
  const product = await measure(
    { iterations: sizes.importRuns, unit: 'fila', unitsPerSample: n, progress: p },
    async () => {
      last = await importCatalog(db!.dataSource, { kind: 'trabajadores', content: csv, mode: 'full' });
      if (last.inserted !== n || last.rejected !== 0)
        throw new Error(
          `importCatalog: ${last.inserted} insertados, ${last.rejected} rechazados (se esperaban ${n} y 0)`,
        );
    },
    { before: fresh, after: check },
  );
  p.finish(`mediana ${(product.summary.medianMs / 1000).toFixed(2)} s`);

  p = new Progress('INSERT preparado de better-sqlite3, 1 transacción', sizes.importRuns);
  const records = data.trabajadores;
  const raw = await measure(
    { iterations: sizes.importRuns, unit: 'fila', unitsPerSample: n, progress: p },
    () => {
      const sqlite = db!.sqlite!;
      const stmt = sqlite.prepare(INSERT);
      const now = sqliteDate(new Date());
      sqlite.transaction(() => {
        for (const r of records) {
          stmt.run(
            r.curp,
            r.curt,
            r.nombre,
            r.primerApellido,
            r.segundoApellido,
            r.correoAlterno,
            r.cct,
            r.nivelClave,
            r.activo ? 1 : 0,
            now,
            now,
            now,
          );
        }
      })();
    },
    { before: fresh, after: check },
  );
  p.finish(`mediana ${(raw.summary.medianMs / 1000).toFixed(2)} s`);

  out.measurements.push(
    {
      section: 'importacion',
      id: 'import.sqlite.importCatalog',
      label: `importCatalog: ${n.toLocaleString('es-MX')} trabajadores desde CSV, SQLite`,
      kind: 'producto',
      compareWith: ['import.sqlite.raw'],
      notes: [
        `Incluye leer el CSV (${(csv.length / 1024 / 1024).toFixed(1)} MiB), validar CURP/CURT/correo de cada fila, comparar con lo guardado y escribir en lotes de 1,000 (10 por transacción); ${last?.nivelesCreados.length ?? 0} niveles creados, 0 rechazos.`,
      ],
      ...product,
    },
    {
      section: 'importacion',
      id: 'import.sqlite.raw',
      label: `better-sqlite3: INSERT preparado de las mismas ${n.toLocaleString('es-MX')} filas, 1 transacción`,
      short: 'sql',
      kind: 'base',
      notes: ['Filas ya validadas en memoria: sin lectura del CSV, sin validación, sin comparación con lo guardado.'],
      ...raw,
    },
  );
  out.details.importCsvBytes = csv.length;
  return out;
}
