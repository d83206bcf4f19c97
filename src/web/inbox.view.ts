import type { TaskRole } from '../../machines/types';
import { fechaHora, nivelNombre, PRIORIDAD_LABEL, roleLabel } from './format';
import type { InboxRow, InboxVm } from './inbox.page';
import { type Chrome, query, staffPage } from './layout';

export const TASK_ROLE_OPTIONS: { value: TaskRole; label: string }[] = [
  { value: 'subjefatura', label: 'Subjefatura de Sistemas' },
  { value: 'subdireccion', label: 'Subdirección de Sistemas y Servicios Telemáticos' },
  { value: 'nivel', label: 'Niveles' },
  { value: 'responsable', label: 'Responsables' },
  { value: 'centro_trabajo', label: 'Centros de trabajo' },
];

const ASIGNACION = [
  { value: 'mias', label: 'Tomadas por mí' },
  { value: 'libres', label: 'Libres' },
];

/** The oficio for many schools a task's case is one line of: «línea 3 de 25», «18 de 25 concluidas», its register entry. */
function parentOf(p: InboxRow['padre']) {
  if (!p) return null;
  return {
    folio: p.folio,
    href: `/oficios${query({ folio: p.folio })}`,
    linea: `línea ${p.linea} de ${p.lineas}`,
    progreso: `${p.conResultado} de ${p.lineas} con resultado · ${p.concluidas} de ${p.lineas} concluidas`,
  };
}

function row(vm: InboxVm, i: InboxRow) {
  return {
    id: i.id,
    tramite: i.tramite,
    titulo: i.titulo,
    seccion: i.seccion,
    procedimientoTitulo: i.procedimientoTitulo,
    folio: i.folio ?? null,
    padre: parentOf(i.padre),
    clase: i.vencida ? 'fila-vencida' : i.faltaPoco ? 'fila-pronto' : '',
    vence: fechaHora(i.vence),
    vencida: i.vencida,
    faltaPoco: i.faltaPoco,
    prioridadAlta: i.prioridad === 'alta',
    prioridad: PRIORIDAD_LABEL[i.prioridad] ?? i.prioridad,
    datos: [
      i.nivel ? `Nivel ${nivelNombre(i.nivel)}` : '',
      i.cct ? `CCT ${i.cct}` : '',
      i.curp ? `CURP ${i.curp}` : '',
    ].filter(Boolean),
    libre: !i.asignadaA,
    mia: i.mia,
    asignadaNombre: i.asignadaNombre ?? '',
    /** Whoever holds it (or an administrator) may release it; anybody may take a free one. */
    liberar: !!i.asignadaA && (i.mia || vm.esAdmin),
    /** «case id:version»: the selection's act is refused for a case that changed after the page was drawn. */
    seleccion: vm.acciones?.length && typeof i.version === 'number' ? `${i.tramite}:${i.version}` : '',
  };
}

/** The task inbox (templates/pages/bandeja.hbs). */
export function renderInbox(chrome: Chrome, vm: InboxVm): string {
  const f = vm.filtros;
  const activos = Object.keys(f).filter((k) => k !== 'rol').length;
  const steps = new Map<string, { value: string; label: string; selected: boolean }[]>();
  for (const s of vm.pasos)
    steps.set(s.procedure, [
      ...(steps.get(s.procedure) ?? []),
      // The option alone names the procedure too: a closed list, a phone's picker and a screen reader show no group.
      { value: s.stateId, label: `${s.title} — ${s.procedureTitle}`, selected: f.paso === s.stateId },
    ]);
  const title = vm.esAdmin ? `Bandeja: ${roleLabel(vm.rol)}` : 'Bandeja de tareas';
  return staffPage(
    chrome,
    'bandeja',
    title,
    {
      filtros: f,
      activos,
      esAdmin: vm.esAdmin,
      roles: TASK_ROLE_OPTIONS,
      procedimientos: vm.procedimientos,
      asignaciones: ASIGNACION,
      pasos: [...steps.entries()].map(([proc, opciones]) => ({
        label: vm.procedimientos.find((p) => p.value === proc)?.label ?? proc,
        opciones,
      })),
      vencidas: f.vencidas === 'true',
      limpiar: `/bandeja${vm.esAdmin ? query({ rol: f.rol }) : ''}`,
      volver: query({ ...vm.filtros, ...vm.cursor }),
      total: vm.total,
      /** «más de 1 000»: the inbox counts up to 1 000 matches. */
      totalTexto: `${vm.totalAcotado ? 'Más de ' : ''}${vm.total.toLocaleString('es-MX')}`,
      items: vm.items.map((i) => row(vm, i)),
      acciones: vm.acciones ?? [],
      lote: vm.lote ?? null,
      paginas: {
        enlaces: !!(vm.siguiente || vm.anterior || Object.keys(vm.cursor).length),
        primera: Object.keys(vm.cursor).length ? `/bandeja${query(vm.filtros)}` : null,
        anterior: vm.anterior ? `/bandeja${query({ ...vm.filtros, antes: vm.anterior })}` : null,
        siguiente: vm.siguiente ? `/bandeja${query({ ...vm.filtros, despues: vm.siguiente })}` : null,
      },
    },
    { aviso: vm.aviso, error: vm.error },
  );
}
