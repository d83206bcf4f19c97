import { resolve } from 'node:path';
import { DEFAULT_OUT_DIR, writeGeneratedGuide } from '../guia/write-guide';

const USAGE = `Uso: npm run guia -- [carpeta]

Genera de las máquinas de procedimiento las tablas de la sección 5 de la «Guía para la asignación del Correo
Electrónico Institucional» (No., Responsable, Actividad), con la versión del catálogo y su fecha de emisión en la
portada y la lista de correcciones a la guía anterior. Escribe guia-v<versión>.md y guia-v<versión>.pdf en la carpeta
indicada (por omisión docs/guia-generada). La fecha de emisión es la de la versión (GUIDE_VERSIONS en
machines/index.ts), no la del día en que se genera: el mismo catálogo produce los mismos archivos cualquier día.`;

function parseArgs(argv: string[]): { outDir: string } {
  let outDir = DEFAULT_OUT_DIR;
  for (const a of argv) {
    if (a === '--fecha' || a.startsWith('--fecha=')) {
      throw new Error(
        '--fecha ya no existe: la fecha de emisión es la de la versión de la guía (GUIDE_VERSIONS en machines/index.ts).',
      );
    }
    if (a.startsWith('-')) throw new Error(`Opción desconocida: ${a}\n\n${USAGE}`);
    outDir = resolve(a);
  }
  return { outDir };
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const { outDir } = parseArgs(argv);
  const written = await writeGeneratedGuide(outDir, (m) => console.log(m));
  console.log(`Listo: guía Versión ${written.guide.catalogVersion} (${written.guide.fecha}) en ${outDir}`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`No se pudo generar la guía: ${(e as Error).message}`);
  process.exit(1);
});
