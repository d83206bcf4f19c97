import { searchText } from '../common/search-text';
import { actionPrefix, SECONDARY_EVENTS, WORKER_FIELD } from './action-forms';
import type { AccountHit, ActionVm, CasePageVm, SchoolHit, WorkerHit } from './case.page';
import { bytes, fechaHora, fechaIso, nivelNombre, RESULTADO_LABEL, roleLabel, SITUACION_LABEL } from './format';
import { type Chrome, staffPage } from './layout';

/** The non-empty pairs of a definition list (templates/pages/partials/datos.hbs). */
const dl = (pairs: [string, string | null | undefined][]): { k: string; v: string }[] =>
  pairs
    .filter((p): p is [string, string] => p[1] !== null && p[1] !== undefined && p[1] !== '')
    .map(([k, v]) => ({ k, v }));

/** A search result's «Usar» button: the values it copies into the form (JSON, read by the server and by personal.js). */
const usar = (values: Record<string, string>): string => JSON.stringify(values);

/** Search results as `{ lista }`, or null when nothing was searched (an empty list says «no coincide»). */
const found = <T, R>(hits: T[] | null, each: (hit: T, i: number) => R): { lista: R[] } | null =>
  hits ? { lista: hits.map(each) } : null;

const accounts = (a: ActionVm, hits: AccountHit[] | null, p: string) =>
  found(hits, (h, i) => ({
    id: `${p}-cuenta-${i}`,
    value: h.id,
    checked: a.values.cuentaId === h.id,
    direccion: h.direccion,
    bloqueada: h.estado === 'bloqueada',
    tipo: h.tipo,
    titular: h.titularCurp ? `CURP ${h.titularCurp}` : h.titularCct ? `CCT ${h.titularCct}` : 'sin titular',
  }));

const workers = (a: ActionVm, hits: WorkerHit[] | null) =>
  found(hits, (w) => ({
    nombre: w.nombre,
    inactivo: !w.activo,
    sinCorreoAlterno: !w.tieneCorreoAlterno,
    curp: w.curp,
    cct: w.cct ?? null,
    nivel: w.nivel ? nivelNombre(w.nivel) : null,
    usar: usar({ [WORKER_FIELD[a.kind] ?? 'curp']: w.curp }),
  }));

const schools = (hits: SchoolHit[] | null) =>
  found(hits, (s) => ({
    cct: s.cct,
    nombre: s.nombre,
    nivel: s.nivel ? nivelNombre(s.nivel) : '',
    estatus: s.estatus,
    director: s.director
      ? { nombre: s.director.nombre, curp: s.director.curp, sinCorreoAlterno: !s.director.tieneCorreoAlterno }
      : null,
    // Correction 14: a school that has its account is answered with it; the form still sends CREAR_CUENTA.
    cuenta: s.cuenta ? { direccion: s.cuenta.direccion, bloqueada: s.cuenta.estado === 'bloqueada' } : null,
    usar: usar({ cct: s.cct, directorCurp: s.director?.curp ?? '' }),
  }));

/** Paso "Alerta sobre la acción y espera confirmación": what is about to happen, before the button. */
function confirmation(vm: CasePageVm) {
  const d = vm.datos;
  const parts: [string, string | null | undefined][] = [];
  if (vm.cuenta) parts.push(['Cuenta', `${vm.cuenta.direccion} (${vm.cuenta.tipo}, ${vm.cuenta.estado})`]);
  if (d.reasignacion) {
    parts.push(['Titular actual', d.reasignacion.previousCurp ?? 'sin titular']);
    parts.push(['Nuevo titular', d.reasignacion.newCurp]);
  }
  if (d.alta)
    parts.push([
      'Cuenta a crear',
      d.alta.tipo === 'centro_trabajo' ? `Centro de trabajo ${d.alta.cct}` : `${d.alta.localPart}@${vm.mailDomain}`,
    ]);
  return dl(parts);
}

