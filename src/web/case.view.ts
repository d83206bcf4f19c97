import { esc } from '../common/html';
import { SECONDARY_EVENTS, WORKER_FIELD } from './action-forms';
import type { AccountHit, ActionVm, CasePageVm, SchoolHit, WorkerHit } from './case.page';
import { hidden, input, textarea } from './forms';
import { bytes, fechaHora, fechaIso, RESULTADO_LABEL, roleLabel, SITUACION_LABEL } from './format';
import { type Chrome, csrfField, staffPage } from './layout';

const dl = (pairs: [string, string | null | undefined][]): string => {
  const rows = pairs.filter(([, v]) => v !== null && v !== undefined && v !== '');
  return rows.length ? `<dl class="datos">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>` : '';
};

const estadoCuenta = (estado: string): string =>
  estado === 'bloqueada' ? '<span class="insignia vencido">Bloqueada</span>' : '<span class="insignia activa">Activa</span>';

/** The button that copies a search result into the form: a submit without script, an instant fill with it. */
const useButton = (values: Record<string, string>, text = 'Usar'): string => {
  const json = JSON.stringify(values);
  return `<button type="submit" name="_usar" value="${esc(json)}" data-llenar="${esc(json)}" class="chico secundario" formnovalidate>${esc(text)}</button>`;
};

function searchBox(a: ActionVm, name: string, label: string, hint: string, kind: 'cuenta' | 'trabajador' | 'centro', idPrefix: string): string {
  return `<div class="busqueda-caja">${input({ label, name, value: a.values[name], hint, idPrefix, type: 'search', attrs: 'autocomplete="off"' })}
<button type="submit" name="_buscar" value="${kind}" class="secundario" formnovalidate>Buscar</button></div>`;
}

function accountResults(a: ActionVm, hits: AccountHit[] | null, idPrefix: string): string {
  if (hits === null) return '';
  if (!hits.length) return '<p class="tenue">Ninguna cuenta coincide. Busque por dirección de correo, CURP o CCT del titular.</p>';
  const items = hits
    .map((h, i) => {
      const id = `${idPrefix}-cuenta-${i}`;
      const titular = h.titularCurp ? `CURP ${h.titularCurp}` : h.titularCct ? `CCT ${h.titularCct}` : 'sin titular';
      return `<li><input type="radio" name="cuentaId" id="${id}" value="${esc(h.id)}"${a.values.cuentaId === h.id ? ' checked' : ''} required>
<label for="${id}"><strong>${esc(h.direccion)}</strong> ${estadoCuenta(h.estado)}<small>${esc(h.tipo)} · ${esc(titular)}</small></label></li>`;
    })
    .join('');
  return `<fieldset class="resultados"><legend>Elija la cuenta</legend><ul class="opciones">${items}</ul></fieldset>`;
}

function workerResults(a: ActionVm, hits: WorkerHit[] | null): string {
  if (hits === null) return '';
  if (!hits.length) return '<p class="tenue">Ningún trabajador coincide. Busque por CURP, CURT o nombre.</p>';
  const field = WORKER_FIELD[a.kind] ?? 'curp';
  const rows = hits
    .map(
      (w) => `<li><span><strong>${esc(w.nombre)}</strong> ${w.activo ? '' : '<span class="insignia vencido">Inactivo</span>'}${w.tieneCorreoAlterno ? '' : '<span class="insignia pronto">Sin correo alterno</span>'}
<small>CURP ${esc(w.curp)}${w.cct ? ` · CCT ${esc(w.cct)}` : ''}${w.nivel ? ` · ${esc(w.nivel)}` : ''}</small></span>${useButton({ [field]: w.curp })}</li>`,
    )
    .join('');
  return `<ul class="opciones resultados">${rows}</ul>`;
}

