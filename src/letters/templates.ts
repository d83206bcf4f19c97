import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DomainError } from '../common/domain-error';
import { compile, hbs, syntaxError, variableLines } from '../render/handlebars';
import { projectPath } from '../config/project-root';

/**
 * Reply-letter wording lives in templates/letters/<procedure>-<outcome>.md, so an administrator rewords a letter by
 * editing a file. Format:
 *
 *   ---
 *   asunto: Cuenta de correo institucional para {{centroTrabajo}}
 *   ccp: Archivo.            (one line per copy; repeatable)
 *   ---
 *   Body paragraphs, separated by a blank line, with {{placeholders}}.
 *   {{#if codigoActivacion}}Only when there is a code: {{codigoActivacion}}.{{else}}Only when there is none.{{/if}}
 *   {{#unless codigoActivacion}}Only when there is none.{{/unless}}
 *   {{!-- A note for whoever edits the file; it is not printed. --}}
 *
 * The text is a Handlebars template (src/render/handlebars.ts) in plain-text mode: a letter is not HTML, so nothing is
 * escaped. Only placeholders, `{{#if x}}` / `{{#unless x}}` sections (with `{{else}}`) and comments are allowed: the
 * Mustache-style `{{#x}}…{{/x}}` of earlier versions would, in Handlebars, change what `{{x}}` means inside it, so it is
 * refused with the `{{#if x}}` to write instead. A section is shown when its placeholder has a non-blank value.
 *
 * Placeholders come from a closed vocabulary, checked on the parsed template: a typo is an error at load time, never
 * a blank in a signed letter.
 */
export const PLACEHOLDERS = {
  folio: 'folio del trámite',
  numeroOficioSolicitud: 'número del oficio recibido',
  fechaOficioSolicitud: 'fecha del oficio recibido',
  remitente: 'nombre de quien firmó el oficio recibido',
  nombre: 'nombre completo del titular de la cuenta',
  correo: 'cuenta de correo institucional',
  correoAlterno: 'correo alterno enmascarado al que se envió el enlace de activación',
  vigenciaEnlace: 'vigencia del enlace de activación (p. ej. "72 horas")',
  codigoActivacion: 'código de activación de un solo uso',
  tipoCuenta: 'tipo de cuenta (Personal, Centro de trabajo, Servicio, Función)',
  cct: 'clave del centro de trabajo (CCT)',
  centroTrabajo: 'nombre del centro de trabajo',
  nivel: 'nivel educativo',
  titularAnterior: 'nombre del titular anterior de la cuenta',
  motivo: 'motivo por el que no procede la solicitud',
  totalLineas: 'número de líneas (centros de trabajo) de un oficio de varias cuentas',
  resumenLineas: 'resumen de los resultados de un oficio de varias cuentas (p. ej. "23 creadas y 2 no proceden")',
  tablaLineas: 'lugar, en un párrafo propio, de la tabla con el resultado de cada línea de un oficio de varias cuentas',
} as const;

export type Placeholder = keyof typeof PLACEHOLDERS;
export type LetterValues = Partial<Record<Placeholder, string>>;

/** Procedures that answer an oficio (personal-* are self-service; centro-trabajo-restablecer comes through PII). */
export const LETTER_PROCEDURES = [
  'centro-trabajo-alta',
  'servicio-alta',
  'servicio-restablecer',
  'cuenta-reasignar',
  'cuenta-bloquear',
] as const;
export type LetterProcedure = (typeof LETTER_PROCEDURES)[number];

export const LETTER_OUTCOMES = [
  'creada',
  'restablecida',
  'reasignada',
  'bloqueada',
  'rechazada',
  'cuenta_existente',
] as const;
export type LetterOutcome = (typeof LETTER_OUTCOMES)[number];

/**
 * The one letter that answers an oficio for many schools (`<procedure>-lineas.md`): a table with every line's result
 * (oficio-reply.ts). Not an outcome a case asks for: the lines' outcomes are in the table.
 */
export const COMBINED_OUTCOME = 'lineas';
/** The procedures whose oficio may come with lines (many accounts), so with a combined letter to ship. */
export const LINES_PROCEDURES: readonly LetterProcedure[] = ['centro-trabajo-alta', 'servicio-alta'];
type TemplateOutcome = LetterOutcome | typeof COMBINED_OUTCOME;

/** The letters the product ships; a `<procedure>-rechazada.md` may be added to specialise the generic one. */
export const SHIPPED_LETTERS: ReadonlyArray<{ procedure: LetterProcedure; outcome: LetterOutcome }> = [
  { procedure: 'centro-trabajo-alta', outcome: 'creada' },
  // 5.2.1 for a school that already has its account (correction 14): its address, nothing created or reset.
  { procedure: 'centro-trabajo-alta', outcome: 'cuenta_existente' },
  { procedure: 'servicio-alta', outcome: 'creada' },
  { procedure: 'servicio-restablecer', outcome: 'restablecida' },
  { procedure: 'cuenta-reasignar', outcome: 'reasignada' },
  { procedure: 'cuenta-bloquear', outcome: 'bloqueada' },
  ...LETTER_PROCEDURES.map((procedure) => ({ procedure, outcome: 'rechazada' as const })),
];