/** One action's form (templates/pages/partials/tramite-accion.hbs). */
function action(vm: CasePageVm, a: ActionVm) {
  const p = actionPrefix(a.evento);
  return {
    p,
    evento: a.evento,
    etiqueta: a.etiqueta,
    version: vm.caso.version,
    tramite: vm.caso.id,
    kind: a.kind,
    values: a.values,
    localPart: a.values.localPart ?? '',
    funcion: a.values.tipo === 'funcion',
    confirmacion: a.kind === 'boton' && a.evento === 'CONFIRMAR' ? confirmation(vm) : [],
    clase: a.kind === 'motivo' ? 'peligro' : a.kind === 'boton' && SECONDARY_EVENTS.has(a.evento) ? 'secundario' : '',
    cuentas: accounts(a, a.cuentas, p),
    trabajadores: workers(a, a.trabajadores),
    centros: schools(a.centros),
  };
}

function actions(vm: CasePageVm) {
  const main = vm.acciones.filter(
    (a) => a.kind !== 'motivo' && !(a.kind === 'boton' && SECONDARY_EVENTS.has(a.evento)),
  );
  const who = [...new Set(vm.caso.pasosActuales.map((p) => p.responsable))].join(' / ');
  return {
    vacias:
      vm.acciones.length > 0
        ? null
        : vm.caso.situacion === 'concluido'
          ? 'El trámite concluyó.'
          : vm.esperaLineas
            ? vm.esperaLineas
            : vm.enEspera
              ? 'El sistema está trabajando en este paso; la página se actualiza sola.'
              : `No hay acciones para usted en este paso${who ? `: corresponde a ${who}` : ''}.`,
    botones: main.filter((a) => a.kind === 'boton').map((a) => action(vm, a)),
    formularios: main.filter((a) => a.kind !== 'boton').map((a) => action(vm, a)),
    secundarias: vm.acciones.filter((a) => !main.includes(a)).map((a) => action(vm, a)),
  };
}

function caseData(vm: CasePageVm) {
  const d = vm.datos;
  const o = vm.oficio;
  const concierne = o ? [...o.concierne.cuentas, ...o.concierne.ccts, ...o.concierne.curps].join(', ') : '';
  const oficio = o
    ? dl([
        ['Número del oficio', o.numeroOficio],
        ['Fecha del oficio', fechaIso(o.fechaOficio)],
        ['Remitente', `${o.remitente.nombre}, ${o.remitente.cargo}`],
        ['Nivel o área', nivelOArea(o.nivel, o.area)],
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
        ['Nivel', d.nivel ? nivelNombre(d.nivel) : null],
        ['CCT', d.cct],
      ]);
  const cuenta = dl([
    [
      'Cuenta',
      vm.cuenta ? `${vm.cuenta.direccion} (${vm.cuenta.tipo}, ${vm.cuenta.estado})` : (d.cuenta?.address ?? null),
    ],
    [
      'Cuenta solicitada',
      d.alta
        ? d.alta.tipo === 'centro_trabajo'
          ? `Centro de trabajo ${d.alta.cct}, director ${d.alta.directorCurp}`
          : `${d.alta.tipo === 'servicio' ? 'Servicio' : 'Función'}: ${d.alta.localPart}@${vm.mailDomain}, CURP ${d.alta.curp}`
        : null,
    ],
    ['Titular anterior', d.reasignacion ? (d.reasignacion.previousCurp ?? 'sin titular') : null],
    ['Nuevo titular', d.reasignacion?.newCurp],
    ['Motivo', d.motivo],
  ]);
  const incidente =
    vm.caso.incidente || d.incidente ? { mensaje: d.incidente?.message ?? vm.caso.incidente ?? '' } : null;
  return { incidente, oficio, cuentaPrevia: !!d.cuentaPrevia, cuenta };
}

