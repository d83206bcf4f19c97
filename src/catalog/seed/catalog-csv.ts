import iconv from 'iconv-lite';
import type { CatalogKind, TrabajadorRecord } from '../import/catalog-rows';
import { STANDARD_NIVELES } from '../import/niveles';
import type { DemoCatalog } from './demo-data';

export interface CsvOptions {
  separator?: ';' | ',';
  /** Windows-1252 is what Excel in Spanish writes with «CSV (delimitado por comas)». */
  encoding?: 'utf-8' | 'utf-8-bom' | 'windows-1252';
}

/** Exports name the level as people say it ("Media Superior"), not by its key. */
export const nivelNombre = (clave: string | null): string | null =>
  STANDARD_NIVELES.find((n) => n.clave === clave)?.nombre ?? clave;

function cell(v: string | null | undefined, separator: string): string {
  const s = v ?? '';
  return s.includes(separator) || s.includes('"') || /[\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The columns of a Capital Humano workers export, as it names them. */
export const TRABAJADORES_CSV_HEADER: readonly string[] = [
  'CURP',
  'CURT',
  'Nombre',
  'Primer apellido',
  'Segundo apellido',
  'Correo alterno',
  'CCT',
  'Nivel',
  'Estatus',
];

/** A worker as a row of that export. */
export const trabajadorCsvRow = (t: TrabajadorRecord): (string | null)[] => [
  t.curp,
  t.curt,
  t.nombre,
  t.primerApellido,
  t.segundoApellido,
  t.correoAlterno,
  t.cct,
  nivelNombre(t.nivelClave),
  t.activo ? 'ACTIVO' : 'BAJA',
];

/** Columns and rows of a catalog as the import expects them (with the extra columns real exports carry). */
export function catalogTable(kind: CatalogKind, data: DemoCatalog): { header: string[]; rows: (string | null)[][] } {
  if (kind === 'trabajadores') {
    return { header: [...TRABAJADORES_CSV_HEADER], rows: data.trabajadores.map(trabajadorCsvRow) };
  }
  return {
    header: ['CCT', 'Nombre', 'Nivel', 'CURP director', 'Correo', 'Municipio'],
    rows: data.centros.map((c) => [c.cct, c.nombre, nivelNombre(c.nivelClave), c.directorCurp, c.correo, c.municipio]),
  };
}

/** One line of a CSV (without its line break): values quoted where the separator, a quote or a line break needs it. */
export function csvLine(values: readonly (string | null | undefined)[], separator: ';' | ',' = ','): string {
  return values.map((v) => cell(v, separator)).join(separator);
}

export function toCsv(header: string[], rows: (string | null)[][], opts: CsvOptions = {}): Buffer {
  const sep = opts.separator ?? ',';
  const text = [header, ...rows].map((r) => csvLine(r, sep)).join('\r\n') + '\r\n';
  switch (opts.encoding ?? 'utf-8') {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'windows-1252':
      return iconv.encode(text, 'win1252');
  }
}
