import 'reflect-metadata';
import { openReconciliationDatabase, type ReconciliationDatabase } from './reconciliation-policy';
import { loadConfig } from '../config/config';
import { ProgressBar } from '../catalog/import/progress-bar';
import { formatCount } from '../catalog/import/summary';
import {
  politicaBloqueo,
  reconcileCatalog,
  type ReconcileResult,
  TIPO_HALLAZGO_LABEL,
} from '../catalog/reconciliation';
import { DirectoryReconciliation } from '../provisioning/directory-reconciliation';
import { directoryProviderFromConfig } from '../provisioning/providers/create-directory-provider';

const USAGE = `Uso: npm run reconcile [-- --directorio]

Compara las cuentas con los catálogos (Capital Humano y Centros de Trabajo) y registra como hallazgos las cuentas
activas cuyo titular está dado de baja o no aparece, las de centros inactivos o ausentes, y las de Servicio o Función
cuyo responsable ya no está activo. Cada importación completa la ejecuta sola; esta orden la repite a petición.
Con --directorio compara además el directorio configurado (DIRECTORY_PROVIDER) con la tabla de cuentas, página por
página: cuentas del directorio que el sistema no conoce, cuentas del sistema que faltan en el directorio y cuentas
con distinto estado (suspendida allá, activa aquí).
No bloquea nada: los hallazgos esperan la revisión de la Subjefatura, salvo que RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS
esté configurada: entonces las cuentas personales de trabajadores con al menos esos días de baja se aceptan solas y se
abre su trámite de bloqueo (5.5). Sale con 0 si terminó y 1 si no pudo.`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const directory = argv.includes('--directorio');
  const unknown = argv.filter((a) => a !== '--directorio');
  if (unknown.length > 0) {
    console.error(`Opción no reconocida: ${unknown.join(' ')}\n\n${USAGE}`);
    return 1;
  }
  const config = loadConfig();
  let db: ReconciliationDatabase;
  try {
    db = await openReconciliationDatabase(config);
  } catch (e) {
    console.error(
      `No se pudo abrir la base de datos: ${(e as Error).message}. Revise DATABASE_URL (o DATA_DIR para SQLite).`,
    );
    return 1;
  }
  const { ds } = db;
  const bar = new ProgressBar('Conciliando cuentas y catálogos');
  try {
    const r = await reconcileCatalog(ds, {
      origen: 'manual',
      autoBlock: db.autoBlock,
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.finish();
    report('Conciliación con los catálogos', r);
    if (directory) {
      const provider = directoryProviderFromConfig(config, ds);
      let last = Date.now();
      const d = await new DirectoryReconciliation(ds, provider).runNow((seen) => {
        if (Date.now() - last < 1000) return;
        last = Date.now();
        process.stderr.write(`Directorio (${provider.name}): ${formatCount(seen)} cuentas comparadas\n`);
      });
      report(`Conciliación con el directorio (${provider.name})`, d);
    }
    return 0;
  } finally {
    bar.finish();
    await db.close();
  }
}

function report(title: string, r: ReconcileResult): void {
  console.log(title);
  console.log(`  Hallazgos nuevos:    ${formatCount(r.nuevos)}`);
  console.log(`  Ya no se cumplen:    ${formatCount(r.cerrados)}`);
  console.log(`  Vigentes:            ${formatCount(r.vigentes)}`);
  for (const [tipo, n] of Object.entries(r.porTipo))
    console.log(`    ${TIPO_HALLAZGO_LABEL[tipo as keyof typeof TIPO_HALLAZGO_LABEL]}: ${formatCount(n)}`);
  if (r.politica) {
    console.log(`  Aceptados por la ${politicaBloqueo(r.politica.dias)}: ${formatCount(r.politica.aceptados)}`);
    for (const f of r.politica.fallidos) console.log(`    Sigue pendiente ${f.direccion}: ${f.mensaje}`);
  }
  console.log(`  Corrida: ${r.corridaId}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(
      `La conciliación falló: ${(e as Error).message ?? String(e)}. Vuelva a ejecutarla; no se bloqueó nada.`,
    );
    process.exit(1);
  },
);
