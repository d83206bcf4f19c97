import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMomento } from '../letters/fecha';
import {
  compile,
  readPartials,
  syntaxError,
  type Template,
  templatesDir,
  unescapedLines,
  variablesOf,
} from '../render/handlebars';
import { DEFAULT_IDENTITY, type Identity } from '../render/identity';

/**
 * The wording of every e-mail lives in templates/mail/<name>.txt (front matter with the subject, then the plain
 * text) and templates/mail/<name>.html, so an administrator rewords a message without touching code
 * (templates/mail/README.md explains the format to them). They are Handlebars templates (src/render/handlebars.ts):
 * the HTML part of every message is wrapped in layouts/correo.hbs, and the header, footer, link and password-advice
 * blocks are written once, as partials under templates/mail/partials. Values are escaped in the HTML part; the
 * subject and the text part are plain text and are not.
 *
 * Each template has a closed list of placeholders, checked on the parsed template and the partials it uses: a typo or
 * a placeholder the code does not fill is an error when the templates are loaded (at boot), and a value the caller
 * forgets is an error when rendering — never a blank or a literal "{{nombre}}" in a message a teacher receives.
 */
const LINK = ['enlace', 'venceEl', 'vigenciaEnlace', 'longitudMinima'] as const;

export const MAIL_TEMPLATE_VARS = {
  'alta-personal': ['nombre', 'correo', ...LINK],
  'alta-centro-trabajo': ['nombre', 'centroTrabajo', 'cct', 'correo', ...LINK],
  'alta-servicio': ['nombre', 'tipoCuenta', 'correo', ...LINK],
  restablecimiento: ['nombre', 'correo', ...LINK],
  'restablecimiento-contrasena-elegida': ['nombre', 'centroTrabajo', 'cct', 'correo', 'fecha'],
  // 5.2.3 paso 4, version 2: the school's request was rejected (to the school's institutional address).
  'restablecimiento-rechazado': ['centroTrabajo', 'cct', 'correo', 'fecha', 'motivo'],
  'reasignacion-nuevo-titular': ['nombre', 'tipoCuenta', 'correo', 'folio', ...LINK],
  'reasignacion-titular-anterior': ['nombre', 'correo', 'folio', 'fecha'],
  bloqueo: ['nombre', 'correo', 'folio', 'fecha'],
  // 5.4 and 5.5 version 3 (issue 14): a case opened by reconciliation has no oficio, so no folio to cite.
  'reasignacion-nuevo-titular-sin-oficio': ['nombre', 'tipoCuenta', 'correo', ...LINK],
  'reasignacion-titular-anterior-sin-oficio': ['nombre', 'correo', 'fecha'],
  'bloqueo-sin-oficio': ['nombre', 'correo', 'fecha'],
  'aviso-restablecimiento': ['nombre', 'correo', 'fecha'],
  'contrasena-temporal': ['nombre', 'correo', 'motivo', 'contrasenaTemporal', 'longitudMinima'],
  // The task inbox's reminders, to staff (`bandeja` is the inbox's address).
  'tarea-por-vencer': ['tarea', 'folio', 'vence', 'bandeja'],
  'tarea-vencida': ['tarea', 'folio', 'vence', 'bandeja'],
  // The digest of the tasks that arrived in a person's inbox: `tareas` is the list, one task per paragraph (folio,
  // procedure, step, due date and the case's address), written by TaskDigestProcessor; `abiertas` their open tasks.
  'tareas-nuevas': ['nuevas', 'tareas', 'abiertas', 'bandeja'],
} as const satisfies Record<string, readonly string[]>;

export type MailTemplateName = keyof typeof MAIL_TEMPLATE_VARS;
export const MAIL_TEMPLATE_NAMES = Object.keys(MAIL_TEMPLATE_VARS) as MailTemplateName[];
export type MailVarValue = string | number | Date;
export type MailTemplateVars<N extends MailTemplateName> = {
  [K in (typeof MAIL_TEMPLATE_VARS)[N][number]]: MailVarValue;
};

