import { DomainError } from '../../common/domain-error';
import { cctProblem, isValidCct, normalizeCct } from '../../validation/cct';
import { curpProblem, isValidCurp, normalizeCurp } from '../../validation/curp';
import { emailProblem } from '../../validation/email';
import { normalizeHeader } from './csv-file';
import { nivelClave, nivelProblem } from './niveles';

export const CATALOG_KINDS = ['trabajadores', 'centros'] as const;
export type CatalogKind = (typeof CATALOG_KINDS)[number];

export function isCatalogKind(s: string): s is CatalogKind {
  return (CATALOG_KINDS as readonly string[]).includes(s);
}

interface FieldSpec<F extends string> {
  field: F;
  required: boolean;
  /** Other ways exports name the column, already normalized (normalizeHeader). */
  aliases: readonly string[];
}

export type TrabajadorField =
  'curp' | 'curt' | 'nombre' | 'primer_apellido' | 'segundo_apellido' | 'correo_alterno' | 'cct' | 'nivel' | 'estatus';
export type CentroField = 'cct' | 'nombre' | 'nivel' | 'curp_director' | 'correo' | 'estatus';

export const TRABAJADOR_FIELDS: readonly FieldSpec<TrabajadorField>[] = [
  { field: 'curp', required: true, aliases: [] },
  { field: 'curt', required: true, aliases: [] },
  { field: 'nombre', required: true, aliases: ['nombres', 'nombre_s'] },
  { field: 'primer_apellido', required: true, aliases: ['apellido_paterno', 'paterno'] },
  { field: 'segundo_apellido', required: false, aliases: ['apellido_materno', 'materno'] },
  { field: 'correo_alterno', required: false, aliases: ['correo_alternativo', 'correo_personal', 'email_alterno'] },
  { field: 'cct', required: false, aliases: ['clave_cct', 'clave_ct', 'clave_del_centro_de_trabajo'] },
  { field: 'nivel', required: false, aliases: ['nivel_educativo'] },
  { field: 'estatus', required: false, aliases: ['status', 'situacion'] },
];

export const CENTRO_FIELDS: readonly FieldSpec<CentroField>[] = [
  { field: 'cct', required: true, aliases: ['clave_cct', 'clave_ct', 'clave_del_centro_de_trabajo'] },
  { field: 'nombre', required: true, aliases: ['nombre_ct', 'nombre_del_centro_de_trabajo', 'nombre_del_centro'] },
  { field: 'nivel', required: true, aliases: ['nivel_educativo'] },
  { field: 'curp_director', required: false, aliases: ['curp_del_director', 'director_curp'] },
  { field: 'correo', required: false, aliases: ['correo_electronico', 'email'] },
  { field: 'estatus', required: false, aliases: ['status', 'situacion'] },
];

export interface HeaderMap<F extends string> {
  /** Column index of each field the file has. */
  columns: Map<F, number>;
  /** Header cells that are not a known column (kept out of the import, shown in the summary). */
  ignored: string[];
}

function fieldsOf(kind: CatalogKind): readonly FieldSpec<string>[] {
  return kind === 'trabajadores' ? TRABAJADOR_FIELDS : CENTRO_FIELDS;
}

const otherKind = (kind: CatalogKind): CatalogKind => (kind === 'trabajadores' ? 'centros' : 'trabajadores');

interface Located<F extends string> extends HeaderMap<F> {
  missing: F[];
  duplicate?: { field: F; first: number; second: number };
}

function locate<F extends string>(kind: CatalogKind, header: string[]): Located<F> {
  const specs = fieldsOf(kind) as readonly FieldSpec<F>[];
  const byName = new Map<string, F>();
  for (const s of specs) for (const n of [s.field, ...s.aliases]) byName.set(n, s.field);
  const columns = new Map<F, number>();
  const ignored: string[] = [];
  let duplicate: Located<F>['duplicate'];
  header.forEach((cell, i) => {
    const field = byName.get(normalizeHeader(cell));
    if (field === undefined) {
      if (cell.trim() !== '') ignored.push(cell.trim());
      return;
    }
    const first = columns.get(field);
    if (first !== undefined) duplicate ??= { field, first, second: i };
    else columns.set(field, i);
  });
  const missing = specs.filter((s) => s.required && !columns.has(s.field)).map((s) => s.field);
  return { columns, ignored, missing, duplicate };
}

