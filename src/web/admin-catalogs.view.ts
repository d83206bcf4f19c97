import { TIPO_CUENTA_LABEL } from '../catalog/cuenta-tipos';
import type { CuentaRecord } from '../catalog/catalog-records';
import type { SchoolHit, SchoolVm, SearchVm, WorkerHit, WorkerVm } from './admin-catalogs.page';
import { fechaHora } from './format';
import { type Chrome, staffPage } from './layout';

const accounts = (cs: CuentaRecord[]) =>
  cs.map((c) => ({
    id: c.id,
    direccion: c.direccion,
    tipo: TIPO_CUENTA_LABEL[c.tipo] ?? c.tipo,
    bloqueada: c.estado === 'bloqueada',
  }));

/** Workers of Capital Humano's catalog: search (templates/pages/admin-trabajadores.hbs). */
export function renderWorkers(chrome: Chrome, vm: SearchVm<WorkerHit>): string {
  return staffPage(
    chrome,
    'admin-trabajadores',
    'Trabajadores (Capital Humano)',
    {
      q: vm.q,
      buscado: vm.hits !== null,
      trabajadores: vm.hits ?? [],
      ultimaImportacion: vm.ultimaImportacion ? fechaHora(vm.ultimaImportacion) : null,
    },
    { error: vm.error },
  );
}

/** Schools of the Catálogo de Centros de Trabajo: search (templates/pages/admin-escuelas.hbs). */
export function renderSchools(chrome: Chrome, vm: SearchVm<SchoolHit>): string {
  return staffPage(
    chrome,
    'admin-escuelas',
    'Centros de trabajo',
    {
      q: vm.q,
      buscado: vm.hits !== null,
      escuelas: (vm.hits ?? []).map((s) => ({ ...s, activa: s.estatus === 'activo' })),
    },
    { error: vm.error },
  );
}

/** One worker: data, status in the catalog, last import, school, accounts (admin-trabajador.hbs). */
export function renderWorker(chrome: Chrome, vm: WorkerVm): string {
  const t = vm.trabajador;
  const nombre = [t.nombre, t.primerApellido, t.segundoApellido].filter(Boolean).join(' ');
  return staffPage(chrome, 'admin-trabajador', nombre, {
    t: {
      curp: t.curp,
      curt: t.curt,
      nombre,
      correoAlterno: t.correoAlterno,
      cct: t.cct,
      nivel: t.nivelClave,
      activo: t.activo,
      ultimaImportacion: t.ultimaImportacion ? fechaHora(t.ultimaImportacion) : null,
      alta: fechaHora(t.createdAt),
      cambio: fechaHora(t.updatedAt),
    },
    escuela: vm.escuela ? { cct: vm.escuela.cct, nombre: vm.escuela.nombre } : null,
    cuentas: accounts(vm.cuentas),
  });
}

/** One school: data, status, director, active workers, its account (admin-escuela.hbs). */
export function renderSchool(chrome: Chrome, vm: SchoolVm): string {
  const s = vm.escuela;
  const d = vm.director;
  return staffPage(chrome, 'admin-escuela', s.nombre, {
    s: {
      cct: s.cct,
      nombre: s.nombre,
      nivel: s.nivelClave,
      correo: s.correo,
      activa: s.estatus === 'activo',
      alta: fechaHora(s.createdAt),
      cambio: fechaHora(s.updatedAt),
    },
    directorCurp: s.directorCurp,
    director: d
      ? { curp: d.curp, nombre: [d.nombre, d.primerApellido, d.segundoApellido].filter(Boolean).join(' ') }
      : null,
    trabajadoresActivos: vm.trabajadoresActivos,
    cuentas: accounts(vm.cuentas),
  });
}
