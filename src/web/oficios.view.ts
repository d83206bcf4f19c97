import { MESES } from '../common/meses';
import { mexicoCityParts } from '../letters/fecha';
import { MAX_OFICIO_LINEAS } from '../oficios/oficio.dto';
import { MAX_UPLOAD_BYTES } from '../oficios/upload';
import type { RegisterEntry } from '../oficios/oficio-register.service';
import { bytes, fechaHora, fechaIso, nivelNombre, RESULTADO_LABEL, roleLabel } from './format';
import { type Chrome, query, staffPage } from './layout';
import { SCHOOL_ANNEX, SERVICIO_ANNEX, tableRows } from './oficio-lines-form';
import type { OficioFormVm, OficioListVm } from './oficios.page';

const ESTADOS = [
  { value: 'registrado', label: 'Registrado' },
  { value: 'cancelado', label: 'Cancelado' },
];

/** The registration form of an incoming oficio (templates/pages/oficio-nuevo.hbs). */
export function renderOficioForm(chrome: Chrome, vm: OficioFormVm): string {
  return staffPage(
    chrome,
    'oficio-nuevo',
    'Registrar oficio recibido',
    {
      values: vm.values,
      procedimientos: vm.procedimientos,
      niveles: vm.niveles,
      responsables: vm.responsables,
      archivo: vm.archivo ? { ...vm.archivo, tamano: bytes(vm.archivo.bytes) } : null,
      duplicado: vm.duplicado,
      archivoRequerido: !vm.archivo,
      archivoAyuda: `PDF, PNG, JPEG o TIFF, hasta ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`,
      // The rows sent, then blank ones to type in (the page's script adds and removes rows): schools and Servicio.
      lineas: tableRows(SCHOOL_ANNEX, vm.lineas ?? []),
      lineasServicio: tableRows(SERVICIO_ANNEX, vm.lineasServicio ?? []),
      lineasError: vm.campos.find((c) => c.id === 'f-lineas')?.mensaje ?? null,
      maxLineas: MAX_OFICIO_LINEAS,
    },
    { error: vm.error, campos: vm.campos },
  );
}

const holderOf = (t: { candidateRole: string; nivelClave: string | null }): string =>
  `${roleLabel(t.candidateRole)}${t.candidateRole === 'nivel' && t.nivelClave ? ` ${nivelNombre(t.nivelClave)}` : ''}`;

/** Where a case stands when nobody has a task open in it. */
function situation(c: RegisterEntry['caso']): string {
  if (!c) return '—';
  if (c.status === 'concluido') return `Concluido: ${RESULTADO_LABEL[c.outcome ?? ''] ?? 'sin resultado'}`;
  if (c.status === 'incidente') return `Incidente: lo atiende la ${roleLabel('subjefatura')}`;
  return 'El sistema trabaja en este paso';
}

/**
 * An oficio for many schools: «20 de 25 con resultado · 3 de 25 concluidos (Cuenta creada: 2, Ya tenía cuenta: 1)».
 * «Con resultado»: what its one reply letter will say is known (the account made, or why not); concluded comes later.
 */
export function progress(p: NonNullable<RegisterEntry['lineas']>): string {
  const by = Object.entries(p.porResultado)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([r, n]) => `${RESULTADO_LABEL[r] ?? r}: ${n}`);
  return (
    `${p.conResultado} de ${p.total} con resultado · ${p.concluidas} de ${p.total} concluidos` +
    (by.length ? ` (${by.join(', ')})` : '')
  );
}

