import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import Handlebars from 'handlebars';

/**
 * The one template engine of the product: Handlebars, for pages, mails and letters.
 *
 * Why Handlebars: the wording already lived in `{{placeholder}}` files that administrators edit, and Handlebars reads
 * that syntax as it is; `{{value}}` escapes HTML by default (escaping is no longer the caller's discipline); partials
 * and `{{#> layout}}` blocks give one header, footer and layout; `Handlebars.parse` returns an AST, so a closed
 * vocabulary (letters, mails) is checked by walking the parsed template instead of by a regular expression; and it
 * runs templates without `eval` of user text (templates are logic-less: no JavaScript in a file an administrator edits).
 *
 * One environment for the process: partials and helpers registered here are shared by every template.
 */
export const hbs = Handlebars.create();

/** The one HTML escaper (Handlebars' own, the one `{{value}}` uses). */
export function escapeHtml(value: string | number | boolean | null | undefined): string {
  return hbs.Utils.escapeExpression(value === null || value === undefined ? '' : String(value));
}

/** Marks markup the code built (already escaped) so a template inserts it as is: `{{{x}}}` is not needed. */
export function safeHtml(markup: string): Handlebars.SafeString {
  return new hbs.SafeString(markup);
}

export type Template<T = Record<string, unknown>> = (context: T) => string;

/** Compile options: strict (a missing value is an error, never a blank), HTML-escaping unless told it is plain text. */
export function compile<T = Record<string, unknown>>(source: string, opts: { plainText?: boolean } = {}): Template<T> {
  const template = hbs.compile<T>(source, { strict: true, noEscape: opts.plainText === true });
  return (context: T) => template(context);
}

/** Every `{{name}}` a template reads (paths and helper arguments), by walking its parsed AST. */
export function variablesOf(source: string): Set<string> {
  const found = new Set<string>();
  const helpers = new Set(Object.keys(hbs.helpers));
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as { type?: string; original?: string; data?: boolean; parts?: string[] } & Record<string, unknown>;
    if (n.type === 'PathExpression' && n.data !== true && typeof n.original === 'string' && !helpers.has(n.original)) {
      if (n.original !== 'this' && n.original !== '.') found.add(n.original);
    }
    for (const [key, value] of Object.entries(n)) if (key !== 'loc') visit(value);
  };
  visit(hbs.parse(source));
  return found;
}

/**
 * Registers every `*.hbs` under `dir` as a partial named by its path without the extension (`layouts/public`,
 * `partials/footer`). Used for the directories of layouts and shared pieces.
 */
export function registerPartials(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const names: string[] = [];
  for (const file of listFiles(dir, '.hbs')) {
    const name = relative(dir, file).slice(0, -'.hbs'.length).split(sep).join('/');
    hbs.registerPartial(name, readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
    names.push(name);
  }
  return names;
}

function listFiles(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p, ext));
    else if (name.endsWith(ext)) out.push(p);
  }
  return out;
}

/** templates/ next to the sources, or under the working directory when running from a build. */
export function templatesDir(...sub: string[]): string {
  const candidates = [resolve(__dirname, '..', '..', 'templates', ...sub), resolve(process.cwd(), 'templates', ...sub)];
  return candidates.find((d) => existsSync(d)) ?? candidates[0];
}