/** Header cells (as written) of the columns only this catalog has: curp, curt, primer_apellido… / curp_director, correo. */
function ownColumns(kind: CatalogKind, header: string[]): string[] {
  const shared = new Set(fieldsOf(otherKind(kind)).map((s) => s.field));
  return [...locate(kind, header).columns].filter(([field]) => !shared.has(field)).map(([, i]) => header[i].trim());
}

/**
 * Which catalog a header comes from: the one whose own columns it brings more of (a workers export has curp, curt and
 * the surnames; the schools catalog has curp_director and correo, never a CURT). Both share cct, nombre, nivel and
 * estatus, so those say nothing. null when it cannot tell.
 */
export function recognizeKind(header: string[]): CatalogKind | null {
  const workers = ownColumns('trabajadores', header).length;
  const schools = ownColumns('centros', header).length;
  return workers > schools ? 'trabajadores' : schools > workers ? 'centros' : null;
}

const KIND_NAMES: Record<CatalogKind, { looks: string; not: string; the: string }> = {
  trabajadores: {
    looks: 'de trabajadores (exportación de Capital Humano)',
    not: 'de trabajadores',
    the: 'la exportación de trabajadores',
  },
  centros: { looks: 'del Catálogo de Centros de Trabajo', not: 'de centros de trabajo', the: 'el catálogo de centros' },
};

/**
 * Finds each known column in the header, in any order and spelling of case and accents. A header of the other
 * catalog, a missing required column or a column named twice is fatal: the file cannot be read the way its author
 * meant (a workers file taken for the schools catalog would retire every school).
 */
export function mapHeader<F extends string>(kind: CatalogKind, header: string[]): HeaderMap<F> {
  const looksLike = recognizeKind(header);
  if (looksLike !== null && looksLike !== kind) {
    const columns = ownColumns(looksLike, header);
    throw new DomainError(
      'IMPORTACION_TIPO_EQUIVOCADO',
      `El archivo parece ${KIND_NAMES[looksLike].looks}, no ${KIND_NAMES[kind].not}: ` +
        `trae las columnas ${columns.map((c) => `«${c}»`).join(', ')}, que ${KIND_NAMES[kind].the} no tiene. No se cargó nada. ` +
        `Si es ${KIND_NAMES[looksLike].the}, impórtelo con: npm run import -- ${looksLike} ARCHIVO.csv`,
      422,
      { looksLike, columns },
    );
  }
  const found = locate<F>(kind, header);
  if (found.duplicate) {
    const { field, first, second } = found.duplicate;
    throw new DomainError(
      'IMPORTACION_ENCABEZADO_REPETIDO',
      `La columna «${field}» aparece dos veces en el encabezado (columnas ${first + 1} y ${second + 1}). Deje solo una y vuelva a importar.`,
      422,
    );
  }
  if (found.missing.length > 0) {
    const specs = fieldsOf(kind);
    const other = otherKind(kind);
    const hint =
      locate(other, header).missing.length === 0
        ? ` Parece un archivo de ${other}: impórtelo con «npm run import -- ${other} ARCHIVO».`
        : '';
    const cells = header.map((h) => h.trim()).filter((h) => h !== '');
    const { missing } = found;
    throw new DomainError(
      'IMPORTACION_ENCABEZADO_FALTANTE',
      `Al archivo de ${kind} le ${missing.length === 1 ? 'falta la columna' : 'faltan las columnas'} ${missing.map((m) => `«${m}»`).join(', ')}. ` +
        `La primera línea debe nombrar las columnas (${specs.map((s) => s.field + (s.required ? '' : ' (opcional)')).join(', ')}); ` +
        `se encontraron: ${cells.length ? cells.join(', ') : '(ninguna)'}.${hint}`,
      422,
      { missing },
    );
  }
  return { columns: found.columns, ignored: found.ignored };
}

