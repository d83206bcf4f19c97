import {
  type AccionHallazgo,
  ESTADOS_HALLAZGO,
  type EstadoHallazgo,
  type OrigenConciliacion,
  politicaBloqueo,
  TIPO_HALLAZGO_LABEL,
  TIPOS_HALLAZGO,
} from '../catalog/reconciliation';
import { fechaHora } from './format';
import { type Chrome, staffPage } from './layout';
import type { FindingRow, Outcome, ReconciliationFilters, ReconciliationVm } from './reconciliation.page';

export const ESTADO_LABEL: Record<EstadoHallazgo, string> = {
  pendiente: 'Pendiente',
  aceptado: 'Aceptado',
  rechazado: 'Rechazado',
  cerrado: 'Ya no se cumple',
};

const ACCION_LABEL: Record<AccionHallazgo, string> = {
  bloquear: 'Bloquear la cuenta (5.5)',
  reasignar: 'Reasignar la cuenta a otro responsable (5.4)',
  revisar: 'Revisar a mano (ningún procedimiento aplica)',
};

const ORIGEN_LABEL: Record<OrigenConciliacion, string> = {
  trabajadores: 'Tras importar trabajadores',
  centros: 'Tras importar centros de trabajo',
  manual: 'Catálogos, a petición',
  directorio: 'Directorio',
};

const CATALOGO_LABEL: Record<string, string> = {
  baja: 'dado de baja en Capital Humano',
  ausente: 'no aparece en el catálogo',
  inactivo: 'inactivo en el Catálogo de Centros de Trabajo',
};

const ESTADO_CUENTA: Record<string, string> = {
  activa: 'activa',
  bloqueada: 'bloqueada',
  pendiente: 'pendiente',
};

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const count = (n: number): string => n.toLocaleString('es-MX');

/** The evidence of a finding, one Spanish line per fact (dates in Mexico City). */
export function evidenceLines(h: Pick<FindingRow, 'tipo' | 'evidencia'>): string[] {
  const e = h.evidencia;
  const out: string[] = [];
  if (h.tipo.startsWith('directorio_')) {
    const proveedor = str(e.proveedor);
    const id = str(e.proveedorId);
    if (proveedor) out.push(`Directorio: ${proveedor}${id ? ` (identificador ${id})` : ''}`);
    if (typeof e.suspendida === 'boolean') out.push(`En el directorio: ${e.suspendida ? 'suspendida' : 'activa'}`);
    if (h.tipo === 'directorio_ausente') out.push('El directorio no la tiene');
    const estado = str(e.estadoSistema);
    if (estado) out.push(`En el sistema: ${ESTADO_CUENTA[estado] ?? estado}`);
    else if (h.tipo === 'directorio_desconocida') out.push('En el sistema: no existe');
    if (str(e.curp)) out.push(`CURP en el directorio: ${str(e.curp)}`);
    if (str(e.cct)) out.push(`CCT en el directorio: ${str(e.cct)}`);
    return out;
  }
  const titular = str(e.titular);
  const catalogo = str(e.catalogo);
  if (titular) out.push(`Titular: ${titular}${catalogo ? `, ${CATALOGO_LABEL[catalogo] ?? catalogo}` : ''}`);
  else if (catalogo) out.push(`Titular: ${CATALOGO_LABEL[catalogo] ?? catalogo}`);
  const ultima = str(e.ultimaImportacion);
  if (ultima) out.push(`Última importación que lo trajo: ${fechaHora(ultima)}`);
  const importacion = str(e.importacion);
  out.push(importacion ? `Importación del catálogo: ${fechaHora(importacion)}` : 'Conciliación a petición');
  return out;
}