export const DEFAULT_LETTER_TEMPLATES_DIR = projectPath('templates', 'letters');

export interface LetterTemplate {
  /** File the wording came from, for error messages and the movement record. */
  file: string;
  asunto: string;
  ccp: string[];
  cuerpo: string;
  placeholders: ReadonlySet<Placeholder>;
}

export interface FilledLetter {
  asunto: string;
  ccp: string[];
  /** Paragraphs separated by one blank line. */
  cuerpo: string;
}

// hbs.AST is the namespace of the AST node types in Handlebars' own typings (global there), not the import.
type Program = hbs.AST.Program;
type Statement = hbs.AST.MustacheStatement | hbs.AST.BlockStatement;

function isPlaceholder(name: string): name is Placeholder {
  return Object.prototype.hasOwnProperty.call(PLACEHOLDERS, name);
}

function templateError(file: string, message: string): DomainError {
  return new DomainError('PLANTILLA_INVALIDA', `Plantilla de oficio ${basename(file)}: ${message}`, 422, { file });
}

/**
 * Checks one text (asunto, a ccp line or the body) whose first line is line `lineOffset + 1` of the file: syntax, the
 * closed vocabulary, and the few constructs a letter uses.
 */
function checkText(file: string, text: string, lineOffset: number, found: Set<Placeholder>): void {
  const bad = syntaxError(text);
  if (bad !== undefined) {
    throw templateError(
      file,
      bad.replace(/línea (\d+)/, (_all, n: string) => `línea ${lineOffset + Number(n)}`),
    );
  }
  for (const [name, line] of variableLines(text)) {
    if (!isPlaceholder(name)) {
      throw templateError(
        file,
        `el marcador {{${name}}} (línea ${lineOffset + line}) no existe. ` +
          `Marcadores disponibles: ${Object.keys(PLACEHOLDERS).join(', ')}.`,
      );
    }
    found.add(name);
  }
  checkStatements(file, hbs.parse(text), lineOffset);
}

function checkStatements(file: string, program: Program, lineOffset: number): void {
  for (const node of program.body) {
    const line = lineOffset + node.loc.start.line;
    const st = node as Statement;
    if (st.type === 'MustacheStatement') {
      const path = st.path as hbs.AST.PathExpression;
      if (path.type !== 'PathExpression' || !isPlaceholder(path.original) || st.params.length > 0 || st.hash) {
        throw templateError(
          file,
          `{{${path.original ?? '…'} …}} (línea ${line}) no se admite: un marcador se escribe {{nombre}}.`,
        );
      }
    } else if (st.type === 'BlockStatement') {
      const [cond, ...more] = st.params as hbs.AST.PathExpression[];
      const section = st.path.original === 'if' || st.path.original === 'unless';
      if (!section || cond?.type !== 'PathExpression' || more.length > 0 || st.hash) {
        const x = isPlaceholder(st.path.original) ? st.path.original : 'marcador';
        throw templateError(
          file,
          `la sección {{#${st.path.original}}} (línea ${line}) no se admite: escriba {{#if ${x}}}…{{/if}} ` +
            `(se muestra cuando hay dato) o {{#unless ${x}}}…{{/unless}} (cuando no lo hay).`,
        );
      }
      if (st.program) checkStatements(file, st.program, lineOffset);
      if (st.inverse) checkStatements(file, st.inverse, lineOffset);
    } else if (node.type !== 'ContentStatement' && node.type !== 'CommentStatement') {
      throw templateError(
        file,
        `la línea ${line} usa algo que un oficio no admite; use solo {{marcador}} y {{#if marcador}}.`,
      );
    }
  }
}

export function parseLetterTemplate(text: string, file: string): LetterTemplate {
  const normalized = text.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  const m = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(normalized);
  if (m === null) {
    throw templateError(file, 'debe empezar con un encabezado entre líneas "---" que contenga al menos "asunto:".');
  }
  const [, header, body] = m;
  let asunto: string | undefined;
  const ccp: string[] = [];
  const found = new Set<Placeholder>();
  header.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const kv = /^([a-zA-Z]+)\s*:\s*(.*)$/.exec(line);
    if (kv === null) throw templateError(file, `línea ${i + 2} del encabezado no tiene la forma "campo: valor".`);
    const [, key, value] = kv;
    checkText(file, value, i + 1, found);
    if (key === 'asunto') asunto = value;
    else if (key === 'ccp') ccp.push(value);
    else throw templateError(file, `campo "${key}" desconocido en el encabezado (se admiten: asunto, ccp).`);
  });
  if (asunto === undefined || asunto === '') throw templateError(file, 'falta "asunto:" en el encabezado.');
  const headerLines = header.split('\n').length + 2;
  checkText(file, body, headerLines, found);
  const cuerpo = body.trim();
  if (cuerpo === '') throw templateError(file, 'el cuerpo del oficio está vacío.');
  return { file, asunto, ccp, cuerpo, placeholders: found };
}

