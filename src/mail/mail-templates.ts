import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatMomento } from '../letters/fecha';

/**
 * The wording of every e-mail lives in templates/mail/<name>.txt (front matter with the subject, then the plain
 * text) and templates/mail/<name>.html, so an administrator rewords a message without touching code
 * (templates/mail/README.md explains the format to them).
 *
 * Each template has a closed list of placeholders: a typo or a placeholder the code does not fill is an error when
 * the templates are loaded (at boot), and a value the caller forgets is an error when rendering — never a blank or a
 * literal "{{nombre}}" in a message a teacher receives.
 */
const LINK = ['enlace', 'venceEl', 'vigenciaEnlace', 'longitudMinima'] as const;

export const MAIL_TEMPLATE_VARS = {
  'alta-personal': ['nombre', 'correo', ...LINK],
  'alta-centro-trabajo': ['nombre', 'centroTrabajo', 'cct', 'correo', ...LINK],
  'alta-servicio': ['nombre', 'tipoCuenta', 'correo', ...LINK],
  restablecimiento: ['nombre', 'correo', ...LINK],
  'restablecimiento-contrasena-elegida': ['nombre', 'centroTrabajo', 'cct', 'correo', 'fecha'],
  'reasignacion-nuevo-titular': ['nombre', 'tipoCuenta', 'correo', 'folio', ...LINK],
  'reasignacion-titular-anterior': ['nombre', 'correo', 'folio', 'fecha'],
  bloqueo: ['nombre', 'correo', 'folio', 'fecha'],
  'aviso-restablecimiento': ['nombre', 'correo', 'fecha'],
  'contrasena-temporal': ['nombre', 'correo', 'motivo', 'contrasenaTemporal', 'longitudMinima'],
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

interface ParsedTemplate {
  subject: string;
  text: string;
  html: string;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const NAME = /^[a-zA-Z][a-zA-Z0-9]*$/;

export const DEFAULT_MAIL_TEMPLATES_DIR = resolve(__dirname, '..', '..', 'templates', 'mail');

/** Finds templates/mail next to the sources, or under the working directory when running from a build. */
export function defaultMailTemplatesDir(): string {
  const candidates = [DEFAULT_MAIL_TEMPLATES_DIR, resolve(process.cwd(), 'templates', 'mail')];
  return candidates.find((d) => existsSync(join(d, 'alta-personal.txt'))) ?? DEFAULT_MAIL_TEMPLATES_DIR;
}

// ---------------------------------------------------------------------------------------------------------------
// Dates: stored in UTC, written in Mexico City time (Colima follows it; no daylight saving since 2022).

/** "28 de noviembre de 2026 a las 14:05 h (hora del centro de México)", as letters write dates (src/letters/fecha.ts). */
export function formatFechaHora(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new MailTemplateError('Fecha inválida en un correo.');
  return formatMomento(date);
}

// ---------------------------------------------------------------------------------------------------------------

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function placeholdersOf(source: string, where: string): Set<string> {
  const found = new Set<string>();
  for (const m of source.matchAll(PLACEHOLDER)) {
    const name = m[1] ?? '';
    if (!NAME.test(name)) throw new MailTemplateError(`${where}: el marcador "{{${name}}}" está mal escrito.`);
    found.add(name);
  }
  const rest = source.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    throw new MailTemplateError(`${where}: hay llaves "{{" o "}}" sin cerrar o sin marcador.`);
  }
  return found;
}

/** Splits "---\nasunto: …\n---\nbody" into subject and body. */
function parseTextTemplate(source: string, where: string): { subject: string; text: string } {
  const normalized = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(normalized);
  if (!m) throw new MailTemplateError(`${where}: debe empezar con un encabezado entre líneas "---" que diga "asunto: …".`);
  let subject: string | undefined;
  for (const line of (m[1] ?? '').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const field = /^([a-záéíóúñ]+)\s*:\s*(.*)$/i.exec(trimmed);
    if (field?.[1]?.toLowerCase() === 'asunto' && (field[2] ?? '').trim() !== '') {
      subject = (field[2] ?? '').trim();
    } else {
      throw new MailTemplateError(`${where}: el encabezado solo admite "asunto: …" (línea: "${trimmed.slice(0, 60)}").`);
    }
  }
  if (subject === undefined) throw new MailTemplateError(`${where}: falta "asunto: …" en el encabezado.`);
  return { subject, text: (m[2] ?? '').replace(/\s+$/, '') + '\n' };
}

/** Checks one template's sources against its declared placeholders; throws a MailTemplateError that names the file. */
export function validateTemplate(name: MailTemplateName, parsed: ParsedTemplate): void {
  const declared = new Set<string>(MAIL_TEMPLATE_VARS[name]);
  const used: Record<'subject' | 'text' | 'html', Set<string>> = {
    subject: placeholdersOf(parsed.subject, `${name}.txt (asunto)`),
    text: placeholdersOf(parsed.text, `${name}.txt`),
    html: placeholdersOf(parsed.html, `${name}.html`),
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
  if (/\{\{\s*enlace\s*\}\}/.test(parsed.subject) || /contrasena/i.test([...used.subject].join(' '))) {
    throw new MailTemplateError(`${name}.txt: el asunto no puede llevar enlaces ni contraseñas.`);
  }
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

function fill(source: string, values: Map<string, string>, escape: boolean): string {
  return source.replace(PLACEHOLDER, (_all, key: string) => {
    const v = values.get(key) ?? '';
    return escape ? escapeHtml(v) : v;
  });
}

/** Renders parsed sources with values; pure, so callers may render templates they hold in memory. */
export function renderParsed<N extends MailTemplateName>(
  name: N,
  parsed: ParsedTemplate,
  vars: MailTemplateVars<N>,
): RenderedMail {
  const declared = MAIL_TEMPLATE_VARS[name] as readonly string[];
  const given = vars as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!declared.includes(key)) {
      throw new MailTemplateError(`Correo "${name}": {{${key}}} no es un marcador de esta plantilla (disponibles: ${declared.join(', ')}).`);
    }
  }
  const values = new Map(declared.map((key) => [key, stringValue(name, key, given[key])]));
  const subject = fill(parsed.subject, values, false);
  if (/[\r\n]/.test(subject)) throw new MailTemplateError(`Correo "${name}": el asunto no puede tener saltos de línea.`);
  return { subject, text: fill(parsed.text, values, false), html: fill(parsed.html, values, true) };
}

export class MailTemplates {
  private constructor(
    readonly dir: string,
    private readonly parsed: ReadonlyMap<MailTemplateName, ParsedTemplate>,
  ) {}

  /** Reads and checks every template; an error names the file and the placeholder to fix. */
  static load(dir: string = defaultMailTemplatesDir()): MailTemplates {
    const parsed = new Map<MailTemplateName, ParsedTemplate>();
    for (const name of MAIL_TEMPLATE_NAMES) {
      const txtFile = join(dir, `${name}.txt`);
      const htmlFile = join(dir, `${name}.html`);
      for (const f of [txtFile, htmlFile]) {
        if (!existsSync(f)) throw new MailTemplateError(`Falta la plantilla de correo ${f}.`);
      }
      const { subject, text } = parseTextTemplate(readFileSync(txtFile, 'utf8'), `${name}.txt`);
      const html = readFileSync(htmlFile, 'utf8').replace(/^\uFEFF/, '');
      const template = { subject, text, html };
      validateTemplate(name, template);
      parsed.set(name, template);
    }
    return new MailTemplates(dir, parsed);
  }

  render<N extends MailTemplateName>(name: N, vars: MailTemplateVars<N>): RenderedMail {
    const template = this.parsed.get(name);
    if (!template) throw new MailTemplateError(`No hay plantilla de correo "${String(name)}".`);
    return renderParsed(name, template, vars);
  }
}

/** Exposed for tests and for an administrator's preview: parse a template held in memory. */
export function parseTemplateSources(name: MailTemplateName, txt: string, html: string): ParsedTemplate {
  const { subject, text } = parseTextTemplate(txt, `${name}.txt`);
  const parsed = { subject, text, html };
  validateTemplate(name, parsed);
  return parsed;
}
