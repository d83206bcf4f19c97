import { esc } from '../common/html';
import { MAX_UPLOAD_BYTES } from '../oficios/upload';
import { checkbox, hidden, input, select, textarea } from './forms';
import { bytes, fechaHora, fechaIso } from './format';
import { type Chrome, csrfField, query, staffPage } from './layout';
import type { OficioFormVm, OficioListVm } from './oficios.page';

export function renderOficioForm(chrome: Chrome, vm: OficioFormVm): string {
  const v = vm.values;
  const kept = vm.archivo
    ? `${hidden('archivoClave', vm.archivo.clave)}${hidden('archivoNombre', vm.archivo.nombre)}${hidden('archivoFirma', vm.archivo.firma)}
<p class="ok">Se conserva el archivo «${esc(vm.archivo.nombre)}» (${esc(bytes(vm.archivo.bytes))}); elija otro solo si desea reemplazarlo.</p>`
    : '';
  const body = `<form method="post" action="/oficios/nuevo" enctype="multipart/form-data" class="formulario">${csrfField(chrome)}
<fieldset><legend>Procedimiento</legend>
${select({ label: 'Qué solicita el oficio', name: 'procedimiento', value: v.procedimiento, options: vm.procedimientos, empty: 'Elija…', required: true })}
</fieldset>
<fieldset><legend>El oficio recibido</legend><div class="rejilla">
${input({ label: 'Número del oficio', name: 'numeroOficio', value: v.numeroOficio, required: true, hint: 'El que asignó el remitente, p. ej. DEP/0457/2026.', attrs: 'maxlength="80"' })}
${input({ label: 'Fecha del oficio', name: 'fechaOficio', value: v.fechaOficio, type: 'date', required: true })}
${input({ label: 'Nombre de quien firma', name: 'remitenteNombre', value: v.remitenteNombre, required: true, attrs: 'maxlength="160"' })}
${input({ label: 'Cargo de quien firma', name: 'remitenteCargo', value: v.remitenteCargo, required: true, attrs: 'maxlength="160"' })}
${select({ label: 'Nivel que solicita', name: 'nivel', value: v.nivel, options: vm.niveles, empty: '— No es un nivel —', hint: 'Obligatorio para la cuenta de un centro de trabajo (5.2.1).' })}
${input({ label: 'Área solicitante', name: 'area', value: v.area, hint: 'Cuando no es un nivel, p. ej. Dirección de Becas.', attrs: 'maxlength="200"' })}
${select({ label: 'Responsable con cuenta en el sistema', name: 'responsableId', value: v.responsableId, options: vm.responsables, empty: '— Ninguno —', hint: 'A quien se dirige la respuesta, si tiene usuario.' })}
${input({ label: 'Fojas', name: 'fojas', value: v.fojas, type: 'number', attrs: 'min="1" max="5000" inputmode="numeric"' })}
</div>
${textarea({ label: 'Asunto', name: 'asunto', value: v.asunto, required: true, rows: 2, attrs: 'maxlength="500"' })}
${input({ label: 'Anexos', name: 'anexos', value: v.anexos, attrs: 'maxlength="400"' })}
</fieldset>
<fieldset><legend>De quién o de qué trata</legend><div class="rejilla">
${input({ label: 'CCT del centro de trabajo', name: 'cct', value: v.cct, hint: 'Para la cuenta de una escuela (5.2.1).', attrs: 'maxlength="10" autocapitalize="characters"' })}
${textarea({ label: 'Cuentas de correo', name: 'cuentas', value: v.cuentas, rows: 2, hint: 'Separadas por comas; la Subjefatura las verá al buscar la cuenta.' })}
${textarea({ label: 'CURP de las personas', name: 'curps', value: v.curps, rows: 2, hint: 'Separadas por comas.', attrs: 'autocapitalize="characters"' })}
${textarea({ label: 'CCT de los centros de trabajo', name: 'ccts', value: v.ccts, rows: 2, hint: 'Separadas por comas.', attrs: 'autocapitalize="characters"' })}
</div></fieldset>
<fieldset><legend>Recepción</legend><div class="rejilla">
${input({ label: 'Recibido el', name: 'recibidoEn', value: v.recibidoEn, type: 'datetime-local', hint: 'Hora de Colima. Déjelo vacío si lo recibe ahora.' })}
<div class="campo"><label for="f-archivo">Oficio escaneado</label><input type="file" id="f-archivo" name="archivo" accept="application/pdf,image/png,image/jpeg,image/tiff,.pdf,.png,.jpg,.jpeg,.tif,.tiff"${vm.archivo ? '' : ' required'} aria-describedby="f-archivo-ayuda">
<small id="f-archivo-ayuda">PDF, PNG, JPEG o TIFF, hasta ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.</small></div>
</div>${kept}</fieldset>
${vm.duplicado ? checkbox({ label: 'Registrar de todos modos: es un oficio distinto con el mismo número', name: 'confirmarDuplicado', checked: false }) : ''}
<div class="acciones-form"><button type="submit">Registrar y emitir acuse</button></div>
</form>`;
  return staffPage(chrome, 'Registrar oficio recibido', body, { error: vm.error });
}