function schoolResults(hits: SchoolHit[] | null): string {
  if (hits === null) return '';
  if (!hits.length) return '<p class="tenue">Ningún centro de trabajo coincide. Busque por CCT o nombre.</p>';
  const rows = hits
    .map((s) => {
      const d = s.director;
      const director = d
        ? `Director: ${esc(d.nombre)} (CURP ${esc(d.curp)})${d.tieneCorreoAlterno ? '' : ' <span class="insignia pronto">Sin correo alterno</span>'}`
        : '<span class="insignia pronto">Sin director en el catálogo</span>';
      // Correction 14: a school that has its account is answered with it; the form still sends CREAR_CUENTA.
      const cuenta = s.cuenta
        ? `<small class="aviso">Ya tiene cuenta: <strong>${esc(s.cuenta.direccion)}</strong> ${estadoCuenta(s.cuenta.estado)}. No se creará otra ni se cambiará su contraseña: el oficio de respuesta informará esta dirección.</small>`
        : '';
      return `<li><span><strong>${esc(s.cct)}</strong> ${esc(s.nombre)}<small>${esc(s.nivel)} · ${esc(s.estatus)} · ${director}</small>${cuenta}</span>${useButton({ cct: s.cct, directorCurp: d?.curp ?? '' })}</li>`;
    })
    .join('');
  return `<ul class="opciones resultados">${rows}</ul>`;
}

/** Paso "Alerta sobre la acción y espera confirmación": what is about to happen, before the button. */
function confirmationSummary(vm: CasePageVm): string {
  const d = vm.datos;
  const parts: [string, string | null | undefined][] = [];
  if (vm.cuenta) parts.push(['Cuenta', `${vm.cuenta.direccion} (${vm.cuenta.tipo}, ${vm.cuenta.estado})`]);
  if (d.reasignacion) {
    parts.push(['Titular actual', d.reasignacion.previousCurp ?? 'sin titular']);
    parts.push(['Nuevo titular', d.reasignacion.newCurp]);
  }
  if (d.alta) parts.push(['Cuenta a crear', d.alta.tipo === 'centro_trabajo' ? `Centro de trabajo ${d.alta.cct}` : `${d.alta.localPart}@${vm.mailDomain}`]);
  return parts.length ? `<div class="alerta"><p><strong>Revise antes de confirmar.</strong> El sistema aplicará la acción en el directorio de correo.</p>${dl(parts)}</div>` : '';
}

