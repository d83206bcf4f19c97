import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HelperOptions } from 'handlebars';
import { compile, hbs, registerPartial, type Template, templatesDir } from './handlebars';
import { DEFAULT_IDENTITY, type Identity } from './identity';

/**
 * The pages of the product (staff pages, the public self-service, activation and verification pages, error pages):
 * templates/pages/*.hbs, each wrapped in one of the two layouts of templates/pages/layouts/ (`{{#> pages/layouts/staff}}`
 * or `{{#> pages/layouts/public}}`), which share the head and the palette of templates/pages/partials/. Values are
 * escaped by the engine; a value that is markup the code built must come as `safeHtml` (./handlebars).
 *
 * Layouts and partials are registered as `pages/layouts/<name>` and `pages/partials/<name>`: the environment is shared
 * with the mails, so the prefix keeps the two sets of names apart.
 */

/** A reload the page asks the browser for (a request the system is still working on). */
export interface Refresh {
  seconds: number;
  url: string;
}

/** What the public layout reads (`page` in the context). */
export interface PublicPageOptions {
  refresh?: Refresh;
  /** The `<h1>` when it is not the title (the verification page names the document in the title). */
  heading?: string;
  /** Keep the page out of search engines. */
  noindex?: boolean;
  /** The institution the layout names (the configured one, APP_CONFIG); Colima's CSEEE when absent. */
  identity?: Identity;
}

let templates: Map<string, Template<object>> | null = null;

/** Drops the final newline of a file, so a partial used inside a line adds no blank. */
const source = (file: string): string =>
  readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .replace(/\r?\n$/, '');

function load(): Map<string, Template<object>> {
  const dir = templatesDir('pages');
  for (const sub of ['layouts', 'partials']) {
    const d = join(dir, sub);
    if (!existsSync(d)) continue;
    for (const name of readdirSync(d).filter((n) => n.endsWith('.hbs')))
      registerPartial(`pages/${sub}/${name.slice(0, -4)}`, source(join(d, name)));
  }
  const out = new Map<string, Template<object>>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.hbs')))
    out.set(name.slice(0, -4), compile<object>(source(join(dir, name))));
  return out;
}

/**
 * Renders templates/pages/<name>.hbs (read and compiled once per process). `identity`: the institution its layout names
 * (`{{@institucion}}`, `{{@siglas}}`, `{{@estado}}`, `{{@area}}`).
 */
export function renderPage(name: string, context: object, identity: Identity = DEFAULT_IDENTITY): string {
  templates ??= load();
  const template = templates.get(name);
  if (!template) throw new Error(`No page template templates/pages/${name}.hbs`);
  return template(context, { ...identity });
}

/** A page in the public layout (no session: self-service, activation, verification, errors before routing). */
export function renderPublicPage(name: string, title: string, context: object, opts: PublicPageOptions = {}): string {
  return renderPage(
    name,
    {
      ...context,
      page: { title, heading: opts.heading ?? title, refresh: opts.refresh ?? null, noindex: opts.noindex === true },
    },
    opts.identity,
  );
}

/** A public page that only says what went wrong (and, if given, what to do next). */
export function renderPublicError(
  title: string,
  mensaje: string,
  opts: { nota?: string; noindex?: boolean; identity?: Identity } = {},
): string {
  return renderPublicPage(
    'error',
    title,
    { mensaje, nota: opts.nota ?? null },
    { noindex: opts.noindex, identity: opts.identity },
  );
}

// ---- Helpers the page templates use. ----

/** Hash keys of `field` that describe the field; any other key is an attribute of the control. */
const FIELD_KEYS = new Set([
  'label',
  'name',
  'value',
  'idPrefix',
  'hint',
  'required',
  'type',
  'rows',
  'options',
  'empty',
  'checked',
]);

interface FieldOption {
  value: string;
  label: string;
}

/**
 * `(field label="CCT" name="cct" value=f.cct maxlength="10")`: the context of the field partials (input, textarea,
 * select, checkbox). The id is `<idPrefix|f>-<name>` (the one the pages' tests and labels use); the hint gets
 * `<id>-ayuda`, an error of the field (`page.campoError[id]`) `<id>-error`, both named by aria-describedby; `true` makes a bare attribute (`autofocus`), `false`/empty leaves it out.
 */
function field(options: HelperOptions): Record<string, unknown> {
  const h = options.hash as Record<string, unknown>;
  // Template values are strings, numbers or booleans; anything else is a mistake shown as empty, not "[object Object]".
  const str = (v: unknown): string =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
  const id = `${str(h.idPrefix) || 'f'}-${str(h.name)}`;
  const value = str(h.value);
  const attrs = Object.entries(h)
    .filter(([k, v]) => !FIELD_KEYS.has(k) && v !== false && v !== null && v !== undefined)
    .map(([k, v]) => ({ name: k, value: v === true ? null : str(v) }));
  const opts = Array.isArray(h.options) ? (h.options as FieldOption[]) : [];
  // A field the last submission got wrong: the staff layout's `page.campoError` (src/web/layout.ts), by id.
  const root = (options.data as { root?: { page?: { campoError?: Record<string, unknown> } } } | undefined)?.root;
  const errors = root?.page?.campoError;
  const error = errors && Object.hasOwn(errors, id) ? str(errors[id]) || null : null;
  const hint = str(h.hint) || null;
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-ayuda` : ''].filter(Boolean).join(' ');
  return {
    id,
    name: str(h.name),
    label: str(h.label),
    value,
    type: str(h.type) || 'text',
    hint,
    error,
    describedBy: describedBy || null,
    required: h.required === true,
    rows: h.rows ?? 3,
    checked: h.checked === true,
    empty: h.empty === undefined ? null : str(h.empty),
    options: opts.map((o) => ({ value: o.value, label: o.label, selected: o.value === value })),
    attrs,
  };
}

hbs.registerHelper('field', field);
/** `{{#if (eq a "b")}}`. */
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
/** "s" unless the number is one: `{{n}} tarea{{plural n}}`. */
hbs.registerHelper('plural', (n: unknown) => (n === 1 ? '' : 's'));