/** Reads `<procedure>-<outcome>.md`, else the generic `<outcome>.md`. Read on every call so edits apply at once. */
export function loadLetterTemplate(
  procedure: LetterProcedure,
  outcome: TemplateOutcome,
  dir: string = DEFAULT_LETTER_TEMPLATES_DIR,
): LetterTemplate {
  const candidates = [join(dir, `${procedure}-${outcome}.md`), join(dir, `${outcome}.md`)];
  const file = candidates.find((f) => existsSync(f));
  if (file === undefined) {
    throw new DomainError(
      'PLANTILLA_NO_ENCONTRADA',
      `No hay plantilla de oficio para ${procedure} con resultado "${outcome}": cree ${basename(candidates[0])} ` +
        `en ${dir}.`,
      503,
    );
  }
  return parseLetterTemplate(readFileSync(file, 'utf8'), file);
}

/** Keys that would mean someone is trying to put a secret in a letter. */
const SECRET_KEY = /pass|contras|clave(acceso)?$|secret|pin$/i;

/** The placeholders a checked text prints with these values: sections follow the values, as Handlebars will. */
function printedNames(program: Program | undefined, shown: (name: string) => boolean, out: Set<string>): Set<string> {
  for (const node of program?.body ?? []) {
    const st = node as Statement;
    if (st.type === 'MustacheStatement') out.add((st.path as hbs.AST.PathExpression).original);
    if (st.type === 'BlockStatement') {
      const cond = (st.params[0] as hbs.AST.PathExpression).original;
      printedNames(shown(cond) === (st.path.original === 'if') ? st.program : st.inverse, shown, out);
    }
  }
  return out;
}

function fillText(t: LetterTemplate, text: string, values: LetterValues): string {
  const value = (name: string): string => values[name as Placeholder]?.trim() ?? '';
  for (const name of printedNames(hbs.parse(text), (n) => value(n) !== '', new Set())) {
    if (value(name) === '') {
      throw new DomainError(
        'PLANTILLA_DATO_FALTANTE',
        `Plantilla de oficio ${basename(t.file)}: falta el dato {{${name}}} (${PLACEHOLDERS[name as Placeholder]}).`,
        422,
        { file: t.file, placeholder: name },
      );
    }
  }
  // Every word of the vocabulary is in the context (blank when absent), so a section on a missing value is simply
  // not shown; strict mode stays as the backstop for a name the checks above let through.
  const context = Object.fromEntries(Object.keys(PLACEHOLDERS).map((name) => [name, value(name)]));
  return compile(text, { plainText: true })(context);
}

/** Fills a template; a missing value or a key outside the vocabulary is an error that names it. */
export function fillLetterTemplate(t: LetterTemplate, values: LetterValues): FilledLetter {
  for (const key of Object.keys(values)) {
    if (SECRET_KEY.test(key)) {
      throw new DomainError(
        'PLANTILLA_SECRETO',
        `Un oficio nunca lleva contraseñas ni secretos: quite el dato "${key}". El titular activa su cuenta con el ` +
          'enlace enviado a su correo alterno.',
        422,
      );
    }
    if (!isPlaceholder(key)) {
      throw new DomainError(
        'PLANTILLA_DATO_DESCONOCIDO',
        `El dato "${key}" no corresponde a ningún marcador de plantilla. Marcadores: ${Object.keys(PLACEHOLDERS).join(', ')}.`,
        422,
      );
    }
  }
  const cuerpo = fillText(t, t.cuerpo, values)
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
    .filter((p) => p !== '')
    .join('\n\n');
  return {
    asunto: fillText(t, t.asunto, values).trim(),
    ccp: t.ccp.map((c) => fillText(t, c, values).trim()).filter((c) => c !== ''),
    cuerpo,
  };
}

/** Loads every template in a folder, so a broken edit is reported at boot or by `letters:preview`, not at 3 a.m. */
export function validateLetterTemplates(dir: string = DEFAULT_LETTER_TEMPLATES_DIR): LetterTemplate[] {
  // README.md explains the format to administrators; it is not a letter.
  const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
  const templates = files.map((f) => parseLetterTemplate(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
  for (const { procedure, outcome } of SHIPPED_LETTERS) loadLetterTemplate(procedure, outcome, dir);
  for (const procedure of LINES_PROCEDURES) loadLetterTemplate(procedure, COMBINED_OUTCOME, dir);
  return templates;
}
