import { MAX_UPLOAD_BYTES } from '../oficios/upload';
import { bytes, fechaHora, fechaIso } from './format';
import { type Chrome, pagerOf, staffPage } from './layout';
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
      maximoMb: MAX_UPLOAD_BYTES / 1024 / 1024,
    },
    { error: vm.error },
  );
}

/** The oficio register with its search (templates/pages/oficios.hbs). */
export function renderOficioList(chrome: Chrome, vm: OficioListVm): string {
  const f = vm.filtros;
  return staffPage(
    chrome,
    'oficios',
    'Oficios recibidos',
    {
      filtros: f,
      activos: Object.keys(f).filter((k) => k !== 'pagina').length,
      niveles: vm.niveles,
      procedimientos: vm.procedimientos,
      estados: ESTADOS,
      puedeRegistrar: chrome.staff?.role === 'subdireccion',
      total: vm.total,
      items: vm.items.map((o) => ({
        tramite: o.tramite,
        folio: o.folio,
        recibido: fechaHora(o.recibido.en),
        numeroOficio: o.numeroOficio,
        fechaOficio: fechaIso(o.fechaOficio),
        remitente: o.remitente.nombre,
        area: o.area ?? o.remitente.cargo,
        asunto: o.asunto,
        cancelado: o.estado === 'cancelado',
      })),
      paginas: pagerOf('/oficios', f, vm.pagina, vm.paginas),
    },
    { error: vm.error },
  );
}
