import type { AuthenticatedStaff } from '../auth/auth.service';
import type { Identity } from '../render/identity';
import { type Refresh, renderPage } from '../render/pages';
import type { FieldError } from './forms';
import { roleName } from './format';
import { escapeHtml, safeHtml } from '../render/handlebars';

/** What every staff page needs besides its content: who is signed in, the form token, where we are. */
export interface Chrome {
  staff: AuthenticatedStaff | null;
  /** Per-session token every form posts back in `_csrf`. */
  csrf: string;
  path: string;
  /**
   * Open tasks in the person's inbox (up to 100), shown next to «Bandeja»; undefined for a role without one. PageGuard
   * starts the count and lets the page read its own data meanwhile (one round trip less in series on every staff page).
   * The page is rendered with a mark where the counter goes, and sendHtml puts the counter there once the count is in.
   * Never rejects (no count: no counter).
   */
  pendientesEnCurso?: Promise<number | undefined>;
  /** The institution the layout names (APP_CONFIG, set by PageGuard); Colima's CSEEE when absent. */
  identity?: Identity;
}

export const ASSETS = { css: '/personal/recursos/personal.css', js: '/personal/recursos/personal.js' } as const;

interface NavItem {
  href: string;
  label: string;
  roles: AuthenticatedStaff['role'][];
}

const NAV: NavItem[] = [
  {
    href: '/bandeja',
    label: 'Bandeja',
    roles: ['subdireccion', 'subjefatura', 'nivel', 'responsable', 'administrador'],
  },
  { href: '/oficios/nuevo', label: 'Registrar oficio', roles: ['subdireccion'] },
  { href: '/oficios', label: 'Oficios', roles: ['subdireccion', 'subjefatura', 'administrador'] },
  { href: '/oficios', label: 'Mis oficios', roles: ['nivel', 'responsable'] },
  { href: '/admin/usuarios', label: 'Usuarios', roles: ['administrador'] },
  { href: '/admin/cuentas', label: 'Cuentas', roles: ['subdireccion', 'administrador'] },
  { href: '/admin/trabajadores', label: 'Catálogos', roles: ['administrador'] },
  { href: '/admin/importaciones', label: 'Importar', roles: ['administrador'] },
  { href: '/admin/calendario', label: 'Calendario', roles: ['administrador'] },
  { href: '/admin/membrete', label: 'Membrete', roles: ['administrador'] },
  { href: '/tablero', label: 'Tablero', roles: ['subdireccion', 'subjefatura', 'administrador'] },
  { href: '/conciliacion', label: 'Conciliación', roles: ['subjefatura', 'administrador'] },
];

export interface PageOptions {
  /** A success message at the top. */
  aviso?: string | null;
  /** An error message at the top (DomainError text). */
  error?: string | null;
  /** Errors of fields of the page's form: each beside its field, and a summary at the top linking to them. */
  campos?: FieldError[];
  /** Narrow column (sign-in, password). */
  narrow?: boolean;
  /** Reload this URL after a while (a case the system is still working on). */
  refresh?: Refresh;
}

/** Where the inbox's counter goes in a page rendered while its count is being read (Chrome.pendientesEnCurso). */
const COUNTER_MARK = '<!--mci:pendientes-->';

/** « <span class="contador" aria-label="3 tareas abiertas">3</span>»: «99+» past the count's cap, nothing for none. */
function counterHtml(n: number | undefined): string {
  if (!n) return '';
  const texto = n > 99 ? '99+' : String(n);
  const etiqueta = `${n > 99 ? 'más de 99' : texto} ${n === 1 ? 'tarea abierta' : 'tareas abiertas'}`;
  return ` <span class="contador" aria-label="${escapeHtml(etiqueta)}">${escapeHtml(texto)}</span>`;
}

/** Beside «Bandeja»: the mark withCounter replaces with the counter once the count is in. */
const counterOf = (chrome: Chrome): ReturnType<typeof safeHtml> | null =>
  chrome.pendientesEnCurso ? safeHtml(COUNTER_MARK) : null;

/**
 * A staff page rendered before its menu's count was in (Chrome.pendientesEnCurso), as the bytes to send, with the counter
 * in its place. Encoded first and the mark looked up in the bytes: a search of the rendered string would first copy
 * it whole (Handlebars builds it in thousands of pieces), which the encoding does anyway.
 */
export async function withCounter(html: string, chrome: Chrome): Promise<Buffer> {
  const page = Buffer.from(html, 'utf8');
  const at = chrome.pendientesEnCurso ? page.indexOf(COUNTER_MARK) : -1;
  if (at < 0) return page;
  const counter = Buffer.from(counterHtml(await chrome.pendientesEnCurso), 'utf8');
  return Buffer.concat([page.subarray(0, at), counter, page.subarray(at + Buffer.byteLength(COUNTER_MARK))]);
}

/** What the staff layout (templates/pages/layouts/staff.hbs) reads as `page`. */
function pageOf(chrome: Chrome, title: string, opts: PageOptions) {
  const s = chrome.staff;
  const items = !s || s.mustChangePassword ? [] : NAV.filter((n) => n.roles.includes(s.role));
  return {
    title,
    refresh: opts.refresh ?? null,
    noindex: false,
    narrow: opts.narrow === true,
    aviso: opts.aviso ?? null,
    error: opts.error ?? null,
    errores: opts.campos ?? [],
    // The `field` helper (src/render/pages.ts) reads a field's error here by the field's id.
    campoError: Object.fromEntries((opts.campos ?? []).map((c) => [c.id, c.mensaje])),
    csrf: chrome.csrf,
    css: ASSETS.css,
    js: ASSETS.js,
    staff: s ? { nombre: s.nombre ?? s.usuario, rol: roleName(s) } : null,
    nav: items.map((n) => ({
      href: n.href,
      label: n.label,
      contador: n.href === '/bandeja' ? counterOf(chrome) : null,
      current: chrome.path === n.href || (n.href !== '/oficios' && chrome.path.startsWith(`${n.href}/`)),
    })),
  };
}

/**
 * A staff page: templates/pages/<name>.hbs in the staff layout (header with the user's name, role and the sections
 * their role may open). The template reads `context` and the layout's `page`.
 */
export function staffPage(
  chrome: Chrome,
  name: string,
  title: string,
  context: object,
  opts: PageOptions = {},
): string {
  return renderPage(name, { ...context, page: pageOf(chrome, title, opts) }, chrome.identity);
}

/** A `?k=v&…` query string from the non-empty values. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** One-word notices a redirect carries (`?aviso=`); anything else in the URL is ignored, never echoed. */
export const AVISOS: Record<string, string> = {
  contrasena: 'Su contraseña se cambió. Sus otras sesiones se cerraron.',
  salida: 'Cerró su sesión.',
  expirada: 'Su sesión expiró; entre de nuevo.',
  registrado: 'Oficio registrado. El acuse de recibo se genera en unos segundos y aparecerá en «Documentos».',
  tomada: 'Tomó la tarea: ahora aparece como suya.',
  liberada: 'Liberó la tarea: vuelve a estar disponible para su área.',
  desactivado: 'Usuario desactivado; sus sesiones se cerraron.',
};
export const avisoOf = (code: unknown): string | null => (typeof code === 'string' ? (AVISOS[code] ?? null) : null);

export function homeOf(staff: Pick<AuthenticatedStaff, 'role'>): string {
  return staff.role === 'administrador' ? '/admin/usuarios' : '/bandeja';
}
