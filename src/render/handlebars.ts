import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Handlebars from 'handlebars';
import { projectPath } from '../config/project-root';

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

/** `data`: values every template of a set reads as `{{@name}}` (the institution's names in the mails). */
export type Template<T = Record<string, unknown>> = (context: T, data?: Readonly<Record<string, string>>) => string;

/**
 * Compile options: strict (a missing value is an error, never a blank), HTML-escaping unless told it is plain text.
 * `partials` (name → source) are compiled with the same options and seen by this template only, ahead of the
 * registered ones: a set of templates loaded from its own folder (mails) brings its own pieces without replacing the
 * process-wide ones, and a plain-text piece is never HTML-escaped.
 */
export function compile<T = Record<string, unknown>>(
  source: string,
  opts: { plainText?: boolean; partials?: Readonly<Record<string, string>> } = {},
): Template<T> {
  const options = compileOptions(opts.plainText);
  const template = hbs.compile<T>(source, options);
  const partials = Object.fromEntries(
    Object.entries(opts.partials ?? {}).map(([name, text]) => [name, hbs.compile(text, options)]),
  );
  return (context: T, data?: Readonly<Record<string, string>>) => template(context, { partials, data });
}

const compileOptions = (plainText?: boolean): { strict: true; noEscape: boolean } => ({
  strict: true,
  noEscape: plainText === true,
});

/**
 * Registers `source` as a process-wide partial, compiled now in the mode of `compile` (strict, HTML-escaping unless
 * plain text), which it keeps in whichever template calls it. Registered as source text instead, a partial would be
 * compiled again by every render that uses it: the runtime keeps what it compiles in the render's own copy of the
 * partials (`compile` passes each template its own), so a page with a layout and a few pieces parsed and generated
 * code for them on every request (~5 ms of a 25-row page).
 */
export function registerPartial(name: string, source: string, opts: { plainText?: boolean } = {}): void {
  hbs.registerPartial(name, hbs.compile(source, compileOptions(opts.plainText)));
}

/**
 * Every `{{name}}` a template reads (paths and helper arguments), by walking its parsed AST. With `partials`
 * (name → source) the walk follows `{{> name}}` and `{{#> name}}…{{/name}}` into them, less the names the call passes
 * as `key=value`: a placeholder a shared piece reads counts for each template that uses the piece. A call to a
 * partial not in `partials` is then an error (Spanish: it reaches the administrator who edits the template).
 */
export function variablesOf(source: string, partials?: Readonly<Record<string, string>>): Set<string> {
  return new Set(variableLines(source, partials).keys());
}

/** variablesOf with the line each name is first read on (for a name read inside a partial, the line of the call). */
export function variableLines(source: string, partials?: Readonly<Record<string, string>>): Map<string, number> {
  const found = new Map<string, number>();
  collectVariables(hbs.parse(source), { partials, stack: [], found });
  return found;
}

interface AstNode {
  type?: string;
  original?: string;
  data?: boolean;
  loc?: { start: { line: number } };
  [key: string]: unknown;
}

interface Walk {
  partials: Readonly<Record<string, string>> | undefined;
  /** Partials being walked, to refuse one that calls itself. */
  stack: string[];
  found: Map<string, number>;
  /** Set inside a partial: its names are reported at the line of the call. */
  callLine?: number;
}

function collectVariables(ast: unknown, walk: Walk): void {
  walkAst(ast, (n) => {
    const line = walk.callLine ?? n.loc?.start.line ?? 1;
    if (n.type === 'PathExpression') {
      const name = n.original;
      if (n.data === true || typeof name !== 'string' || name === 'this' || name === '.') return false;
      if (!Object.prototype.hasOwnProperty.call(hbs.helpers, name) && !walk.found.has(name)) walk.found.set(name, line);
      return false;
    }
    if (n.type !== 'PartialStatement' && n.type !== 'PartialBlockStatement') return true;
    // A partial's name is not a value the template reads; what it passes and the block it wraps are.
    for (const child of [n.params, n.hash, n.program]) collectVariables(child, walk);
    if (walk.partials !== undefined) collectPartial(n, line, walk);
    return false;
  });
}

