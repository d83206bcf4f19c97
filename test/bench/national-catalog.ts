import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { CentroRecord, TrabajadorRecord } from '../../src/catalog/import/catalog-rows';
import { STANDARD_NIVELES } from '../../src/catalog/import/niveles';
import { csvLine, nivelNombre, TRABAJADORES_CSV_HEADER, trabajadorCsvRow } from '../../src/catalog/seed/catalog-csv';
import { GIVEN_NAMES_H, GIVEN_NAMES_M, MAIL_PROVIDERS, SCHOOL_HONOREES, SURNAMES } from '../../src/catalog/seed/names';
import { CURP_STATES, curpCheckDigit } from '../../src/validation/curp';

/**
 * A national catalog made row by row from the row's number, never whole in memory: worker c and school j are the same
 * every time they are asked for, so the CSV written to disk and the rows a raw bulk insert writes are the same rows.
 * Every CURP is well formed and unique by construction (birth date and the 3rd and 4th letters come from c, up to
 * 9,083,520 workers), every CCT too (entidad, consecutive and check letter come from j).
 */

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CONSONANTS = 'BCDFGHJKLMNPQRSTVWXYZ';
const STATES = Object.keys(CURP_STATES);
const KINDS: Record<string, readonly { tipo: string; nombre: string }[]> = {
  PREESCOLAR: [
    { tipo: 'DJN', nombre: 'Jardín de Niños' },
    { tipo: 'EJN', nombre: 'Jardín de Niños' },
  ],
  PRIMARIA: [
    { tipo: 'DPR', nombre: 'Escuela Primaria' },
    { tipo: 'EPR', nombre: 'Escuela Primaria' },
  ],
  SECUNDARIA: [
    { tipo: 'DES', nombre: 'Escuela Secundaria General' },
    { tipo: 'DST', nombre: 'Escuela Secundaria Técnica' },
    { tipo: 'ETV', nombre: 'Telesecundaria' },
  ],
  MEDIA_SUPERIOR: [
    { tipo: 'DCT', nombre: 'Centro de Bachillerato Tecnológico' },
    { tipo: 'EBH', nombre: 'Bachillerato' },
  ],
  SUPERIOR: [{ tipo: 'ENL', nombre: 'Escuela Normal' }],
};
/** Out of 100 schools: preescolar 30, primaria 40, secundaria 18, media superior 8, superior 4. */
const LEVEL_CUTS = [30, 70, 88, 96, 100];

export const MAX_NATIONAL_WORKERS = 28 * 12 * 40 * 26 * 26;

const mix = (n: number): number => {
  let h = Math.imul(n ^ 0x5bd1e995, 0x9e3779b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x85ebca6b) >>> 0;
};

const ascii = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');

export interface NationalCentro extends CentroRecord {
  cct: string;
}

export function nationalCentro(j: number, workers: number): NationalCentro {
  const pct = mix(j) % 100;
  const nivelClave = STANDARD_NIVELES[LEVEL_CUTS.findIndex((cut) => pct < cut)].clave;
  const kinds = KINDS[nivelClave];
  const kind = kinds[j % kinds.length];
  const consecutive = Math.floor(j / 32) % 10_000;
  const cct = `${String(1 + (j % 32)).padStart(2, '0')}${kind.tipo}${String(consecutive).padStart(4, '0')}${LETTERS[Math.floor(j / 320_000) % 26]}`;
  return {
    cct,
    nombre: `${kind.nombre} ${SCHOOL_HONOREES[mix(j + 1) % SCHOOL_HONOREES.length]}`,
    nivelClave,
    directorCurp: j < workers && j % 33 !== 0 ? nationalCurp(j) : null,
    correo: j % 10 < 7 ? `${cct.toLowerCase()}@${MAIL_PROVIDERS[j % MAIL_PROVIDERS.length][0]}` : null,
    estatus: j % 50 === 0 ? 'inactivo' : 'activo',
  };
}

export function nationalCurp(c: number): string {
  const day = 1 + (c % 28);
  const c1 = Math.floor(c / 28);
  const month = 1 + (c1 % 12);
  const c2 = Math.floor(c1 / 12);
  const year = 60 + (c2 % 40);
  const c3 = Math.floor(c2 / 40);
  const h = mix(c);
  const first17 =
    LETTERS[h % 26] +
    'AEIOU'[c % 5] +
    LETTERS[c3 % 26] +
    LETTERS[Math.floor(c3 / 26) % 26] +
    `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}` +
    (c % 2 ? 'H' : 'M') +
    STATES[h % STATES.length] +
    CONSONANTS[(h >>> 5) % 21] +
    CONSONANTS[(h >>> 10) % 21] +
    CONSONANTS[(h >>> 15) % 21] +
    '0';
  return `${first17}${curpCheckDigit(first17)}`;
}

export function nationalTrabajador(c: number, schools: number): TrabajadorRecord {
  const h = mix(c + 7);
  const given = c % 2 ? GIVEN_NAMES_H : GIVEN_NAMES_M;
  const nombre = given[h % given.length];
  const primerApellido = SURNAMES[(h >>> 8) % SURNAMES.length];
  const segundoApellido = c % 33 === 0 ? null : SURNAMES[(h >>> 16) % SURNAMES.length];
  const school = schools > 0 ? nationalCentro(mix(c + 13) % schools, 0) : undefined;
  return {
    curp: nationalCurp(c),
    curt: `T${c.toString(32).toUpperCase().padStart(9, '0')}`,
    nombre,
    primerApellido,
    segundoApellido,
    correoAlterno:
      c % 20 < 17
        ? `${ascii(nombre.split(' ')[0])}.${ascii(primerApellido)}${c}@${MAIL_PROVIDERS[h % MAIL_PROVIDERS.length][0]}`
        : null,
    cct: school?.cct ?? null,
    nivelClave: school?.nivelClave ?? null,
    activo: c % 20 !== 0,
  };
}

export const SCHOOLS_HEADER = ['CCT', 'Nombre', 'Nivel', 'CURP director', 'Correo', 'Estatus'];

const schoolLine = (c: CentroRecord): string =>
  csvLine([
    c.cct,
    c.nombre,
    nivelNombre(c.nivelClave),
    c.directorCurp,
    c.correo,
    c.estatus === 'activo' ? 'ACTIVO' : 'INACTIVO',
  ]);

/** Writes the CSV (UTF-8, CRLF) a few thousand lines at a time, waiting for the disk; returns its size in bytes. */
async function writeCsv(
  path: string,
  header: readonly string[],
  count: number,
  line: (i: number) => string,
): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (text: string): Promise<void> => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`${csvLine(header)}\r\n`);
  for (let start = 0; start < count; start += 5000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(count, start + 5000); i++) lines.push(line(i));
    await write(`${lines.join('\r\n')}\r\n`);
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

export function writeNationalFiles(
  files: { workers: string; schools: string },
  workers: number,
  schools: number,
): Promise<[number, number]> {
  if (workers > MAX_NATIONAL_WORKERS) throw new Error(`a lo más ${MAX_NATIONAL_WORKERS} trabajadores distintos`);
  return Promise.all([
    writeCsv(files.workers, TRABAJADORES_CSV_HEADER, workers, (c) =>
      csvLine(trabajadorCsvRow(nationalTrabajador(c, schools))),
    ),
    writeCsv(files.schools, SCHOOLS_HEADER, schools, (j) => schoolLine(nationalCentro(j, workers))),
  ]);
}
