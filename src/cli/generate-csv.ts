import { writeFileSync } from 'node:fs';
import { isCatalogKind } from '../catalog/import/catalog-rows';
import { catalogTable, toCsv, type CsvOptions } from '../catalog/seed/catalog-csv';
import { DEMO_DEFAULTS, generateDemoCatalog } from '../catalog/seed/demo-data';

/**
 * Writes a synthetic catalog export for load tests and demos:
 *   npm run catalog:csv -- trabajadores 100000 /tmp/trabajadores.csv
 *     [--seed 2026] [--centros N] [--win1252 | --bom] [--punto-y-coma]
 * Workers are spread over N schools (default: one per 20 workers); the same seed gives the same file.
 */
function main(argv: string[]): void {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const positional = argv.filter((a, i) => !a.startsWith('--') && !['--seed', '--centros'].includes(argv[i - 1]));
  const [kind, countRaw, out] = positional;
  const count = Number(countRaw);
  if (!kind || !isCatalogKind(kind) || !Number.isInteger(count) || count < 1 || !out) {
    console.error(
      'Uso: npm run catalog:csv -- <trabajadores|centros> CANTIDAD ARCHIVO.csv [--seed N] [--centros N] [--win1252 | --bom] [--punto-y-coma]',
    );
    process.exit(1);
  }
  const seed = Number(flag('--seed') ?? DEMO_DEFAULTS.seed);
  const centros = kind === 'centros' ? count : Number(flag('--centros') ?? Math.max(5, Math.ceil(count / 20)));
  // A centros file still needs workers, so its schools have directors.
  const trabajadores = kind === 'trabajadores' ? count : centros;
  const data = generateDemoCatalog({ seed, centros, trabajadores });
  const { header, rows } = catalogTable(kind, data);
  const opts: CsvOptions = {
    separator: argv.includes('--punto-y-coma') ? ';' : ',',
    encoding: argv.includes('--win1252') ? 'windows-1252' : argv.includes('--bom') ? 'utf-8-bom' : 'utf-8',
  };
  writeFileSync(out, toCsv(header, rows, opts));
  console.log(`${out}: ${rows.length} ${kind} (semilla ${seed}, ${opts.encoding}, separador «${opts.separator}»)`);
}

main(process.argv.slice(2));