/** The scanned oficio inside the page: a PDF in a frame, a PNG or JPEG as an image, a TIFF (no browser shows it) as a link. */
function scanOf(vm: CasePageVm) {
  const o = vm.oficio;
  if (!o) return null;
  const tipo = o.archivo.tipo;
  return {
    url: `/tramites/${vm.caso.id}/oficio`,
    pdf: tipo === 'application/pdf',
    imagen: tipo === 'image/png' || tipo === 'image/jpeg',
    titulo: `Oficio escaneado ${o.numeroOficio} (folio ${o.folio})`,
    detalle: `${o.archivo.nombre ?? 'oficio'} · ${tipo === 'application/pdf' ? 'PDF' : tipo.replace('image/', '').toUpperCase()} · ${bytes(o.archivo.bytes)}`,
  };
}

/** «Primaria», «Primaria (Departamento de Becas)» or the area alone: the level's name is not said twice. */
export function nivelOArea(nivel: string | null, area: string | null): string | null {
  if (!nivel) return area;
  const name = nivelNombre(nivel);
  const same = (a: string): boolean => searchText(a) === searchText(name) || searchText(a) === searchText(nivel);
  return area && !same(area) ? `${name} (${area})` : name;
}

/** The case page (templates/pages/tramite.hbs). */
export function renderCase(chrome: Chrome, vm: CasePageVm): string {
  const c = vm.caso;
  const tasks = c.tareas.filter((t) => t.estado === 'abierta');
  const now = tasks.map((x) => x.titulo).join(', ') || c.estado;
  return staffPage(
    chrome,
    'tramite',
    c.titulo,
    {
      folio: c.folio ?? null,
      seccion: vm.seccion,
      situacion:
        c.situacion === 'concluido'
          ? (RESULTADO_LABEL[c.resultado ?? ''] ?? SITUACION_LABEL.concluido)
          : (SITUACION_LABEL[c.situacion] ?? c.situacion),
      situacionClase: c.situacion === 'incidente' ? 'vencido' : c.situacion === 'concluido' ? 'activa' : 'curso',
      creado: fechaHora(c.creado),
      actualizado: fechaHora(c.actualizado),
      acciones: actions(vm),
      pasos: c.pasosActuales.map((p) => ({ no: p.no, responsable: p.responsable, actividad: p.actividad })),
      sinPasos:
        c.pasosActuales.length || tasks.length
          ? null
          : c.situacion === 'concluido'
            ? 'El trámite concluyó.'
            : 'Sin pasos pendientes.',
      tareas: tasks.map((t) => ({
        titulo: t.titulo,
        // «Nivel Primaria» for a level's task; another role's task is that role's, whatever level its oficio names.
        rol: t.rol === 'nivel' && t.nivel ? `Nivel ${nivelNombre(t.nivel)}` : roleLabel(t.rol),
        vence: fechaHora(t.vence),
        vencida: t.vencida,
        faltaPoco: t.faltaPoco,
      })),
      documentos: vm.documentos.map((d) => ({
        ...d,
        emitido: fechaHora(d.emitido),
        cancelado: d.estado === 'cancelado',
      })),
      datos: caseData(vm),
      escaneo: scanOf(vm),
      mailDomain: vm.mailDomain,
      diagrama: vm.diagrama,
      diagramaFoco: vm.diagramaFoco,
      diagramaAlt: `Diagrama de estados de «${c.titulo}»; paso actual resaltado: ${now}.`,
      historial: `/tramites/${c.id}/historial`,
      movimientos: vm.movimientos.map((m) => ({
        fecha: fechaHora(m.fecha),
        quien: m.quien,
        rol: roleLabel(m.rol),
        accion: m.accion,
        datos: m.datos.map(([k, v]) => ({ k, v })),
        pasos: m.pasos.replace(':', ' pasos '),
      })),
    },
    {
      aviso: vm.aviso,
      error: vm.error,
      campos: vm.campos,
      refresh: vm.enEspera ? { seconds: 3, url: `/tramites/${c.id}` } : undefined,
    },
  );
}
