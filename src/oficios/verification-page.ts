import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../common/domain-error';
import { mapUnavailable } from '../common/error.filter';
import { INSTITUCION, SUBDIRECCION, TEST_MARK } from '../letters/renderer';
import type { ComparisonResult, VerificationView } from './documents.service';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;background:#f4f4f2;color:#1d1d1b}
main{max-width:46rem;margin:0 auto;padding:1.5rem 1rem 3rem}
header{border-bottom:3px solid #7a1f32;margin-bottom:1.25rem;padding-bottom:.75rem}
header p{margin:.1rem 0;font-size:.9rem;color:#555}
h1{font-size:1.5rem;margin:.5rem 0}
.estado{display:inline-block;padding:.3rem .8rem;border-radius:.3rem;font-weight:700;letter-spacing:.05em}
.vigente{background:#dcefe0;color:#1b5e20}.cancelado{background:#f8d7da;color:#842029}
.prueba{background:#fff3cd;color:#664d03;padding:.6rem .8rem;border-radius:.3rem;font-weight:600}
dl{display:grid;grid-template-columns:minmax(9rem,max-content) 1fr;gap:.45rem 1rem;background:#fff;padding:1rem;border-radius:.4rem}
dt{font-weight:600;color:#444}dd{margin:0;overflow-wrap:anywhere}
.huella{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem}
.resultado{padding:.9rem 1rem;border-radius:.4rem;margin:1.25rem 0;font-weight:600}
.ok{background:#dcefe0;color:#1b5e20}.mal{background:#f8d7da;color:#842029}
form{background:#fff;padding:1rem;border-radius:.4rem;margin-top:1.25rem}
label{display:block;margin-bottom:.6rem}button{padding:.45rem 1rem;font-size:1rem}
.nota{font-size:.85rem;color:#555}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="es-MX">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)} — Mi Correo Institucional</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<p>${esc(INSTITUCION)}</p>
<p>${esc(SUBDIRECCION)}</p>
</header>
${body}
</main>
</body>
</html>
`;
}

/** The public page of one issued document, with the result of a comparison when a file was uploaded. */
export function renderVerificationPage(v: VerificationView, result?: ComparisonResult): string {
  const rows: [string, string, string?][] = [
    ['Documento', v.tipo],
    ['Folio', v.folio],
    ...(v.numeroOficio ? ([['Número de oficio', v.numeroOficio]] as [string, string][]) : []),
    ['Fecha de emisión', v.fecha],
    ['Firmado por', v.firmante],
    ['Número de serie del certificado', v.certificadoSerie, 'huella'],
    ['Páginas', String(v.paginas)],
    ['Huella SHA-256 del archivo emitido', v.sha256, 'huella'],
  ];
  const estado =
    v.estado === 'vigente'
      ? '<p><span class="estado vigente">VIGENTE</span></p>'
      : '<p><span class="estado cancelado">CANCELADO</span> Este documento fue cancelado y ya no tiene efectos.</p>';
  const comparison = result
    ? result.coincide
      ? `<section class="resultado ok" id="resultado">El archivo coincide: es exactamente el documento emitido con este código (huella SHA-256 ${esc(result.sha256)}).</section>`
      : `<section class="resultado mal" id="resultado">El archivo no coincide con el documento emitido con este código: fue modificado o es otro documento (huella SHA-256 del archivo recibido: ${esc(result.sha256)}).</section>`
    : '';
  const body = `<h1>Verificación de documento</h1>
${estado}
${v.prueba ? `<p class="prueba">${esc(TEST_MARK)}</p>` : ''}
${comparison}
<dl>
${rows.map(([k, val, cls]) => `<dt>${esc(k)}</dt><dd${cls ? ` class="${cls}"` : ''}>${esc(val)}</dd>`).join('\n')}
</dl>
<form method="post" action="/verificar/${encodeURIComponent(v.codigo)}" enctype="multipart/form-data">
<label for="archivo">¿Tiene el PDF de este documento? Compruebe si es idéntico al emitido:</label>
<input id="archivo" type="file" name="archivo" accept="application/pdf,.pdf" required>
<button type="submit">Comprobar archivo</button>
<p class="nota">Se compara la huella SHA-256 del archivo con la del documento emitido; el archivo no se guarda. La firma electrónica del PDF también puede revisarse con cualquier lector que valide firmas PKCS#7.</p>
</form>`;
  return page(`${v.tipo} ${v.numeroOficio ?? v.folio}`, body);
}

export function renderErrorPage(status: number, message: string): string {
  const title = status === 404 ? 'Documento no encontrado' : status === 413 ? 'Archivo demasiado grande' : status === 429 ? 'Demasiadas consultas' : 'No se pudo verificar';
  return page(title, `<h1>${esc(title)}</h1>\n<p>${esc(message)}</p>`);
}

/** Errors of the public pages as HTML pages (the API keeps its JSON errors). */
@Catch()
export class VerificationPageFilter implements ExceptionFilter {
  private readonly log = new Logger('Verificación');

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request & { id?: string }>();
    const exception = mapUnavailable(error, res, this.log, String(req.id ?? ''));
    let status = 500;
    let message = 'Ocurrió un error al verificar el documento. Intente de nuevo más tarde.';
    if (exception instanceof DomainError) {
      status = exception.status;
      message = exception.message;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      message = status === 404 ? 'No se encontró la página.' : 'La solicitud no es válida.';
    } else {
      this.log.error({ err: exception, requestId: String(req.id ?? '') }, 'Error no controlado en la página de verificación');
    }
    res.status(status).type('html').send(renderErrorPage(status, message));
  }
}
