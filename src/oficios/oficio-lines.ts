import type { EntityManager } from 'typeorm';
import type { CatalogRecords } from '../catalog/catalog-records';
import { cctProblem, normalizeCct } from '../validation/cct';
import { curpProblem } from '../validation/curp';
import { localPartProblem } from '../validation/email';

/** One line of an oficio's annex: a school (CCT) and the account name asked for it (issue 14, part 2). */
export interface OficioLineInput {
  cct: string;
  nombreCuenta: string;
}

/** One line of an annex of Servicio accounts (Guía 5.3.1): the worker who will hold it, the name, the type. */
export interface ServicioLineInput {
  curp: string;
  cuenta: string;
  /** servicio (the default) or funcion, as CREAR_CUENTA's `tipo`. */
  tipo?: string;
}

/**
 * A line's verdict, whatever the annex: `linea` counts from 1, as the annex does; `errores` in Spanish, empty when the
 * line is valid; `problemas` the same errors with the field each one is about, for a form or a 422 that points at the
 * cell.
 */
export interface LineCheck<F extends string = string> {
  linea: number;
  nombreCuenta: string;
  errores: string[];
  problemas: { campo: F; mensaje: string }[];
}

/** A school's line (5.2.1). */
export interface OficioLineCheck extends LineCheck<'cct' | 'nombreCuenta'> {
  cct: string;
}

export const SERVICIO_TIPOS = ['servicio', 'funcion'] as const;
export type ServicioTipo = (typeof SERVICIO_TIPOS)[number];

/** A Servicio account's line (5.3.1): `nombreCuenta` is the local part, the fields named as the annex names them. */
export interface ServicioLineCheck extends LineCheck<'curp' | 'cuenta' | 'tipo'> {
  curp: string;
  tipo: ServicioTipo;
}

function problem<F extends string>(c: LineCheck<F>, campo: F, mensaje: string): void {
  c.errores.push(mensaje);
  c.problemas.push({ campo, mensaje });
}

/**
 * What both annexes share: each line's own checks (`own`, which gives the value no two lines may share, or null when
 * the line's shape leaves none), a repeated value told on the later line naming the first, then the catalog's checks
 * in one read (`catalog`, given the lines whose value is their own and all of them). Nothing is written.
 */
async function checkAnnex<C extends LineCheck>(
  checks: C[],
  rules: {
    own(c: C): string | null;
    repeated(c: C, firstLine: number): void;
    catalog(firsts: C[], all: C[]): Promise<void>;
  },
): Promise<C[]> {
  const firstLine = new Map<string, number>();
  const firsts: C[] = [];
  for (const c of checks) {
    const key = rules.own(c);
    if (key === null) continue;
    const first = firstLine.get(key);
    if (first !== undefined) rules.repeated(c, first);
    else {
      firstLine.set(key, c.linea);
      firsts.push(c);
    }
  }
  await rules.catalog(firsts, checks);
  return checks;
}

const fresh = (i: number, nombreCuenta: string | undefined): LineCheck<never> => ({
  linea: i + 1,
  nombreCuenta: (nombreCuenta ?? '').trim(),
  errores: [],
  problemas: [],
});

/**
 * Checks every line of an annex of schools against the catalog before anything is registered: the CCT's shape, a CCT
 * repeated in the annex, a school the catalog does not know or has inactive, a school that already has its account,
 * an empty or overlong account name. Two queries per 500 lines (CatalogRecords.centrosParaAlta), never one per line.
 */