function actionForm(chrome: Chrome, vm: CasePageVm, a: ActionVm): string {
  const p = `a-${a.evento.toLowerCase()}`;
  const head = `${csrfField(chrome)}${hidden('evento', a.evento)}${hidden('version', vm.caso.version)}`;
  const submit = (cls = '') => `<div class="acciones-form"><button type="submit"${cls ? ` class="${cls}"` : ''}>${esc(a.etiqueta)}</button></div>`;
  let body = '';
  switch (a.kind) {
    case 'crear-centro':
      body = `<fieldset class="busqueda"><legend>Buscar el centro de trabajo y su director</legend>
${searchBox(a, 'buscarCentro', 'CCT o nombre de la escuela', 'Catálogo de Centros de Trabajo.', 'centro', p)}${schoolResults(a.centros)}</fieldset>
<div class="rejilla">${input({ label: 'CCT', name: 'cct', value: a.values.cct, required: true, idPrefix: p, attrs: 'maxlength="10" autocapitalize="characters"' })}
${input({ label: 'CURP del director', name: 'directorCurp', value: a.values.directorCurp, required: true, idPrefix: p, hint: 'Recibe los datos de acceso en su correo alterno.', attrs: 'maxlength="18" autocapitalize="characters"' })}</div>${submit()}`;
      break;
    case 'crear-servicio':
      body = `<fieldset class="tipo"><legend>Tipo de cuenta</legend>
<label class="radio"><input type="radio" name="tipo" value="servicio"${a.values.tipo !== 'funcion' ? ' checked' : ''}> Servicio</label>
<label class="radio"><input type="radio" name="tipo" value="funcion"${a.values.tipo === 'funcion' ? ' checked' : ''}> Función</label></fieldset>
<fieldset class="busqueda"><legend>Buscar al trabajador</legend>
${searchBox(a, 'buscarTrabajador', 'CURP, CURT o nombre', 'Capital Humano.', 'trabajador', p)}${workerResults(a, a.trabajadores)}</fieldset>
<div class="rejilla">${input({ label: 'CURP del trabajador', name: 'curp', value: a.values.curp, required: true, idPrefix: p, hint: 'Recibe los datos de acceso en su correo alterno.', attrs: 'maxlength="18" autocapitalize="characters"' })}
<div class="campo"><label for="${p}-localPart">Nombre de la cuenta (sin dominio)</label><span class="con-sufijo"><input type="text" id="${p}-localPart" name="localPart" value="${esc(a.values.localPart ?? '')}" required autocapitalize="none" spellcheck="false" aria-describedby="${p}-localPart-ayuda"><span>@${esc(vm.mailDomain)}</span></span>
<small id="${p}-localPart-ayuda">Letras sin acento, números, punto o guion; p. ej. becas.colima</small></div></div>${submit()}`;
      break;
    case 'cuenta':
      body = `<fieldset class="busqueda"><legend>Buscar la cuenta</legend>
${searchBox(a, 'buscarCuenta', 'Correo, CURP o CCT del titular', '', 'cuenta', p)}${accountResults(a, a.cuentas, p)}</fieldset>${submit()}`;
      break;
    case 'reasignar':
      body = `<fieldset class="busqueda"><legend>Buscar la cuenta</legend>
${searchBox(a, 'buscarCuenta', 'Correo, CURP o CCT del titular', 'El titular anterior se toma de la cuenta elegida.', 'cuenta', p)}${accountResults(a, a.cuentas, p)}</fieldset>
<fieldset class="busqueda"><legend>Nuevo titular</legend>
${searchBox(a, 'buscarTrabajador', 'CURP, CURT o nombre', 'Capital Humano.', 'trabajador', p)}${workerResults(a, a.trabajadores)}
${input({ label: 'CURP del nuevo titular', name: 'newCurp', value: a.values.newCurp, required: true, idPrefix: p, attrs: 'maxlength="18" autocapitalize="characters"' })}</fieldset>${submit()}`;
      break;
    case 'motivo':
      body = `${textarea({ label: 'Motivo', name: 'motivo', value: a.values.motivo, required: true, idPrefix: p, rows: 3, attrs: 'maxlength="400"' })}${submit('peligro')}`;
      break;
    case 'boton':
      body = `${a.evento === 'CONFIRMAR' ? confirmationSummary(vm) : ''}${submit(SECONDARY_EVENTS.has(a.evento) ? 'secundario' : '')}`;
      break;
  }
  const confirm = a.kind === 'motivo' ? ' data-confirmar="¿Seguro? El trámite terminará sin aplicar la acción solicitada."' : '';
  const form = `<form method="post" action="/tramites/${esc(vm.caso.id)}/acciones" class="accion" id="${p}"${confirm}>${head}${body}</form>`;
  if (a.kind === 'motivo') return `<details class="accion-secundaria"><summary>${esc(a.etiqueta)}</summary>${form}</details>`;
  if (a.kind === 'boton') return form;
  return `<section class="tarjeta"><h3>${esc(a.etiqueta)}</h3>${form}</section>`;
}

function actions(chrome: Chrome, vm: CasePageVm): string {
  if (!vm.acciones.length) {
    const who = [...new Set(vm.caso.pasosActuales.map((p) => p.responsable))].join(' / ');
    const msg =
      vm.caso.situacion === 'concluido'
        ? 'El trámite concluyó.'
        : vm.enEspera
          ? 'El sistema está trabajando en este paso; la página se actualiza sola.'
          : `No hay acciones para usted en este paso${who ? `: corresponde a ${who}` : ''}.`;
    return `<section class="acciones vacias"><p>${esc(msg)}</p></section>`;
  }
  const main = vm.acciones.filter((a) => a.kind !== 'motivo' && !(a.kind === 'boton' && SECONDARY_EVENTS.has(a.evento)));
  const buttons = main.filter((a) => a.kind === 'boton');
  const forms = main.filter((a) => a.kind !== 'boton');
  const secondary = vm.acciones.filter((a) => !main.includes(a));
  return `<section class="acciones" aria-labelledby="t-acciones"><h2 id="t-acciones">Lo que puede hacer ahora</h2>
${buttons.length ? `<div class="botones">${buttons.map((a) => actionForm(chrome, vm, a)).join('')}</div>` : ''}
${forms.map((a) => actionForm(chrome, vm, a)).join('')}
${secondary.length ? `<div class="botones secundarias">${secondary.map((a) => actionForm(chrome, vm, a)).join('')}</div>` : ''}</section>`;
}

