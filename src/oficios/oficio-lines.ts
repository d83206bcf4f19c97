import type { EntityManager } from 'typeorm';
import type { CatalogRecords } from '../catalog/catalog-records';
import { cctProblem, normalizeCct } from '../validation/cct';

/** One line of an oficio's annex: a school (CCT) and the account name asked for it (issue 14, part 2). */
export interface OficioLineInput {
  cct: string;
  nombreCuenta: string;
}

/** A line's verdict: `linea` counts from 1, as the annex does; `errores` in Spanish, empty when the line is valid. */
export interface OficioLineCheck {
  linea: number;
  cct: string;
  nombreCuenta: string;
  errores: string[];
  /** The same errors with the field each one is about, for a form or a 422 that points at the cell. */
  problemas: { campo: 'cct' | 'nombreCuenta'; mensaje: string }[];
}

function problem(c: OficioLineCheck, campo: 'cct' | 'nombreCuenta', mensaje: string): void {
  c.errores.push(mensaje);
  c.problemas.push({ campo, mensaje });
}

/**
 * Checks every line of an annex against the catalog before anything is registered: the CCT's shape, a CCT repeated
 * in the annex, a school the catalog does not know or has inactive, a school that already has its account, an empty
 * or overlong account name. Two queries per 500
 * lines (CatalogRecords.centrosParaAlta), never one per line. Nothing is written.
 */
export async function checkOficioLines(
  catalog: Pick<CatalogRecords, 'centrosParaAlta'>,
  lines: OficioLineInput[],
  em?: EntityManager,
): Promise<OficioLineCheck[]> {
  const checks: OficioLineCheck[] = lines.map((l, i) => ({
    linea: i + 1,
    cct: normalizeCct(String(l.cct ?? '')),
    nombreCuenta: String(l.nombreCuenta ?? '').trim(),
    errores: [],
    problemas: [],
  }));
  const firstLine = new Map<string, number>();
  for (const c of checks) {
    const shape = cctProblem(c.cct);
    if (shape) problem(c, 'cct', shape);
    if (c.nombreCuenta === '') problem(c, 'nombreCuenta', 'Indique el nombre de la cuenta.');
    else if (c.nombreCuenta.length > 120)
      problem(c, 'nombreCuenta', 'El nombre de la cuenta admite hasta 120 caracteres.');
    if (shape) continue;
    const first = firstLine.get(c.cct);
    if (first !== undefined) problem(c, 'cct', `La CCT ${c.cct} ya está en la línea ${first}.`);
    else firstLine.set(c.cct, c.linea);
  }
  const centros = await catalog.centrosParaAlta([...firstLine.keys()], em);
  for (const c of checks) {
    if (firstLine.get(c.cct) !== c.linea) continue;
    const centro = centros.get(c.cct);
    if (!centro) problem(c, 'cct', `La CCT ${c.cct} no está en el catálogo de centros de trabajo.`);
    else if (centro.estatus !== 'activo') problem(c, 'cct', `El centro ${c.cct} está inactivo en el catálogo.`);
    else if (centro.conCuenta) problem(c, 'cct', `El centro ${c.cct} ya tiene su cuenta institucional.`);
  }
  return checks;
}