export function checkOficioLines(
  catalog: Pick<CatalogRecords, 'centrosParaAlta'>,
  lines: OficioLineInput[],
  em?: EntityManager,
): Promise<OficioLineCheck[]> {
  const checks: OficioLineCheck[] = lines.map((l, i) => ({
    ...fresh(i, l.nombreCuenta),
    cct: normalizeCct(String(l.cct ?? '')),
  }));
  return checkAnnex(checks, {
    own: (c) => {
      const shape = cctProblem(c.cct);
      if (shape) problem(c, 'cct', shape);
      if (c.nombreCuenta === '') problem(c, 'nombreCuenta', 'Indique el nombre de la cuenta.');
      else if (c.nombreCuenta.length > 120)
        problem(c, 'nombreCuenta', 'El nombre de la cuenta admite hasta 120 caracteres.');
      return shape ? null : c.cct;
    },
    repeated: (c, first) => problem(c, 'cct', `La CCT ${c.cct} ya está en la línea ${first}.`),
    catalog: async (firsts) => {
      const centros = await catalog.centrosParaAlta(
        firsts.map((c) => c.cct),
        em,
      );
      for (const c of firsts) {
        const centro = centros.get(c.cct);
        if (!centro) problem(c, 'cct', `La CCT ${c.cct} no está en el catálogo de centros de trabajo.`);
        else if (centro.estatus !== 'activo') problem(c, 'cct', `El centro ${c.cct} está inactivo en el catálogo.`);
        else if (centro.conCuenta) problem(c, 'cct', `El centro ${c.cct} ya tiene su cuenta institucional.`);
      }
    },
  });
}

/**
 * Checks every line of an annex of Servicio or Función accounts (Guía 5.3.1) the same way: the CURP's shape, the
 * account name by the rules CREAR_CUENTA applies (localPartProblem, "sin dominio"), the type, a name repeated in the
 * annex, a worker Capital Humano does not know or has inactive (CREAR_CUENTA refuses both), an address an account
 * already has. One worker may hold several Servicio accounts: only the name must not repeat. Two queries per 500
 * lines (CatalogRecords.paraAltaServicio).
 */
export function checkServicioLines(
  catalog: Pick<CatalogRecords, 'paraAltaServicio'>,
  mailDomain: string,
  lines: ServicioLineInput[],
  em?: EntityManager,
): Promise<ServicioLineCheck[]> {
  const checks: ServicioLineCheck[] = lines.map((l, i) => ({
    ...fresh(i, l.cuenta),
    curp: String(l.curp ?? '')
      .trim()
      .toUpperCase(),
    tipo: (l.tipo ?? 'servicio') as ServicioTipo,
  }));
  const address = (c: ServicioLineCheck) => `${c.nombreCuenta}@${mailDomain}`;
  const validCurp = (c: ServicioLineCheck) => !c.problemas.some((p) => p.campo === 'curp');
  return checkAnnex(checks, {
    own: (c) => {
      const curp = curpProblem(c.curp);
      if (curp) problem(c, 'curp', curp);
      if (!(SERVICIO_TIPOS as readonly string[]).includes(c.tipo))
        problem(c, 'tipo', 'El tipo de cuenta debe ser «servicio» o «funcion».');
      const name = localPartProblem(c.nombreCuenta, mailDomain);
      if (name) problem(c, 'cuenta', name);
      return name ? null : c.nombreCuenta;
    },
    repeated: (c, first) => problem(c, 'cuenta', `La cuenta ${c.nombreCuenta} ya está en la línea ${first}.`),
    catalog: async (firsts, all) => {
      const { activos, ocupadas } = await catalog.paraAltaServicio(
        [...new Set(all.filter(validCurp).map((c) => c.curp))],
        firsts.map(address),
        em,
      );
      for (const c of all.filter(validCurp)) {
        const activo = activos.get(c.curp);
        if (activo === undefined)
          problem(c, 'curp', `No hay un trabajador con CURP ${c.curp} en el catálogo de Capital Humano.`);
        else if (!activo) problem(c, 'curp', `El trabajador con CURP ${c.curp} no está activo en Capital Humano.`);
      }
      for (const c of firsts)
        if (ocupadas.has(address(c)))
          problem(c, 'cuenta', `La dirección ${address(c)} ya está en uso; elija otro nombre de cuenta.`);
    },
  });
}