function collectPartial(call: AstNode, line: number, walk: Walk): void {
  const name = call.name as AstNode;
  if (name.type === 'PathExpression' && name.data === true) return; // {{> @partial-block}}: the caller's own block
  const partial = name.type === 'PathExpression' ? (name.original ?? '') : '';
  const source = walk.partials?.[partial];
  if (source === undefined) {
    const known = Object.keys(walk.partials ?? {}).join(', ');
    throw new Error(`la pieza {{> ${partial || '…'}}} (línea ${line}) no existe (disponibles: ${known}).`);
  }
  if (walk.stack.includes(partial)) throw new Error(`la pieza {{> ${partial}}} se usa a sí misma.`);
  const hash = call.hash as { pairs?: { key: string }[] } | undefined;
  const given = new Set((hash?.pairs ?? []).map((p) => p.key));
  const inner: Walk = { ...walk, stack: [...walk.stack, partial], found: new Map(), callLine: line };
  collectVariables(hbs.parse(source), inner);
  for (const [v] of inner.found) if (!given.has(v) && !walk.found.has(v)) walk.found.set(v, line);
}

/** Calls `visit` on every node of a parsed template, depth first; `visit` returns false to skip the node's children. */
function walkAst(node: unknown, visit: (n: AstNode) => boolean): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach((n) => walkAst(n, visit));
  const n = node as AstNode;
  if (typeof n.type === 'string' && !visit(n)) return;
  for (const [key, value] of Object.entries(n)) if (key !== 'loc') walkAst(value, visit);
}

/**
 * Why a template an administrator edits cannot be used, in Spanish and with its line, or undefined when it can.
 * Besides Handlebars' syntax errors, stray `{{` or `}}` count: in such a file they are a mistyped placeholder that
 * would reach a reader literally.
 */
export function syntaxError(source: string): string | undefined {
  let ast: unknown;
  try {
    ast = hbs.parse(source);
  } catch (e) {
    const err = e as { lineNumber?: number; message?: string };
    const line = err.lineNumber ?? Number(/line (\d+)/.exec(err.message ?? '')?.[1] ?? NaN);
    const where = Number.isNaN(line) ? '' : ` en la línea ${line}`;
    return (
      `error de escritura${where}: revise que cada "{{" se cierre con "}}" y que cada bloque ({{#if …}}, ` +
      `{{#unless …}}) se cierre con el suyo ({{/if}}, {{/unless}}).`
    );
  }
  let stray: number | undefined;
  walkAst(ast, (n) => {
    const text = n.type === 'ContentStatement' ? (n.original ?? '') : '';
    const at = text.search(/\{\{|\}\}/);
    if (at >= 0 && stray === undefined)
      stray = (n.loc?.start.line ?? 1) + (text.slice(0, at).match(/\n/g)?.length ?? 0);
    return true;
  });
  return stray === undefined
    ? undefined
    : `hay llaves "{{" o "}}" sueltas en la línea ${stray}: un marcador se escribe {{nombre}}.`;
}

/** Lines where a template prints a value without escaping (`{{{x}}}`, `{{& x}}`), for files that must never do so. */
export function unescapedLines(source: string): number[] {
  const lines: number[] = [];
  walkAst(hbs.parse(source), (n) => {
    if (n.type === 'MustacheStatement' && n.escaped === false) lines.push(n.loc?.start.line ?? 1);
    return true;
  });
  return lines;
}

/**
 * Registers every `*.hbs` under `dir` as a partial named by its path without the extension (`layouts/public`,
 * `partials/footer`). Used for the directories of layouts and shared pieces.
 */
export function registerPartials(dir: string): string[] {
  const partials = readPartials(dir);
  for (const [name, source] of Object.entries(partials)) registerPartial(name, source);
  return Object.keys(partials);
}

/** The `*.hbs` under `dir` by the names registerPartials gives them, without registering them (see compile). */
export function readPartials(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const partials: Record<string, string> = {};
  for (const file of listFiles(dir, '.hbs')) {
    const name = relative(dir, file).slice(0, -'.hbs'.length).split(sep).join('/');
    partials[name] = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  }
  return partials;
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

/** The product's templates/ (from the sources and from a build alike: src/config/project-root.ts). */
export function templatesDir(...sub: string[]): string {
  return projectPath('templates', ...sub);
}
