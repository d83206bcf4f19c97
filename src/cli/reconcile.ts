import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { openMigratedDatabase } from './open-database';
import { loadConfig } from '../config/config';
import { ProgressBar } from '../catalog/import/progress-bar';
import { formatCount } from '../catalog/import/summary';
import { reconcileCatalog, TIPO_HALLAZGO_LABEL } from '../catalog/reconciliation/catalog-reconciliation';

const USAGE = `Uso: npm run reconcile

Compara las cuentas con los catálogos (Capital Humano y Centros de Trabajo) y registra como hallazgos las cuentas
activas cuyo titular está dado de baja o no aparece, las de centros inactivos o ausentes, y las de Servicio o Función
cuyo responsable ya no está activo. Cada importación completa la ejecuta sola; esta orden la repite a petición.
No bloquea nada: los hallazgos esperan la revisión de la Subjefatura. Sale con 0 si terminó y 1 si no pudo.`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  if (argv.length > 0) {
    console.error(`Opción no reconocida: ${argv.join(' ')}\n\n${USAGE}`);
    return 1;
  }
  let ds: DataSource;
  try {
    ds = await openMigratedDatabase(loadConfig());
  } catch (e) {
    console.error(
      `No se pudo abrir la base de datos: ${(e as Error).message}. Revise DATABASE_URL (o DATA_DIR para SQLite).`,
    );
    return 1;
  }
  const bar = new ProgressBar('Conciliando cuentas y catálogos');
  try {
    const r = await reconcileCatalog(ds, { origen: 'manual', onProgress: (done, total) => bar.update(done, total) });
    bar.finish();
    console.log('Conciliación con los catálogos');
    console.log(`  Hallazgos nuevos:    ${formatCount(r.nuevos)}`);
    console.log(`  Ya no se cumplen:    ${formatCount(r.cerrados)}`);
    console.log(`  Vigentes:            ${formatCount(r.vigentes)}`);
    for (const [tipo, n] of Object.entries(r.porTipo))
      console.log(`    ${TIPO_HALLAZGO_LABEL[tipo as keyof typeof TIPO_HALLAZGO_LABEL]}: ${formatCount(n)}`);
    console.log(`  Corrida: ${r.corridaId}`);
    return 0;
  } finally {
    bar.finish();
    await ds.destroy();
  }
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
