import 'reflect-metadata';
import { loadConfigOrExit } from '../common/startup-error';
import { moveDocuments } from '../oficios/document-move';
import { DOCUMENT_STORES, type DocumentStoreName, fileStoreFor } from '../oficios/file-stores';
import { referencedFileKeys } from '../oficios/file-sweep';
import { openMigratedDatabase } from './open-database';

const USAGE = 'Uso: npm run documents:move -- --a base|archivos|s3 [--de base|archivos|s3]';

/** The value of `--name v` or `--name=v`. */
function option(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  return i < 0 ? undefined : argv[i].includes('=') ? argv[i].slice(name.length + 1) : argv[i + 1];
}

const isStore = (v: string | undefined): v is DocumentStoreName => DOCUMENT_STORES.includes(v as DocumentStoreName);

/** Without --de: the store DOCUMENT_STORE names, or (moving to it) the other of base and archivos; none for s3. */
function defaultSource(current: DocumentStoreName, target: DocumentStoreName): DocumentStoreName | undefined {
  if (current !== target) return current;
  return target === 's3' ? undefined : target === 'base' ? 'archivos' : 'base';
}

/**
 * npm run documents:move -- --a base — copies every stored document (scans, letters, logos) to the store named,
 * verifying each SHA-256, then says how to switch DOCUMENT_STORE. The source is `--de`, else DOCUMENT_STORE's store,
 * else (moving to the store already configured) the other of base and archivos. Exit 1 when a file could not be moved.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const target = option(argv, '--a');
  const from = option(argv, '--de');
  if (!isStore(target) || (from !== undefined && (!isStore(from) || from === target))) {
    console.error(`Indique el almacén de destino (y, si quiere, otro de origen). ${USAGE}`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  const source = from ?? defaultSource(config.documentStore, target);
  if (!source) {
    console.error(`DOCUMENT_STORE ya es «${target}»: indique de dónde copiar con --de. ${USAGE}`);
    process.exit(2);
  }
  const ds = await openMigratedDatabase(config);
  try {
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
