import { generateCurp } from '../../src/validation/curp-generate';

/** The columns of Capital Humano's export as the catalog import reads them. */
export const WORKERS_HEADER = 'curp,curt,nombre,primer_apellido,segundo_apellido,correo_alterno,cct,nivel,estatus';

/** The i-th made-up worker's CURP: valid check digit, distinct for every i below 300. */
const importedCurp = (i: number): string =>
  generateCurp({
    nombre: 'Ana',
    primerApellido: 'Importada',
    segundoApellido: 'Prueba',
    fechaNacimiento: { year: 1970 + (i % 30), month: 1 + (i % 12), day: 1 + (i % 28) },
    sexo: 'M',
    estado: 'CM',
    diferenciador: String(i % 10),
  });

/** The i-th made-up worker as a row of the export: active, of Primaria, no school. */
export const workerLine = (i: number): string =>
  [
    importedCurp(i),
    `CURT${String(i).padStart(6, '0')}`,
    `Ana ${i}`,
    'Importada',
    'Prueba',
    '',
    '',
    'Primaria',
    'ACTIVO',
  ].join(',');

/** A workers CSV as the export writes it (CRLF, UTF-8). */
export const workersCsv = (lines: string[]): Buffer =>
  Buffer.from([WORKERS_HEADER, ...lines].join('\r\n') + '\r\n', 'utf8');
