import type { ImportJob } from '../catalog/import/import-jobs';
import type { RejectedRow } from '../catalog/import/import.service';
import { csvCell } from './dashboard.view';
import type { FieldError, Form } from './forms';
import { fechaHora } from './format';
import { type Chrome, staffPage } from './layout';

const CATALOGO: Record<string, string> = {
  trabajadores: 'Trabajadores (Capital Humano)',
  centros: 'Centros de trabajo',
};
const MODO: Record<string, string> = { full: 'Catálogo completo', partial: 'Actualización parcial' };
const ESTADO: Record<string, string> = {
  en_curso: 'En curso',
  terminada: 'Terminada',
  por_confirmar: 'Espera confirmación',
  fallida: 'No se completó',
};
const FASE: Record<string, string> = { validando: 'Revisando las filas', cargando: 'Guardando' };

const jobRow = (j: ImportJob) => ({
  id: j.id,
  catalogo: CATALOGO[j.kind],
  modo: MODO[j.mode],
  archivo: j.fileName,
  estado: ESTADO[j.status],
  iniciada: fechaHora(j.startedAt),
});

/** The upload form and this user's recent imports (templates/pages/admin-importaciones.hbs). */
export function renderImports(
  chrome: Chrome,
  vm: { jobs: ImportJob[]; values: Form; error: string | null; campos?: FieldError[] },
): string {
  return staffPage(
    chrome,
    'admin-importaciones',
    'Importar catálogos',
    {
      values: { catalogo: vm.values.catalogo ?? '', modo: vm.values.modo ?? 'full' },
      catalogos: Object.entries(CATALOGO).map(([value, label]) => ({ value, label })),
      modos: Object.entries(MODO).map(([value, label]) => ({ value, label })),
      importaciones: vm.jobs.map(jobRow),
    },
    { error: vm.error, campos: vm.campos },
  );
}

/** One import: progress while it runs (the page reloads itself), then its summary (admin-importacion.hbs). */
export function renderImport(chrome: Chrome, job: ImportJob): string {
  const s = job.summary;
  const running = job.status === 'en_curso';
  return staffPage(
    chrome,
    'admin-importacion',
    `Importación de ${CATALOGO[job.kind].toLowerCase()}`,
    {
      ...jobRow(job),
      enCurso: running,
      porConfirmar: job.status === 'por_confirmar',
      fallida: job.status === 'fallida',
      terminada: job.status === 'terminada',
      fase: FASE[job.phase],
      hechos: job.done,
      total: job.total,
      porcentaje: job.total ? Math.floor((100 * job.done) / job.total) : 0,
      mensaje: job.message,
      resumen: s
        ? {
            leidas: s.read,
            nuevas: s.inserted,
            actualizadas: s.updated,
            sinCambios: s.unchanged,
            desactivadas: s.deactivated,
            rechazadas: s.rejected,
            nivelesCreados: s.nivelesCreados.map((n) => `${n.nombre} (${n.clave})`).join(', '),
            columnasIgnoradas: s.ignoredColumns.join(', '),
            segundos: s.seconds.toFixed(1),
          }
        : null,
      rechazos: job.rejections.slice(0, 20),
      // All are counted; only the first 10,000 are kept (ImportOptions.maxRejections), for the list and the download.
      masRechazos: Math.max(0, (s?.rejected ?? job.rejections.length) - 20),
    },
    { refresh: running ? { seconds: 2, url: `/admin/importaciones/${job.id}` } : undefined },
  );
}

/** The rejected rows as a spreadsheet: line, key, reason. */
export function rejectionsCsv(rows: readonly RejectedRow[]): string {
  return (
    ['linea,clave,motivo', ...rows.map((r) => [r.line, r.key, r.reason].map(csvCell).join(','))].join('\r\n') + '\r\n'
  );
}