export interface TrabajadorRecord {
  curp: string;
  curt: string;
  nombre: string;
  primerApellido: string;
  segundoApellido: string | null;
  correoAlterno: string | null;
  cct: string | null;
  nivelClave: string | null;
  activo: boolean;
}

export interface CentroRecord {
  cct: string;
  nombre: string;
  nivelClave: string;
  directorCurp: string | null;
  correo: string | null;
  estatus: 'activo' | 'inactivo';
}

/** The key column of each catalog (CURP, CCT) and its normalized value when a cell holds a well-formed one. */
export const KEY_COLUMNS: Record<
  CatalogKind,
  { field: TrabajadorField | CentroField; read: (raw: string) => string | null }
> = {
  trabajadores: { field: 'curp', read: (raw) => wellFormed(normalizeCurp(raw), isValidCurp) },
  centros: { field: 'cct', read: (raw) => wellFormed(normalizeCct(raw), isValidCct) },
};

function wellFormed(key: string, valid: (s: string) => boolean): string | null {
  return valid(key) ? key : null;
}

/**
 * The key (CURP, CCT) of a row with more values than the header. An unquoted separator splits one value in two and
 * moves every cell after it to the right, so the key sits at its column or up to as many columns further right as
 * the row has values too many. Read only when exactly one well-formed key is there: a guess would keep the wrong row.
 */
export function keyOfLongRow(
  kind: CatalogKind,
  keyColumn: number,
  values: readonly string[],
  headerLength: number,
): string | null {
  const { read } = KEY_COLUMNS[kind];
  const found = new Set<string>();
  for (let i = keyColumn; i <= keyColumn + Math.max(0, values.length - headerLength) && i < values.length; i++) {
    const key = read(values[i]);
    if (key !== null) found.add(key);
  }
  return found.size === 1 ? [...found][0] : null;
}

export type RowResult<R> =
  | { ok: true; key: string; record: R; nivel?: { clave: string; nombre: string } }
  | { ok: false; key: string | null; reason: string };

/** Trimmed text with inner runs of blanks folded to one space; '' when the cell is missing. */
const text = (v: string | undefined): string => (v ?? '').replace(/\s+/g, ' ').trim();

function fold(v: string): string {
  return v
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}

const ACTIVE_WORDS = new Set([
  'ACTIVO',
  'ACTIVA',
  'A',
  'ALTA',
  'VIGENTE',
  'SI',
  '1',
  'LICENCIA',
  'OPERANDO',
  'EN OPERACION',
]);
const INACTIVE_WORDS = new Set([
  'BAJA',
  'B',
  'INACTIVO',
  'INACTIVA',
  'I',
  'NO',
  '0',
  'JUBILADO',
  'JUBILADA',
  'PENSIONADO',
  'PENSIONADA',
  'DEFUNCION',
  'FALLECIDO',
  'FALLECIDA',
  'RENUNCIA',
  'CESE',
  'CESADO',
  'CESADA',
  'SUSPENDIDO',
  'SUSPENDIDA',
  'CLAUSURADO',
  'CLAUSURADA',
  'CERRADO',
  'CERRADA',
]);

/**
 * Estatus as exports write it. An empty cell counts as active (the row is in the export); the first word decides
 * compound values ("BAJA DEFINITIVA", "LICENCIA CON GOCE"); anything else is a row error, never a guess.
 */
export function parseEstatus(raw: string): boolean | null {
  const v = fold(raw);
  if (v === '') return true;
  if (ACTIVE_WORDS.has(v)) return true;
  if (INACTIVE_WORDS.has(v)) return false;
  const first = v.split(' ')[0];
  if (ACTIVE_WORDS.has(first) && first.length > 1) return true;
  if (INACTIVE_WORDS.has(first) && first.length > 1) return false;
  return null;
}

function lengthProblem(label: string, value: string, max: number): string | null {
  return value.length > max ? `${label} admite hasta ${max} caracteres y tiene ${value.length}.` : null;
}

type Getter<F extends string> = (field: F) => string | undefined;

function resolveNivel(raw: string, problems: string[]): { clave: string; nombre: string } | undefined {
  if (raw === '') return undefined;
  const problem = nivelProblem(raw);
  if (problem) {
    problems.push(problem);
    return undefined;
  }
  return { clave: nivelClave(raw), nombre: raw };
}

