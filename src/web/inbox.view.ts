import { esc } from '../common/html';
import { checkbox, input, select } from './forms';
import { fechaHora, PRIORIDAD_LABEL, roleLabel } from './format';
import type { TaskRole } from '../../machines/types';
import type { InboxRow, InboxVm } from './inbox.page';
import { type Chrome, csrfField, query, staffPage } from './layout';

export const TASK_ROLES: { value: TaskRole; label: string }[] = [
  { value: 'subjefatura', label: 'Subjefatura de Sistemas' },
  { value: 'subdireccion', label: 'Subdirección de Sistemas y Servicios Telemáticos' },
  { value: 'nivel', label: 'Niveles' },
  { value: 'responsable', label: 'Responsables' },
  { value: 'centro_trabajo', label: 'Centros de trabajo' },
];

function badges(i: InboxRow): string {
  return [
    i.vencida ? '<span class="insignia vencido">Vencido</span>' : '',
    i.faltaPoco ? '<span class="insignia pronto">Falta poco</span>' : '',
    i.prioridad === 'alta' ? '<span class="insignia alta">Prioridad alta</span>' : '',
  ].join('');
}

function claimForm(chrome: Chrome, vm: InboxVm, i: InboxRow): string {
  const volver = `<input type="hidden" name="volver" value="${esc(query(vm.filtros))}">`;
  if (!i.asignadaA) {
    return `<form method="post" action="/bandeja/tareas/${esc(i.id)}/tomar" class="en-linea">${csrfField(chrome)}${volver}<button type="submit" class="chico">Tomar</button></form>`;
  }
  if (i.mia || vm.esAdmin) {
    return `<form method="post" action="/bandeja/tareas/${esc(i.id)}/liberar" class="en-linea">${csrfField(chrome)}${volver}<button type="submit" class="chico secundario">Liberar</button></form>`;
  }
  return '';
}

function row(chrome: Chrome, vm: InboxVm, i: InboxRow): string {
  const datos = [i.nivel ? `Nivel ${i.nivel}` : '', i.cct ? `CCT ${i.cct}` : '', i.curp ? `CURP ${i.curp}` : ''].filter(Boolean);
  const asignacion = i.asignadaA ? (i.mia ? '<strong>Usted</strong>' : esc(i.asignadaNombre ?? '')) : '<span class="tenue">Libre</span>';
  return `<tr class="${i.vencida ? 'fila-vencida' : i.faltaPoco ? 'fila-pronto' : ''}">
<td data-etiqueta="Vence"><span class="fecha">${esc(fechaHora(i.vence))}</span>${badges(i)}</td>
<td data-etiqueta="Tarea"><a class="tarea" href="/tramites/${esc(i.tramite)}">${esc(i.titulo)}</a><small class="tenue">${esc(i.seccion)} ${esc(i.procedimientoTitulo)}</small></td>
<td data-etiqueta="Folio">${i.folio ? `<span class="folio">${esc(i.folio)}</span>` : '—'}</td>
<td data-etiqueta="Datos">${datos.map((d) => `<span class="dato">${esc(d)}</span>`).join(' ') || '—'}</td>
<td data-etiqueta="Prioridad">${esc(PRIORIDAD_LABEL[i.prioridad] ?? i.prioridad)}</td>
<td data-etiqueta="Asignada">${asignacion} ${claimForm(chrome, vm, i)}</td>
</tr>`;
}

function stepSelect(vm: InboxVm): string {
  const groups = new Map<string, { value: string; label: string }[]>();
  for (const s of vm.pasos) groups.set(s.procedure, [...(groups.get(s.procedure) ?? []), { value: s.stateId, label: s.title }]);
  const opts = [...groups.entries()]
    .map(([proc, steps]) => {
      const label = vm.procedimientos.find((p) => p.value === proc)?.label ?? proc;
      return `<optgroup label="${esc(label)}">${steps.map((s) => `<option value="${esc(s.value)}"${vm.filtros.paso === s.value ? ' selected' : ''}>${esc(s.label)}</option>`).join('')}</optgroup>`;
    })
    .join('');
  return `<div class="campo"><label for="f-paso">Paso</label><select id="f-paso" name="paso"><option value="">Todos</option>${opts}</select></div>`;
}

function filters(vm: InboxVm): string {
  const f = vm.filtros;
  const active = Object.keys(f).filter((k) => k !== 'rol' && k !== 'pagina').length;
  return `<details class="filtros"${active ? ' open' : ''}><summary>Filtros${active ? ` (${active} activo${active > 1 ? 's' : ''})` : ''}</summary>
<form method="get" action="/bandeja" class="rejilla">
${vm.esAdmin ? select({ label: 'Bandeja de', name: 'rol', value: f.rol, options: TASK_ROLES }) : ''}
${select({ label: 'Procedimiento', name: 'procedimiento', value: f.procedimiento, options: vm.procedimientos, empty: 'Todos' })}
${stepSelect(vm)}
${input({ label: 'Folio', name: 'folio', value: f.folio, attrs: 'placeholder="SSST-2026-000123" autocapitalize="characters"' })}
${input({ label: 'CURP', name: 'curp', value: f.curp, attrs: 'maxlength="18" autocapitalize="characters"' })}
${input({ label: 'CCT', name: 'cct', value: f.cct, attrs: 'maxlength="10" autocapitalize="characters"' })}
${select({ label: 'Asignación', name: 'asignacion', value: f.asignacion, options: [{ value: 'mias', label: 'Tomadas por mí' }, { value: 'libres', label: 'Libres' }], empty: 'Todas' })}
${checkbox({ label: 'Solo vencidas', name: 'vencidas', checked: f.vencidas === 'true' })}
<div class="acciones-form"><button type="submit">Filtrar</button><a class="boton secundario" href="/bandeja${vm.esAdmin ? query({ rol: f.rol }) : ''}">Limpiar</a></div>
</form></details>`;
}

function pager(vm: InboxVm): string {
  if (vm.paginas <= 1) return '';
  const link = (p: number, text: string) => `<a class="boton secundario chico" href="/bandeja${esc(query({ ...vm.filtros, pagina: p }))}">${text}</a>`;
  return `<nav class="paginas" aria-label="Páginas">${vm.pagina > 1 ? link(vm.pagina - 1, '← Anterior') : ''}<span>Página ${vm.pagina} de ${vm.paginas}</span>${vm.pagina < vm.paginas ? link(vm.pagina + 1, 'Siguiente →') : ''}</nav>`;
}

export function renderInbox(chrome: Chrome, vm: InboxVm): string {
  const title = vm.esAdmin ? `Bandeja: ${roleLabel(vm.rol)}` : 'Bandeja de tareas';
  const summary = `<p class="resumen">${vm.total === 0 ? 'No hay tareas abiertas con estos filtros.' : `${vm.total} tarea${vm.total === 1 ? '' : 's'} abierta${vm.total === 1 ? '' : 's'}, la que vence primero arriba.`}</p>`;
  const table = vm.items.length
    ? `<table class="tabla tarjetas"><thead><tr><th>Vence</th><th>Tarea</th><th>Folio</th><th>Datos</th><th>Prioridad</th><th>Asignada</th></tr></thead>
<tbody>${vm.items.map((i) => row(chrome, vm, i)).join('')}</tbody></table>`
    : '';
  return staffPage(chrome, title, `${filters(vm)}${summary}${table}${pager(vm)}`, { aviso: vm.aviso, error: vm.error });
}
