import { resolve } from 'node:path';
import { DEFAULT_OUT_DIR, writeGeneratedGuide } from '../guia/write-guide';

const USAGE = `Uso: npm run guia -- [carpeta] [--fecha AAAA-MM-DD]

Genera de las máquinas de procedimiento las tablas de la sección 5 de la «Guía para la asignación del Correo
Electrónico Institucional» (No., Responsable, Actividad), con la versión del catálogo en la portada y la lista de
correcciones a la guía anterior. Escribe guia-v<versión>.md y guia-v<versión>.pdf en la carpeta indicada
(por omisión docs/guia-generada). --fecha fija la fecha de emisión (por omisión, hoy).`;

function parseArgs(argv: string[]): { outDir: string; date: Date } {
  let outDir = DEFAULT_OUT_DIR;
  let date = new Date();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--fecha' || a.startsWith('--fecha=')) {
      const v = a.includes('=') ? a.slice('--fecha='.length) : argv[++i];
      if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T18:00:00Z`))) {
        throw new Error(`--fecha espera una fecha AAAA-MM-DD (recibido: «${v ?? ''}»).`);
      }
      // Midday in Colima, so the date reads the same in America/Mexico_City.
      date = new Date(`${v}T18:00:00Z`);
    } else if (a.startsWith('-')) {
      throw new Error(`Opción desconocida: ${a}\n\n${USAGE}`);
    } else {
      outDir = resolve(a);
    }
  }
  return { outDir, date };
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const { outDir, date } = parseArgs(argv);
  const written = await writeGeneratedGuide(outDir, date, (m) => console.log(m));
  console.log(`Listo: guía Versión ${written.guide.catalogVersion} en ${outDir}`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`No se pudo generar la guía: ${(e as Error).message}`);
  process.exit(1);
});