function currentSteps(vm: CasePageVm): string {
  const steps = vm.caso.pasosActuales;
  const tasks = vm.caso.tareas.filter((t) => t.estado === 'abierta');
  const list = steps.length
    ? `<ol class="pasos-guia">${steps.map((p) => `<li><span class="no">Paso ${esc(p.no)}</span> <strong>${esc(p.responsable)}</strong><br>${esc(p.actividad)}</li>`).join('')}</ol>`
    : tasks.length
      ? ''
      : `<p class="tenue">${vm.caso.situacion === 'concluido' ? 'El trámite concluyó.' : 'Sin pasos pendientes.'}</p>`;
  const due = tasks
    .map((t) => `<li>${esc(t.titulo)} — ${esc(roleLabel(t.rol))}${t.nivel ? ` ${esc(t.nivel)}` : ''}: vence ${esc(fechaHora(t.vence))} ${t.vencida ? '<span class="insignia vencido">Vencido</span>' : t.faltaPoco ? '<span class="insignia pronto">Falta poco</span>' : ''}</li>`)
    .join('');
  return `<section class="tarjeta"><h2>Paso actual</h2>${list}${due ? `<ul class="tareas">${due}</ul>` : ''}</section>`;
}

function caseData(vm: CasePageVm): string {
  const d = vm.datos;
  const o = vm.oficio;
  const concierne = o ? [...o.concierne.cuentas, ...o.concierne.ccts, ...o.concierne.curps].join(', ') : '';
  const oficio = o
    ? dl([
        ['Número del oficio', o.numeroOficio],
        ['Fecha del oficio', fechaIso(o.fechaOficio)],
        ['Remitente', `${o.remitente.nombre}, ${o.remitente.cargo}`],
        ['Nivel o área', o.nivel ? `${o.nivel}${o.area ? ` (${o.area})` : ''}` : o.area],
        ['Asunto', o.asunto],
        ['CCT', o.cct],
        ['Concierne a', concierne],
        ['Fojas', String(o.fojas)],
        ['Anexos', o.anexos],
        ['Archivo', `${o.archivo.nombre ?? 'oficio'} (${o.archivo.tipo}, ${bytes(o.archivo.bytes)})`],
        ['Recibido', `${fechaHora(o.recibido.en)} por ${o.recibido.por}`],
        ['Estado', o.estado === 'cancelado' ? `Cancelado: ${o.cancelacion?.motivo ?? ''}` : 'Registrado'],
      ])
    : dl([
        ['Número del oficio', d.oficio?.folio],
        ['Fecha del oficio', d.oficio?.fecha ? fechaIso(d.oficio.fecha) : null],
        ['Asunto', d.oficio?.asunto],
        ['Nivel', d.nivel],
        ['CCT', d.cct],
      ]);
  const previa = d.cuentaPrevia
    ? '<p class="alerta">El centro de trabajo ya tenía esta cuenta: no se creó otra ni se cambió su contraseña. El oficio de respuesta informa su dirección.</p>'
    : '';
  const account = dl([
    ['Cuenta', vm.cuenta ? `${vm.cuenta.direccion} (${vm.cuenta.tipo}, ${vm.cuenta.estado})` : (d.cuenta?.address ?? null)],
    ['Cuenta solicitada', d.alta ? (d.alta.tipo === 'centro_trabajo' ? `Centro de trabajo ${d.alta.cct}, director ${d.alta.directorCurp}` : `${d.alta.tipo === 'servicio' ? 'Servicio' : 'Función'}: ${d.alta.localPart}@${vm.mailDomain}, CURP ${d.alta.curp}`) : null],
    ['Titular anterior', d.reasignacion ? (d.reasignacion.previousCurp ?? 'sin titular') : null],
    ['Nuevo titular', d.reasignacion?.newCurp],
    ['Motivo', d.motivo],
  ]);
  const incident = vm.caso.incidente || d.incidente ? `<p class="error">Incidente: ${esc(d.incidente?.message ?? vm.caso.incidente ?? '')}</p>` : '';
  return `<section class="tarjeta"><h2>Datos del trámite</h2>${incident}${oficio}${previa}${account}</section>`;
}