export function parseTrabajadorRow(get: Getter<TrabajadorField>): RowResult<TrabajadorRecord> {
  const problems: string[] = [];
  const curp = normalizeCurp(get('curp') ?? '');
  if (curp === '') problems.push('Falta la CURP.');
  else {
    const p = curpProblem(curp);
    if (p) problems.push(p);
  }
  const curt = text(get('curt')).toUpperCase();
  if (curt === '') problems.push('Falta la CURT.');
  else if (/\s/.test(curt)) problems.push('La CURT no puede tener espacios.');
  else {
    const p = lengthProblem('La CURT', curt, 30);
    if (p) problems.push(p);
  }
  const nombre = text(get('nombre'));
  if (nombre === '') problems.push('Falta el nombre.');
  const primerApellido = text(get('primer_apellido'));
  if (primerApellido === '') problems.push('Falta el primer apellido.');
  const segundoApellido = text(get('segundo_apellido'));
  for (const p of [
    lengthProblem('El nombre', nombre, 120),
    lengthProblem('El primer apellido', primerApellido, 80),
    lengthProblem('El segundo apellido', segundoApellido, 80),
  ]) {
    if (p) problems.push(p);
  }
  const correo = text(get('correo_alterno')).toLowerCase();
  if (correo !== '') {
    const p = emailProblem(correo);
    if (p) problems.push(`Correo alterno: ${p}`);
  }
  const cct = normalizeCct(get('cct') ?? '');
  if (cct !== '') {
    const p = cctProblem(cct);
    if (p) problems.push(p);
  }
  const nivel = resolveNivel(text(get('nivel')), problems);
  const estatusRaw = text(get('estatus'));
  const activo = parseEstatus(estatusRaw);
  if (activo === null) {
    problems.push(
      `El estatus «${estatusRaw}» no se reconoce; use ACTIVO o BAJA (también: JUBILADO, LICENCIA, INACTIVO...).`,
    );
  }
  if (problems.length > 0 || activo === null) return { ok: false, key: curp || null, reason: problems.join(' ') };
  return {
    ok: true,
    key: curp,
    nivel,
    record: {
      curp,
      curt,
      nombre,
      primerApellido,
      segundoApellido: segundoApellido || null,
      correoAlterno: correo || null,
      cct: cct || null,
      nivelClave: nivel?.clave ?? null,
      activo,
    },
  };
}

export function parseCentroRow(get: Getter<CentroField>): RowResult<CentroRecord> {
  const problems: string[] = [];
  const cct = normalizeCct(get('cct') ?? '');
  if (cct === '') problems.push('Falta la CCT.');
  else {
    const p = cctProblem(cct);
    if (p) problems.push(p);
  }
  const nombre = text(get('nombre'));
  if (nombre === '') problems.push('Falta el nombre del centro de trabajo.');
  else {
    const p = lengthProblem('El nombre del centro de trabajo', nombre, 200);
    if (p) problems.push(p);
  }
  const nivelRaw = text(get('nivel'));
  if (nivelRaw === '') problems.push('Falta el nivel.');
  const nivel = resolveNivel(nivelRaw, problems);
  const director = normalizeCurp(get('curp_director') ?? '');
  if (director !== '') {
    const p = curpProblem(director);
    if (p) problems.push(`CURP del director: ${p}`);
  }
  const correo = text(get('correo')).toLowerCase();
  if (correo !== '') {
    const p = emailProblem(correo);
    if (p) problems.push(`Correo: ${p}`);
  }
  const estatusRaw = text(get('estatus'));
  const activo = parseEstatus(estatusRaw);
  if (activo === null) problems.push(`El estatus «${estatusRaw}» no se reconoce; use ACTIVO o INACTIVO.`);
  if (problems.length > 0 || activo === null || nivel === undefined)
    return { ok: false, key: cct || null, reason: problems.join(' ') };
  return {
    ok: true,
    key: cct,
    nivel,
    record: {
      cct,
      nombre,
      nivelClave: nivel.clave,
      directorCurp: director || null,
      correo: correo || null,
      estatus: activo ? 'activo' : 'inactivo',
    },
  };
}
