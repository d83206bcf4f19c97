import 'reflect-metadata';
import { closeSync, openSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { openReconciliationDatabase, type ReconciliationDatabase } from './reconciliation-policy';
import { DomainError } from '../common/domain-error';
import { loadConfig } from '../config/config';
import { CATALOG_KINDS, isCatalogKind } from '../catalog/import/catalog-rows';
import { fileSource, type CsvSource } from '../catalog/import/csv-file';
import { importCatalog, RETIREMENT_CONFIRM_PERCENT, type RejectedRow } from '../catalog/import/import.service';
import { ProgressBar } from '../catalog/import/progress-bar';
import { formatImportSummary } from '../catalog/import/summary';

const USAGE = `Uso: npm run import -- <${CATALOG_KINDS.join('|')}> ARCHIVO.csv [--parcial | --confirmar]

  trabajadores  exportación de Capital Humano: curp, curt, nombre, primer_apellido, segundo_apellido,
                correo_alterno, cct, nivel, estatus
  centros       Catálogo de Centros de Trabajo: cct, nombre, nivel, curp_director, correo
  --parcial     solo agrega y actualiza; sin él, el archivo es el catálogo completo y quien no aparezca
                en él queda inactivo (nunca se borra)
  --confirmar   importación completa que dejaría inactivos a más del ${RETIREMENT_CONFIRM_PERCENT} % de los activos: sin esta
                opción se rechaza entera, sin cargar nada, y se dice cuántos serían

El archivo es CSV con encabezado (columnas en cualquier orden, separadas por «;» o «,»), en UTF-8 o Windows-1252.
Un archivo de trabajadores indicado como centros (o al revés) se reconoce por sus columnas y se rechaza.
Sale con 0 si la importación se hizo (aunque haya renglones rechazados, que se listan) y 1 si no se cargó nada.`;

const FLAGS = ['--parcial', '--confirmar'];

class Fatal extends Error {}

/**
 * The file as a stream the import reads twice (validate, then load): never whole in memory, whatever its size. Opened
 * once here so a missing or unreadable file is said before the database is opened.
 */
function readInput(path: string): CsvSource {
  try {
    if (statSync(path).isDirectory()) throw new Fatal(`«${path}» es una carpeta; indique el archivo CSV.`);
    closeSync(openSync(path, 'r'));
    return fileSource(path);
  } catch (e) {
    if (e instanceof Fatal) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Fatal(`No se encontró el archivo «${path}». Revise la ruta.`);
    if (code === 'EACCES' || code === 'EPERM') throw new Fatal(`No hay permiso para leer «${path}».`);
    throw new Fatal(`No se pudo leer «${path}»: ${(e as Error).message}`);
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const flags = argv.filter((a) => a.startsWith('--'));
  const unknown = flags.filter((f) => !FLAGS.includes(f));
  if (unknown.length > 0) throw new Fatal(`Opción desconocida: ${unknown.join(', ')}.\n\n${USAGE}`);
  const [kind, file, ...rest] = argv.filter((a) => !a.startsWith('--'));
  if (kind === undefined || file === undefined || rest.length > 0) throw new Fatal(USAGE);
  if (!isCatalogKind(kind))
    throw new Fatal(`No se reconoce el tipo de catálogo «${kind}»; use ${CATALOG_KINDS.join(' o ')}.\n\n${USAGE}`);
  const source = readInput(file);

  const config = loadConfig();
  let db: ReconciliationDatabase;
  try {
    // Migrated as `npm start` does: an import into a fresh embedded default just works.
    db = await openReconciliationDatabase(config);
  } catch (e) {
    throw new Fatal(
      `No se pudo abrir la base de datos: ${(e as Error).message}. Revise DATABASE_URL (o DATA_DIR para SQLite).`,
    );
  }
  try {
    const what = kind === 'trabajadores' ? 'trabajadores' : 'centros';
    const bars = { validando: new ProgressBar(`Validando ${what}`), cargando: new ProgressBar(`Cargando ${what} `) };
    const summary = await importCatalog(db.ds, {
      kind,
      autoBlock: db.autoBlock,
      source,
      mode: flags.includes('--parcial') ? 'partial' : 'full',
      confirmRetirement: flags.includes('--confirmar'),
      onProgress: (p) => {
        if (p.phase === 'cargando') bars.validando.finish();
        bars[p.phase].update(p.done, p.total);
      },
    }).finally(() => {
      bars.validando.finish();
      bars.cargando.finish();
    });
    console.log(formatImportSummary(summary, basename(file)));
    return 0;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof Fatal) {
      console.error(e.message);
    } else if (e instanceof DomainError) {
      console.error(`No se importó nada: ${e.message}`);
      const rejections = (e.details?.rejections ?? []) as RejectedRow[];
      for (const r of rejections.slice(0, 20))
        console.error(`  línea ${r.line}${r.key ? ` (${r.key})` : ''}: ${r.reason}`);
    } else {
      console.error(`La importación falló: ${(e as Error).message ?? String(e)}`);
    }
    process.exit(1);
  },
);