function documents(vm: CasePageVm): string {
  const items = vm.documentos
    .map(
      (d) => `<li><a href="/api/documentos/${esc(d.id)}/pdf" download>${esc(d.tipo)}${d.numeroOficio ? ` ${esc(d.numeroOficio)}` : ''} (PDF)</a>
<small>Folio ${esc(d.folio)} · firmado ${esc(fechaHora(d.emitido))} · ${d.paginas} pág.${d.estado === 'cancelado' ? ' · <span class="insignia vencido">Cancelado</span>' : ''}</small></li>`,
    )
    .join('');
  return `<section class="tarjeta"><h2>Documentos</h2>${items ? `<ul class="documentos">${items}</ul>` : '<p class="tenue">Aún no hay documentos emitidos que usted pueda descargar.</p>'}</section>`;
}

function movements(vm: CasePageVm): string {
  const rows = vm.movimientos
    .map(
      (m) => `<tr><td data-etiqueta="Fecha">${esc(fechaHora(m.fecha))}</td><td data-etiqueta="Quién">${esc(m.quien)}<small>${esc(roleLabel(m.rol))}</small></td>
<td data-etiqueta="Acción">${esc(m.accion)}${m.datos.length ? `<small>${m.datos.map(([k, v]) => `${esc(k)}: ${esc(v)}`).join(' · ')}</small>` : ''}</td><td data-etiqueta="Pasos">${esc(m.pasos.replace(':', ' pasos '))}</td></tr>`,
    )
    .join('');
  return `<section class="bitacora"><h2>Movimientos</h2><table class="tabla tarjetas"><thead><tr><th>Fecha</th><th>Quién</th><th>Acción</th><th>Pasos de la guía</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

export function renderCase(chrome: Chrome, vm: CasePageVm): string {
  const c = vm.caso;
  const situacion = c.situacion === 'concluido' ? (RESULTADO_LABEL[c.resultado ?? ''] ?? SITUACION_LABEL.concluido) : (SITUACION_LABEL[c.situacion] ?? c.situacion);
  const head = `<p class="cabecera-tramite">${c.folio ? `<span class="folio grande">${esc(c.folio)}</span>` : ''}<span>Guía ${esc(vm.seccion)}</span>
<span class="insignia ${c.situacion === 'incidente' ? 'vencido' : c.situacion === 'concluido' ? 'activa' : 'curso'}">${esc(situacion)}</span><small class="tenue">Iniciado ${esc(fechaHora(c.creado))} · actualizado ${esc(fechaHora(c.actualizado))}</small></p>`;
  const now = c.tareas.filter((x) => x.estado === 'abierta').map((x) => x.titulo).join(', ') || c.estado;
  const diagram = `<section class="diagrama"><h2>Diagrama del procedimiento</h2><p class="tenue">El paso actual aparece resaltado.</p>
<div class="svg-caja"><img src="data:image/svg+xml;base64,${vm.diagrama}" alt="${esc(`Diagrama de estados de «${c.titulo}»; paso actual resaltado: ${now}.`)}"></div></section>`;
  const body = `${head}${actions(chrome, vm)}<div class="columnas">${currentSteps(vm)}${documents(vm)}</div>${caseData(vm)}${diagram}${movements(vm)}`;
  return staffPage(chrome, c.titulo, body, { aviso: vm.aviso, error: vm.error, refresh: vm.enEspera ? { seconds: 3, url: `/tramites/${c.id}` } : undefined });
}