function row(e: RegisterEntry, names: Map<string, string>, now: Date) {
  const o = e.oficio;
  const name = (id: string): string => names.get(id) ?? (id === 'sistema' ? 'Sistema' : 'otra persona');
  // Of an oficio for many schools the row shows its lines' progress, not the steps of line 1's case.
  const tasks = e.lineas ? [] : (e.caso?.tasks ?? []);
  return {
    tramite: o.tramite,
    folio: o.folio,
    recibido: fechaHora(o.recibido.en),
    numeroOficio: o.numeroOficio,
    fechaOficio: fechaIso(o.fechaOficio),
    remitente: o.remitente.nombre,
    area: o.area ?? o.remitente.cargo,
    asunto: o.asunto,
    cancelado: o.estado === 'cancelado',
    pasos: tasks.map((t) => ({
      titulo: t.title,
      quien: t.assigneeId ? name(t.assigneeId) : holderOf(t),
      vence: fechaHora(t.dueAt),
      vencida: t.dueAt.getTime() <= now.getTime(),
    })),
    situacion: e.lineas ? progress(e.lineas) : tasks.length ? null : situation(e.caso),
    documentos: e.documentos.map((d) => {
      const last = d.descargas[d.descargas.length - 1];
      const n = d.descargas.length;
      return {
        href: `/api/documentos/${d.id}/pdf`,
        etiqueta:
          d.tipo === 'acuse' ? 'Acuse de recibo' : `Oficio de respuesta${d.numeroOficio ? ` ${d.numeroOficio}` : ''}`,
        firmado: fechaHora(d.firmado),
        cancelado: d.estado === 'cancelado',
        descargas: last
          ? `Descargado ${n} ${n === 1 ? 'vez' : 'veces'}; la última, ${name(last.usuario)} (${roleLabel(last.rol)}) el ${fechaHora(last.en)}`
          : 'Nadie lo ha descargado',
      };
    }),
    acuseRecibo: e.acuseRecibo
      ? `Firmado y sellado de recibido por ${name(e.acuseRecibo.usuario)} el ${fechaHora(e.acuseRecibo.en)}`
      : null,
  };
}

/**
 * Quick links to the oficios received this month, last month and the two before (in Colima): «la carta del mes
 * pasado» without typing a date.
 */
export function recentMonths(now: Date, chosen?: string): { mes: string; etiqueta: string; actual: boolean }[] {
  const today = mexicoCityParts(now);
  return [0, 1, 2, 3].map((back) => {
    const index = today.year * 12 + today.month - 1 - back;
    const year = Math.floor(index / 12);
    const month = (index % 12) + 1;
    const mes = `${year}-${String(month).padStart(2, '0')}`;
    const nombre = `${MESES[month - 1]}${year === today.year ? '' : ` de ${year}`}`;
    return {
      mes,
      etiqueta: back === 0 ? 'este mes' : back === 1 ? `el mes pasado (${nombre})` : nombre,
      actual: mes === chosen,
    };
  });
}

/** The oficio register with its search (templates/pages/oficios.hbs): «Oficios» or, for a Nivel or a responsable, «Mis oficios». */
export function renderOficioList(
  chrome: Chrome,
  vm: OficioListVm,
  now = new Date(),
  aviso: string | null = null,
): string {
  const f = vm.filtros;
  const link = (extra: Record<string, string>): string => `/oficios${query({ ...f, ...extra })}`;
  return staffPage(
    chrome,
    'oficios',
    vm.propios ? 'Mis oficios' : 'Oficios recibidos',
    {
      filtros: f,
      activos: Object.keys(f).length,
      meses: recentMonths(now, f.mes),
      propios: vm.propios,
      niveles: vm.niveles,
      procedimientos: vm.procedimientos,
      estados: ESTADOS,
      puedeRegistrar: chrome.staff?.role === 'subdireccion',
      total: vm.total,
      totalTexto: `${vm.totalAcotado ? 'Más de ' : ''}${vm.total.toLocaleString('es-MX')}`,
      items: vm.items.map((e) => row(e, vm.nombres, now)),
      paginas: {
        enlaces: !!(vm.siguiente || vm.anterior || Object.keys(vm.cursor).length),
        primera: Object.keys(vm.cursor).length ? link({}) : null,
        anterior: vm.anterior ? link({ antes: vm.anterior }) : null,
        siguiente: vm.siguiente ? link({ despues: vm.siguiente }) : null,
      },
    },
    { error: vm.error, aviso },
  );
}
