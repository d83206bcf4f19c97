import type { CentroRecord, TrabajadorRecord } from '../import/catalog-rows';
import { STANDARD_NIVELES } from '../import/niveles';
import { generateCurp } from '../../validation/curp-generate';
import type { CurpSex } from '../../validation/curp';
import { GIVEN_NAMES_H, GIVEN_NAMES_M, MAIL_PROVIDERS, MUNICIPIOS_COLIMA, SCHOOL_HONOREES, SURNAMES } from './names';
import { SeededRandom } from './random';

/**
 * A realistic, reproducible catalog for Colima: schools with CCTs of the right kind for their level, workers with
 * valid CURPs (born mostly in Colima), directors, alternate e-mails. The same seed gives the same catalog, so tests
 * and demos can name rows.
 */

export interface DemoCentro extends CentroRecord {
  /** Where the school is; the catalog table has no column for it yet, the CSV generator writes it as an extra column. */
  municipio: string;
}

export interface DemoCatalog {
  centros: DemoCentro[];
  trabajadores: TrabajadorRecord[];
}

export interface DemoCatalogOptions {
  seed?: number;
  centros?: number;
  trabajadores?: number;
}

export const DEMO_DEFAULTS = { seed: 2026, centros: 300, trabajadores: 3000 } as const;

/** {h}: a person or date the school honours; {n}: consecutive of its kind; {m}: its municipality. */
const SCHOOL_KINDS: Record<string, readonly (readonly [{ tipo: string; nombre: string }, number])[]> = {
  PREESCOLAR: [
    [{ tipo: 'DJN', nombre: 'Jardín de Niños {h}' }, 45],
    [{ tipo: 'EJN', nombre: 'Jardín de Niños {h}' }, 45],
    [{ tipo: 'PJN', nombre: 'Colegio {h}' }, 10],
  ],
  PRIMARIA: [
    [{ tipo: 'DPR', nombre: 'Escuela Primaria {h}' }, 45],
    [{ tipo: 'EPR', nombre: 'Escuela Primaria {h}' }, 45],
    [{ tipo: 'PPR', nombre: 'Colegio {h}' }, 10],
  ],
  SECUNDARIA: [
    [{ tipo: 'DES', nombre: 'Escuela Secundaria General {h}' }, 30],
    [{ tipo: 'EES', nombre: 'Escuela Secundaria {h}' }, 20],
    [{ tipo: 'DST', nombre: 'Escuela Secundaria Técnica No. {n}' }, 25],
    [{ tipo: 'ETV', nombre: 'Telesecundaria {h}' }, 25],
  ],
  MEDIA_SUPERIOR: [
    [{ tipo: 'DCT', nombre: 'Centro de Bachillerato Tecnológico Industrial y de Servicios No. {n}' }, 30],
    [{ tipo: 'EBH', nombre: 'Bachillerato Técnico No. {n}' }, 40],
    [{ tipo: 'ETK', nombre: 'Telebachillerato Comunitario {m}' }, 30],
  ],
  SUPERIOR: [
    [{ tipo: 'ENL', nombre: 'Escuela Normal {h}' }, 50],
    [{ tipo: 'DUP', nombre: 'Universidad Pedagógica Nacional Unidad 06{n}' }, 50],
  ],
};

const LEVEL_WEIGHTS: readonly (readonly [string, number])[] = [
  ['PREESCOLAR', 30],
  ['PRIMARIA', 40],
  ['SECUNDARIA', 18],
  ['MEDIA_SUPERIOR', 8],
  ['SUPERIOR', 4],
];

/** Where workers in Colima were born: mostly Colima, then its neighbours. */
const BIRTH_STATES: readonly (readonly [string, number])[] = [
  ['CM', 80],
  ['JC', 8],
  ['MN', 5],
  ['DF', 3],
  ['NT', 1],
  ['GR', 1],
  ['GT', 1],
  ['NE', 1],
];

const UPPER_DIGITS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function slug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