/** Templates that carry a single-use link; they must show it and may never carry a password. */
export const LINK_TEMPLATES = MAIL_TEMPLATE_NAMES.filter((n) =>
  (MAIL_TEMPLATE_VARS[n] as readonly string[]).includes('enlace'),
);

/** The `{{@…}}` names a mail template may read: the identity's, and Handlebars' own inside a block. */
const DATA_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(DEFAULT_IDENTITY),
  ...['index', 'first', 'last', 'key', 'root', 'partial-block'],
]);

/** An unknown `{{@nombre}}` in a source: refused at load, as an unknown placeholder is. */
function unknownDataName(source: string): string | undefined {
  for (const m of source.matchAll(/\{\{[~#/>]?\s*@([\p{L}_][\p{L}\p{N}_-]*)/gu)) if (!DATA_NAMES.has(m[1])) return m[1];
  return undefined;
}

/** Placeholders a template that declares them must show in both its text and its HTML, or the message is useless. */
const MUST_SHOW: ReadonlySet<string> = new Set(['enlace', 'contrasenaTemporal']);

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export class MailTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailTemplateError';
  }
}

/** The parts of a message as written; the offsets are the lines of the .txt before its subject and its body. */
interface TemplateSources {
  subject: string;
  text: string;
  html: string;
  subjectOffset?: number;
  textOffset?: number;
}

/** A checked message, compiled: each part takes the formatted values. */
export interface ParsedTemplate {
  subject: Template;
  text: Template;
  html: Template;
}

/** The shared pieces (`{{> partials/pie}}`, `{{#> layouts/correo}}`, …) by name, for each kind of part. */
export interface MailPartials {
  html: Readonly<Record<string, string>>;
  text: Readonly<Record<string, string>>;
}

const NO_PARTIALS: MailPartials = { html: {}, text: {} };

/** Finds templates/mail next to the sources, or under the working directory when running from a build. */
export function defaultMailTemplatesDir(): string {
  return templatesDir('mail');
}

// ---------------------------------------------------------------------------------------------------------------
// Dates: stored in UTC, written in Mexico City time (Colima follows it; no daylight saving since 2022).

/** "28 de noviembre de 2026 a las 14:05 h (hora del centro de México)", as letters write dates (src/letters/fecha.ts). */
export function formatFechaHora(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new MailTemplateError('Fecha inválida en un correo.');
  return formatMomento(date);
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Reads the `*.hbs` pieces of a templates folder (layouts/, partials/). A piece whose name ends in "-texto" is for
 * the plain-text part, the others for the HTML part: each part is offered only its own kind, so HTML in a text mail
 * (or the reverse) is refused at load like any unknown piece.
 */
export function readMailPartials(dir: string): MailPartials {
  const all = readPartials(dir);
  for (const [name, source] of Object.entries(all)) checkMarkup(source, `${name}.hbs`);
  const pick = (text: boolean) =>
    Object.fromEntries(Object.entries(all).filter(([n]) => n.endsWith('-texto') === text));
  return { html: pick(false), text: pick(true) };
}

/** Messages count lines from the start of the text parsed; the administrator counts them from the file's first. */
function inFile(message: string, lineOffset: number): string {
  return message.replace(/línea (\d+)/g, (_all, n: string) => `línea ${lineOffset + Number(n)}`);
}

/** Syntax, and no `{{{…}}}`: the HTML part must escape every value, and the text part has no need of it. */
function checkMarkup(source: string, where: string, lineOffset = 0): void {
  const bad = syntaxError(source);
  if (bad !== undefined) throw new MailTemplateError(`${where}: ${inFile(bad, lineOffset)}`);
  const [line] = unescapedLines(source);
  if (line !== undefined) {
    throw new MailTemplateError(
      `${where}: la línea ${lineOffset + line} usa llaves triples o {{& …}}; escriba {{nombre}} (el sistema escapa cada valor).`,
    );
  }
}

/** Splits "---\nasunto: …\n---\nbody" into subject and body, and how many lines of the file come before each. */
function parseTextTemplate(source: string, where: string): Omit<Required<TemplateSources>, 'html'> {
  const normalized = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(normalized);
  if (!m)
    throw new MailTemplateError(`${where}: debe empezar con un encabezado entre líneas "---" que diga "asunto: …".`);
  let subject: string | undefined;
  let subjectOffset = 0;
  for (const [i, line] of (m[1] ?? '').split('\n').entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const field = /^([a-záéíóúñ]+)\s*:\s*(.*)$/i.exec(trimmed);
    if (field?.[1]?.toLowerCase() === 'asunto' && (field[2] ?? '').trim() !== '') {
      subject = (field[2] ?? '').trim();
      subjectOffset = i + 1;
    } else {
      throw new MailTemplateError(
        `${where}: el encabezado solo admite "asunto: …" (línea: "${trimmed.slice(0, 60)}").`,
      );
    }
  }
  if (subject === undefined) throw new MailTemplateError(`${where}: falta "asunto: …" en el encabezado.`);
  const textOffset = (m[1] ?? '').split('\n').length + 2;
  return { subject, text: m[2] ?? '', subjectOffset, textOffset };
}

/** The placeholders one part reads, itself and through the partials it uses; an error names the file and line. */
function placeholdersOf(
  source: string,
  where: string,
  partials: Readonly<Record<string, string>>,
  lineOffset = 0,
): Set<string> {
  checkMarkup(source, where, lineOffset);
  try {
    return variablesOf(source, partials);
  } catch (e) {
    throw new MailTemplateError(`${where}: ${inFile((e as Error).message, lineOffset)}`);
  }
}

/**
 * Checks one template's sources against its declared placeholders and compiles them; throws a MailTemplateError that
 * names the file. `partials` are the folder's shared pieces (readMailPartials).
 */
export function validateTemplate(
  name: MailTemplateName,
  sources: TemplateSources,
  partials: MailPartials = NO_PARTIALS,
): ParsedTemplate {
  const declared = new Set<string>(MAIL_TEMPLATE_VARS[name]);
  const used: Record<'subject' | 'text' | 'html', Set<string>> = {
    // The subject is one header line: no pieces (they span lines).
    subject: placeholdersOf(sources.subject, `${name}.txt`, {}, sources.subjectOffset),
    text: placeholdersOf(sources.text, `${name}.txt`, partials.text, sources.textOffset),
    html: placeholdersOf(sources.html, `${name}.html`, partials.html),
  };
  for (const [part, names] of Object.entries(used)) {
    const file = part === 'html' ? `${name}.html` : `${name}.txt`;
    for (const p of names) {
      if (!declared.has(p)) {
        throw new MailTemplateError(
          `${file}: el marcador {{${p}}} no existe para esta plantilla (disponibles: ${[...declared].join(', ')}).`,
        );
      }
    }
  }
  for (const p of declared) {
    if (!MUST_SHOW.has(p)) continue;
    if (!used.text.has(p)) throw new MailTemplateError(`${name}.txt: debe mostrar {{${p}}}.`);
    if (!used.html.has(p)) throw new MailTemplateError(`${name}.html: debe mostrar {{${p}}}.`);
  }
  for (const [file, source] of [
    [`${name}.txt`, sources.subject + '\n' + sources.text],
    [`${name}.html`, sources.html],
    ...Object.entries({ ...partials.text, ...partials.html }).map(([piece, text]) => [`${piece}.hbs`, text]),
  ]) {
    const unknown = unknownDataName(source);
    if (unknown !== undefined) {
      throw new MailTemplateError(
        `${file}: el marcador {{@${unknown}}} no existe (disponibles para todos los correos: ` +
          `${Object.keys(DEFAULT_IDENTITY)
            .map((k) => `@${k}`)
            .join(', ')}).`,
      );
    }
  }
  if ([...used.subject].some((p) => p === 'enlace' || /contrasena/i.test(p))) {
    throw new MailTemplateError(`${name}.txt: el asunto no puede llevar enlaces ni contraseñas.`);
  }
  return {
    subject: compile(sources.subject, { plainText: true }),
    text: compile(sources.text, { plainText: true, partials: partials.text }),
    html: compile(sources.html, { partials: partials.html }),
  };
}

function stringValue(name: MailTemplateName, key: string, value: unknown): string {
  if (value instanceof Date) return formatFechaHora(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') {
    if (key === 'enlace' && !/^https?:\/\/[^\s<>"']+$/.test(value)) {
      throw new MailTemplateError(`Correo "${name}": el enlace debe ser una dirección http(s) completa.`);
    }
    return value;
  }
  throw new MailTemplateError(`Correo "${name}": falta el valor de {{${key}}}.`);
}

/** Renders a parsed template with values; pure, so callers may render templates they hold in memory. */
export function renderParsed<N extends MailTemplateName>(
  name: N,
  parsed: ParsedTemplate,
  vars: MailTemplateVars<N>,
  identity: Identity = DEFAULT_IDENTITY,
): RenderedMail {
  const data = { ...identity };
  const declared = MAIL_TEMPLATE_VARS[name] as readonly string[];
  const given = vars as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!declared.includes(key)) {
      throw new MailTemplateError(
        `Correo "${name}": {{${key}}} no es un marcador de esta plantilla (disponibles: ${declared.join(', ')}).`,
      );
    }
  }
  const values = Object.fromEntries(declared.map((key) => [key, stringValue(name, key, given[key])]));
  const subject = parsed.subject(values, data);
  if (/[\r\n]/.test(subject))
    throw new MailTemplateError(`Correo "${name}": el asunto no puede tener saltos de línea.`);
  // Partials end in a newline of their own: the text ends in exactly one, as a file does.
  return { subject, text: parsed.text(values, data).replace(/\s+$/, '') + '\n', html: parsed.html(values, data) };
}

export class MailTemplates {
  private constructor(
    readonly dir: string,
    private readonly parsed: ReadonlyMap<MailTemplateName, ParsedTemplate>,
    readonly identity: Identity,
  ) {}

  /**
   * Reads and checks every template and shared piece; an error names the file and the placeholder to fix.
   * `identity`: the institution the mails name (the configured one; Colima's CSEEE by default).
   */
  static load(dir: string = defaultMailTemplatesDir(), identity: Identity = DEFAULT_IDENTITY): MailTemplates {
    const partials = readMailPartials(dir);
    const parsed = new Map<MailTemplateName, ParsedTemplate>();
    for (const name of MAIL_TEMPLATE_NAMES) {
      const txtFile = join(dir, `${name}.txt`);
      const htmlFile = join(dir, `${name}.html`);
      for (const f of [txtFile, htmlFile]) {
        if (!existsSync(f)) throw new MailTemplateError(`Falta la plantilla de correo ${f}.`);
      }
      const html = readFileSync(htmlFile, 'utf8').replace(/^\uFEFF/, '');
      parsed.set(name, parseTemplateSources(name, readFileSync(txtFile, 'utf8'), html, partials));
    }
    return new MailTemplates(dir, parsed, identity);
  }

  render<N extends MailTemplateName>(name: N, vars: MailTemplateVars<N>): RenderedMail {
    const template = this.parsed.get(name);
    if (!template) throw new MailTemplateError(`No hay plantilla de correo "${String(name)}".`);
    return renderParsed(name, template, vars, this.identity);
  }
}

/** Exposed for tests and for an administrator's preview: parse a template held in memory. */
export function parseTemplateSources(
  name: MailTemplateName,
  txt: string,
  html: string,
  partials: MailPartials = NO_PARTIALS,
): ParsedTemplate {
  return validateTemplate(name, { ...parseTextTemplate(txt, `${name}.txt`), html }, partials);
}
