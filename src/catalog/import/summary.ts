import type { ImportSummary } from './import.service';
import { politicaBloqueo } from '../reconciliation/auto-block';

/** A count as people here write it: 2,950. */
export const formatCount = (n: number): string => n.toLocaleString('es-MX');
const fmt = formatCount;

/** The end-of-run report of an import, in Spanish, for the CLI (and any plain-text channel). */
export function formatImportSummary(s: ImportSummary, source: string, opts: { maxRejections?: number } = {}): string {
  const max = opts.maxRejections ?? Infinity;
  const lines: string[] = [];
  if (s.rejections.length > 0) {
    lines.push(`Registros rechazados (${fmt(s.rejected)}):`);
    for (const r of s.rejections.slice(0, max))
      lines.push(`  línea ${r.line}${r.key ? ` (${r.key})` : ''}: ${r.reason}`);
    // Only the first rejected rows are kept (ImportOptions.maxRejections); all are counted.
    const listed = Math.min(max, s.rejections.length);
    if (s.rejected > listed) lines.push(`  … y ${fmt(s.rejected - listed)} más.`);
    lines.push('');
  }
  const what = s.kind === 'trabajadores' ? 'trabajadores' : 'centros de trabajo';
  const mode =
    s.mode === 'full' ? 'completa: quien no venga en el archivo se desactiva' : 'parcial: no se desactiva a nadie';
  lines.push(`Importación de ${what} (${mode})`);
  lines.push(`  Archivo:       ${source} (${s.encoding}, separador «${s.separator}»)`);
  lines.push(`  Leídos:        ${fmt(s.read)}`);
  lines.push(`  Insertados:    ${fmt(s.inserted)}`);
  lines.push(`  Actualizados:  ${fmt(s.updated)}`);
  lines.push(`  Sin cambios:   ${fmt(s.unchanged)}`);
  lines.push(`  Desactivados:  ${fmt(s.deactivated)}`);
  lines.push(`  Rechazados:    ${fmt(s.rejected)}`);
  if (s.nivelesCreados.length > 0) {
    lines.push(`  Niveles nuevos: ${s.nivelesCreados.map((n) => `${n.clave} (${n.nombre})`).join(', ')}`);
  }
  if (s.ignoredColumns.length > 0) lines.push(`  Columnas ignoradas: ${s.ignoredColumns.join(', ')}`);
  lines.push(`  Tiempo:        ${s.seconds.toFixed(1)} s (${fmt(Math.round(s.rowsPerSecond))} registros/s)`);
  if (s.conciliacion && 'error' in s.conciliacion) {
    lines.push(`  Conciliación:  falló (${s.conciliacion.error}); ejecútela de nuevo con npm run reconcile`);
  } else if (s.conciliacion) {
    const c = s.conciliacion;
    lines.push(
      `  Conciliación:  ${fmt(c.nuevos)} hallazgos nuevos, ${fmt(c.cerrados)} cerrados, ${fmt(c.vigentes)} vigentes (revíselos en Conciliación)`,
    );
    if (c.politica)
      lines.push(
        `                 ${fmt(c.politica.aceptados)} aceptados por la ${politicaBloqueo(c.politica.dias)}` +
          (c.politica.fallidos.length
            ? `, ${fmt(c.politica.fallidos.length)} siguen pendientes (no se pudo abrir su trámite)`
            : ''),
      );
  }
  return lines.join('\n');
}