function filterQuery(f: ReconciliationFilters): string {
  const q = new URLSearchParams();
  if (f.estado) q.set('estado', f.estado);
  if (f.tipo) q.set('tipo', f.tipo);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** What the automatic blocking policy did after a run, in one sentence. */
function policyText(aceptados: number, dias: number): string {
  const politica = politicaBloqueo(dias);
  return (
    `La ${politica} aceptó ${count(aceptados)} hallazgo${aceptados === 1 ? '' : 's'}` +
    (aceptados ? ` y abrió su${aceptados === 1 ? '' : 's'} trámite${aceptados === 1 ? '' : 's'} de bloqueo.` : '.')
  );
}

function outcomeOf(o: Outcome | null) {
  if (!o) return null;
  switch (o.kind) {
    case 'aviso':
      return { texto: o.text, fallas: [] };
    case 'catalogo': {
      const p = o.result.politica;
      return {
        texto:
          `Conciliación con los catálogos terminada: ${count(o.result.nuevos)} hallazgo${o.result.nuevos === 1 ? '' : 's'} ` +
          `nuevo${o.result.nuevos === 1 ? '' : 's'}, ${count(o.result.cerrados)} ya no se cumple${o.result.cerrados === 1 ? '' : 'n'}, ` +
          `${count(o.result.vigentes)} vigente${o.result.vigentes === 1 ? '' : 's'}.` +
          (p ? ` ${policyText(p.aceptados, p.dias)}` : ''),
        fallas: p?.fallidos.map((f) => ({ direccion: f.direccion, mensaje: f.mensaje })) ?? [],
      };
    }
    case 'aceptados': {
      const r = o.result;
      const abiertos = r.opened.length;
      const sin = r.skipped.length;
      return {
        texto:
          `${count(abiertos)} trámite${abiertos === 1 ? '' : 's'} abierto${abiertos === 1 ? '' : 's'}, ` +
          `${count(sin)} sin cambio${sin === 1 ? '' : 's'} (ya decidido${sin === 1 ? '' : 's'} o sin procedimiento que abrir)` +
          (r.failed.length ? `, ${count(r.failed.length)} con error (siguen pendientes).` : '.'),
        fallas: r.failed.map((f) => ({
          direccion: o.direcciones.get(f.hallazgoId) ?? f.hallazgoId,
          mensaje: f.mensaje,
        })),
      };
    }
  }
}

const findingRow = (h: FindingRow, vm: ReconciliationVm) => {
  const aceptable = h.estado === 'pendiente' && h.vigente && (h.accion === 'bloquear' || h.accion === 'reasignar');
  const rechazo = vm.rechazo?.id === h.id ? vm.rechazo : null;
  return {
    id: h.id,
    direccion: h.direccion,
    enlaceCuenta: vm.esAdmin && h.cuentaId ? `/admin/cuentas/${h.cuentaId}` : null,
    tipo: TIPO_HALLAZGO_LABEL[h.tipo],
    evidencia: evidenceLines(h),
    accion: ACCION_LABEL[h.accion],
    estado: ESTADO_LABEL[h.estado],
    estadoClase: h.estado,
    detectado: fechaHora(h.detectadoAt),
    decidido: h.decididoAt ? { por: h.decididoPorNombre ?? '—', cuando: fechaHora(h.decididoAt) } : null,
    porPolitica: h.porPolitica,
    motivo: h.motivo,
    caso: h.caseId,
    aceptable,
    rechazable: h.estado === 'pendiente' && h.vigente,
    rechazo,
  };
};

const runRow = (r: ReconciliationVm['corridas'][number], vm: ReconciliationVm) => {
  const vivo = r.estado === 'en_curso' && r.origen === 'directorio' && vm.directorioEnCurso;
  return {
    origen: ORIGEN_LABEL[r.origen],
    inicio: fechaHora(r.startedAt),
    fin: r.finishedAt ? fechaHora(r.finishedAt) : null,
    importacion: r.importacionAt ? fechaHora(r.importacionAt) : null,
    estado:
      r.estado === 'terminada'
        ? 'Terminada'
        : r.estado === 'fallida'
          ? 'No se completó'
          : vivo || r.origen !== 'directorio'
            ? 'En curso'
            : 'Detenida (dejó de avanzar)',
    enCurso: r.estado === 'en_curso',
    fallida: r.estado === 'fallida',
    avance:
      r.origen === 'directorio'
        ? `${count(r.procesados)} cuenta${r.procesados === 1 ? '' : 's'} comparada${r.procesados === 1 ? '' : 's'}`
        : null,
    nuevos: count(r.nuevos),
    cerrados: count(r.cerrados),
    vigentes: count(r.vigentes),
    automaticos: r.automaticos
      ? `${count(r.automaticos)} aceptado${r.automaticos === 1 ? '' : 's'} por la política de bloqueo automático`
      : null,
    error: r.error,
  };
};

/** The review page (templates/pages/conciliacion.hbs). */
export function renderReconciliation(chrome: Chrome, vm: ReconciliationVm): string {
  const consulta = filterQuery(vm.filtros);
  const items = vm.items.map((h) => findingRow(h, vm));
  const resultado = outcomeOf(vm.outcome);
  const next = new URLSearchParams(consulta.slice(1));
  if (vm.siguiente) next.set('despues', vm.siguiente);
  return staffPage(
    chrome,
    'conciliacion',
    'Conciliación de cuentas',
    {
      estados: ESTADOS_HALLAZGO.map((value) => ({
        value,
        label: ESTADO_LABEL[value],
        selected: vm.filtros.estado === value,
      })),
      tipos: TIPOS_HALLAZGO.map((value) => ({
        value,
        label: TIPO_HALLAZGO_LABEL[value],
        selected: vm.filtros.tipo === value,
      })),
      filtros: { estado: vm.filtros.estado ?? '', tipo: vm.filtros.tipo ?? '' },
      consulta,
      limpiar: '/conciliacion',
      total: vm.total,
      totalTexto: count(vm.total),
      items,
      hayAceptables: items.some((i) => i.aceptable),
      fallas: resultado?.fallas ?? [],
      paginas: {
        primera: vm.filtros.despues ? `/conciliacion${consulta}` : null,
        siguiente: vm.siguiente ? `/conciliacion?${next.toString()}` : null,
      },
      corridas: vm.corridas.map((r) => runRow(r, vm)),
      directorioEnCurso: vm.directorioEnCurso,
    },
    {
      aviso: resultado?.texto,
      error: vm.error,
      refresh: vm.directorioEnCurso ? { seconds: 3, url: `/conciliacion${consulta}` } : undefined,
    },
  );
}
