import type { AuthenticatedStaff } from '../auth/auth.service';
import { esc } from '../common/html';
import { roleName } from './format';

/** What every staff page needs besides its content: who is signed in, the form token, where we are. */
export interface Chrome {
  staff: AuthenticatedStaff | null;
  /** Per-session token every form posts back in `_csrf`. */
  csrf: string;
  path: string;
}

export const ASSETS = { css: '/personal/recursos/personal.css', js: '/personal/recursos/personal.js' } as const;

interface NavItem {
  href: string;
  label: string;
  roles: AuthenticatedStaff['role'][];
}

const NAV: NavItem[] = [
  { href: '/bandeja', label: 'Bandeja', roles: ['subdireccion', 'subjefatura', 'nivel', 'responsable', 'administrador'] },
  { href: '/oficios/nuevo', label: 'Registrar oficio', roles: ['subdireccion'] },
  { href: '/oficios', label: 'Oficios', roles: ['subdireccion', 'subjefatura', 'administrador'] },
  { href: '/admin/usuarios', label: 'Usuarios', roles: ['administrador'] },
];

export const csrfField = (chrome: Chrome): string => `<input type="hidden" name="_csrf" value="${esc(chrome.csrf)}">`;

export interface PageOptions {
  /** A success message at the top. */
  aviso?: string | null;
  /** An error message at the top (DomainError text). */
  error?: string | null;
  /** Narrow column (sign-in, password). */
  narrow?: boolean;
  /** Reload this URL after a while (a case the system is still working on). */
  refresh?: { seconds: number; url: string };
}

function header(chrome: Chrome): string {
  const s = chrome.staff;
  const brand = `<a class="marca" href="/personal"><span class="escudo" aria-hidden="true">✉</span><span><strong>Mi Correo Institucional</strong><small>CSEEE · Colima</small></span></a>`;
  if (!s) return `<header class="barra"><div class="barra-in">${brand}</div></header>`;
  const items = s.mustChangePassword ? [] : NAV.filter((n) => n.roles.includes(s.role));
  const nav = items
    .map((n) => {
      const current = chrome.path === n.href || (n.href !== '/oficios' && chrome.path.startsWith(`${n.href}/`));
      return `<a href="${n.href}"${current ? ' aria-current="page"' : ''}>${esc(n.label)}</a>`;
    })
    .join('');
  return `<header class="barra"><div class="barra-in">${brand}
<div class="quien"><span class="nombre">${esc(s.nombre ?? s.usuario)}</span><span class="rol">${esc(roleName(s))}</span></div>
<div class="sesion"><a href="/personal/contrasena">Contraseña</a><form method="post" action="/personal/salir">${csrfField(chrome)}<button type="submit" class="enlace">Salir</button></form></div>
</div>${nav ? `<nav class="menu" aria-label="Secciones"><div class="barra-in">${nav}</div></nav>` : ''}</header>`;
}

/**
 * The staff layout (header with the user's name, role and the sections their role may open): server-rendered,
 * readable on a laptop and on a phone, works without script. Values in `body` must be escaped by the caller.
 */
export function staffPage(chrome: Chrome, title: string, body: string, opts: PageOptions = {}): string {
  const msgs = `${opts.aviso ? `<p class="ok" role="status">${esc(opts.aviso)}</p>` : ''}${opts.error ? `<p class="error" role="alert">${esc(opts.error)}</p>` : ''}`;
  return `<!doctype html>
<html lang="es-MX"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${opts.refresh ? `<meta http-equiv="refresh" content="${opts.refresh.seconds};url=${esc(opts.refresh.url)}">` : ''}<title>${esc(title)} — Mi Correo Institucional</title>
<link rel="stylesheet" href="${ASSETS.css}"><script src="${ASSETS.js}" defer></script>
</head><body>${header(chrome)}
<main class="${opts.narrow ? 'angosto' : 'ancho'}"><h1>${esc(title)}</h1>${msgs}${body}</main>
<footer class="pie">Coordinación de los Servicios Educativos del Estado de Colima · Subdirección de Sistemas y Servicios Telemáticos</footer>
</body></html>`;
}

/** A `?k=v&…` query string from the non-empty values. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** One-word notices a redirect carries (`?aviso=`); anything else in the URL is ignored, never echoed. */
export const AVISOS: Record<string, string> = {
  contrasena: 'Su contraseña se cambió. Sus otras sesiones se cerraron.',
  salida: 'Cerró su sesión.',
  registrado: 'Oficio registrado. El acuse de recibo se genera en unos segundos y aparecerá en «Documentos».',
  tomada: 'Tomó la tarea: ahora aparece como suya.',
  liberada: 'Liberó la tarea: vuelve a estar disponible para su área.',
  desactivado: 'Usuario desactivado; sus sesiones se cerraron.',
};
export const avisoOf = (code: unknown): string | null => (typeof code === 'string' ? (AVISOS[code] ?? null) : null);

export function homeOf(staff: Pick<AuthenticatedStaff, 'role'>): string {
  return staff.role === 'administrador' ? '/admin/usuarios' : '/bandeja';
}
