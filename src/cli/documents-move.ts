import 'reflect-metadata';
import { loadConfigOrExit } from '../common/startup-error';
import { moveDocuments } from '../oficios/document-move';
import { fileStoreFor } from '../oficios/file-stores';
import { referencedFileKeys } from '../oficios/file-sweep';
import { openMigratedDatabase } from './open-database';

const USAGE = 'Uso: npm run documents:move -- --a base|archivos';

/**
 * npm run documents:move -- --a base — copies every stored document (scans, letters, logos) from the other store to
 * the one named, verifying each SHA-256, then says how to switch DOCUMENT_STORE. Exit 1 when a file could not be moved.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === '--a' || a.startsWith('--a='));
  const target = i < 0 ? undefined : argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  if (target !== 'base' && target !== 'archivos') {
    console.error(`Indique el almacén de destino. ${USAGE}`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  const ds = await openMigratedDatabase(config);
  try {
    const source = target === 'base' ? 'archivos' : 'base';
    const keys = await referencedFileKeys(ds);
    console.log(`Copiando ${keys.size} documento(s) de «${source}» a «${target}» y verificando su SHA-256…`);
    let last = 0;
    const report = await moveDocuments(
      keys,
      fileStoreFor(config, ds, source),
      fileStoreFor(config, ds, target),
      (done, total) => {
        if (done === total || Date.now() - last > 1000) {
          last = Date.now();
          console.log(`  ${done}/${total} (${Math.floor((100 * done) / Math.max(total, 1))} %)`);
        }
      },
    );
    console.log(
      `Listo: ${report.copied} copiado(s), ${report.present} ya estaban en «${target}», ${report.problems.length} con problema(s).`,
    );
    for (const p of report.problems) console.log(`  ${p.key}: ${p.why}`);
    if (report.problems.length) {
      console.log('Revise los documentos listados antes de cambiar de almacén.');
      process.exitCode = 1;
    } else
      console.log(
        `Ahora defina DOCUMENT_STORE=${target} y reinicie los procesos. El origen conserva sus archivos: bórrelos cuando tenga un respaldo del destino.`,
      );
  } finally {
    await ds.destroy();
  }
}

void main().catch((e: unknown) => {
  console.error(`No se pudieron mover los documentos: ${(e as Error).message}`);
  process.exit(1);
});