export function generateDemoCatalog(opts: DemoCatalogOptions = {}): DemoCatalog {
  const seed = opts.seed ?? DEMO_DEFAULTS.seed;
  const nCentros = opts.centros ?? DEMO_DEFAULTS.centros;
  const nTrabajadores = opts.trabajadores ?? DEMO_DEFAULTS.trabajadores;
  const rnd = new SeededRandom(seed);

  const consecutive = new Map<string, number>();
  const centros: DemoCentro[] = [];
  for (let i = 0; i < nCentros; i++) {
    // The first schools cover every level, so each Nivel user has schools to work with.
    const nivel = i < STANDARD_NIVELES.length ? STANDARD_NIVELES[i].clave : rnd.weighted(LEVEL_WEIGHTS);
    const kind = rnd.weighted(SCHOOL_KINDS[nivel]);
    const n = (consecutive.get(kind.tipo) ?? 0) + 1;
    consecutive.set(kind.tipo, n);
    const municipio = rnd.weighted(MUNICIPIOS_COLIMA);
    const cct = `06${kind.tipo}${String(n).padStart(4, '0')}${rnd.chars(LETTERS, 1)}`;
    const nombre = kind.nombre
      .replace('{h}', rnd.pick(SCHOOL_HONOREES))
      .replace('{n}', String(n))
      .replace('{m}', municipio);
    centros.push({
      cct,
      nombre,
      nivelClave: nivel,
      directorCurp: null,
      correo: null,
      estatus: rnd.chance(0.02) ? 'inactivo' : 'activo',
      municipio,
    });
  }

  const curps = new Set<string>();
  const trabajadores: TrabajadorRecord[] = [];
  for (let i = 0; i < nTrabajadores; i++) {
    // Every school gets its director first (when there are enough workers), then staff where the students are.
    const isDirector = i < nCentros;
    const centro = isDirector ? centros[i] : centros.length > 0 ? rnd.pick(centros) : undefined;
    const sexo: CurpSex = rnd.weighted([
      ['M', 55],
      ['H', 44.7],
      ['X', 0.3],
    ]);
    const given =
      sexo === 'H' ? GIVEN_NAMES_H : sexo === 'M' ? GIVEN_NAMES_M : rnd.chance(0.5) ? GIVEN_NAMES_H : GIVEN_NAMES_M;
    const nombre = rnd.pick(given);
    const primerApellido = rnd.pick(SURNAMES);
    const segundoApellido = rnd.chance(0.97) ? rnd.pick(SURNAMES) : null;
    const year = isDirector ? rnd.int(1962, 1985) : rnd.int(1962, 2002);
    const month = rnd.int(1, 12);
    const day = rnd.int(1, new Date(Date.UTC(year, month, 0)).getUTCDate());
    const estado = rnd.weighted(BIRTH_STATES);
    const differentiators = year < 2000 ? '0123456789' : LETTERS;
    let curp = '';
    // The differentiator is RENAPO's answer to homonyms: move along it until the CURP is free.
    for (let d = 0; d < differentiators.length; d++) {
      curp = generateCurp({
        primerApellido,
        segundoApellido,
        nombre,
        fechaNacimiento: { year, month, day },
        sexo,
        estado,
        diferenciador: differentiators[d],
      });
      if (!curps.has(curp)) break;
    }
    if (curps.has(curp)) {
      i--;
      continue;
    }
    curps.add(curp);
    const correoAlterno = rnd.chance(0.85)
      ? `${slug(nombre.split(' ')[0])}.${slug(primerApellido)}${rnd.chance(0.6) ? String(year % 100).padStart(2, '0') : rnd.int(1, 999)}@${rnd.weighted(MAIL_PROVIDERS)}`
      : null;
    trabajadores.push({
      curp,
      curt: rnd.chars(UPPER_DIGITS, 10),
      nombre,
      primerApellido,
      segundoApellido,
      correoAlterno,
      cct: centro?.cct ?? null,
      nivelClave: centro?.nivelClave ?? null,
      activo: isDirector ? true : rnd.chance(0.95),
    });
    if (isDirector && centro && rnd.chance(0.97)) centro.directorCurp = curp;
  }
  for (const c of centros) {
    // Most schools list a contact e-mail in the CCT catalog (not an institutional account: that is what they ask for).
    if (rnd.chance(0.7)) c.correo = `${c.cct.toLowerCase()}@${rnd.weighted(MAIL_PROVIDERS)}`;
  }
  return { centros, trabajadores };
}
