import { escapeHtml } from '../render/handlebars';

/**
 * The layout of the few public pages (self-service, activation): server-rendered, no script, readable on a phone.
 * Values must be escaped by the caller with `esc`.
 */
export function htmlPage(title: string, body: string, opts: { refresh?: { seconds: number; url: string } } = {}): string {
  return `<!doctype html>
<html lang="es-MX"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${opts.refresh ? `<meta http-equiv="refresh" content="${opts.refresh.seconds};url=${escapeHtml(opts.refresh.url)}">` : ''}
<title>${escapeHtml(title)} — Mi Correo Institucional</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1d2a24}
header{border-bottom:4px solid #0b5d3b;margin-bottom:1rem;padding-bottom:.4rem;font-size:.9rem;color:#0b5d3b}
h1{font-size:1.4rem;color:#0b5d3b}label{display:block;margin-top:1rem;font-weight:600}
input[type=text],input[type=password]{width:100%;padding:.6rem;font-size:1rem;box-sizing:border-box;text-transform:none}
button{margin-top:1.2rem;margin-right:.5rem;padding:.7rem 1.2rem;font-size:1rem;background:#0b5d3b;color:#fff;border:0;border-radius:4px}
button.secundario,a.secundario{background:#fff;color:#0b5d3b;border:1px solid #0b5d3b}
a.boton{display:inline-block;padding:.7rem 1.2rem;font-size:1rem;background:#0b5d3b;color:#fff;border-radius:4px;text-decoration:none}
.error{background:#fde8e8;border-left:4px solid #b42318;padding:.6rem}.ok{background:#e7f6ec;border-left:4px solid #0b5d3b;padding:.6rem}
.aviso{background:#fff7e0;border-left:4px solid #b7791f;padding:.6rem}small{color:#555}dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem}</style>
</head><body><header>Coordinación de los Servicios Educativos del Estado de Colima · Mi Correo Institucional</header>
<h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export const esc = escapeHtml;