export function renderOficioList(chrome: Chrome, vm: OficioListVm): string {
  const f = vm.filtros;
  const active = Object.keys(f).filter((k) => k !== 'pagina').length;
  const filters = `<details class="filtros"${active ? ' open' : ''}><summary>Buscar${active ? ` (${active} filtro${active > 1 ? 's' : ''})` : ''}</summary>
<form method="get" action="/oficios" class="rejilla">
${input({ label: 'Folio', name: 'folio', value: f.folio, attrs: 'placeholder="SSST-2026-000123"' })}
${input({ label: 'Número del oficio', name: 'numero', value: f.numero })}
${input({ label: 'Remitente o área', name: 'remitente', value: f.remitente })}
${select({ label: 'Nivel', name: 'nivel', value: f.nivel, options: vm.niveles, empty: 'Todos' })}
${select({ label: 'Procedimiento', name: 'procedimiento', value: f.procedimiento, options: vm.procedimientos, empty: 'Todos' })}
${select({ label: 'Estado', name: 'estado', value: f.estado, options: [{ value: 'registrado', label: 'Registrado' }, { value: 'cancelado', label: 'Cancelado' }], empty: 'Todos' })}
${input({ label: 'Año', name: 'anio', value: f.anio, type: 'number', attrs: 'min="2000" max="2999" inputmode="numeric"' })}
<div class="acciones-form"><button type="submit">Buscar</button><a class="boton secundario" href="/oficios">Limpiar</a></div>
</form></details>`;
  const rows = vm.items
    .map(
      (o) => `<tr${o.estado === 'cancelado' ? ' class="fila-cancelada"' : ''}><td data-etiqueta="Folio"><a class="folio" href="/tramites/${esc(o.tramite)}">${esc(o.folio)}</a></td>
<td data-etiqueta="Recibido">${esc(fechaHora(o.recibido.en))}</td>
<td data-etiqueta="Oficio">${esc(o.numeroOficio)}<small>${esc(fechaIso(o.fechaOficio))}</small></td>
<td data-etiqueta="Remitente">${esc(o.remitente.nombre)}<small>${esc(o.area ?? o.remitente.cargo)}</small></td>
<td data-etiqueta="Asunto">${esc(o.asunto)}</td>
<td data-etiqueta="Estado">${o.estado === 'cancelado' ? '<span class="insignia vencido">Cancelado</span>' : '<span class="insignia activa">Registrado</span>'}</td></tr>`,
    )
    .join('');
  const table = vm.items.length
    ? `<table class="tabla tarjetas"><thead><tr><th>Folio</th><th>Recibido</th><th>Oficio</th><th>Remitente</th><th>Asunto</th><th>Estado</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p class="resumen">No hay oficios con estos datos.</p>';
  const link = (p: number, text: string) => `<a class="boton secundario chico" href="/oficios${esc(query({ ...f, pagina: p }))}">${text}</a>`;
  const pager =
    vm.paginas > 1
      ? `<nav class="paginas" aria-label="Páginas">${vm.pagina > 1 ? link(vm.pagina - 1, '← Anterior') : ''}<span>Página ${vm.pagina} de ${vm.paginas}</span>${vm.pagina < vm.paginas ? link(vm.pagina + 1, 'Siguiente →') : ''}</nav>`
      : '';
  const newLink = chrome.staff?.role === 'subdireccion' ? '<p><a class="boton" href="/oficios/nuevo">Registrar oficio</a></p>' : '';
  return staffPage(chrome, 'Oficios recibidos', `${newLink}${filters}${vm.total ? `<p class="resumen">${vm.total} oficio${vm.total === 1 ? '' : 's'}, los más recientes arriba.</p>` : ''}${table}${pager}`, { error: vm.error });
}
