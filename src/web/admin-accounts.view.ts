import { TIPO_CUENTA_LABEL, type TipoCuenta } from '../catalog/cuenta-tipos';
import type { AccountsVm, AccountVm } from './admin-accounts.page';
import { fechaHora, RESULTADO_LABEL, SITUACION_LABEL } from './format';
import { type Chrome, staffPage } from './layout';

const tipo = (t: string): string => TIPO_CUENTA_LABEL[t as TipoCuenta] ?? t;
const ESTADO: Record<string, string> = { activa: 'Activa', bloqueada: 'Bloqueada' };
const DOCUMENTO: Record<string, string> = { acuse: 'Acuse de recibo', respuesta: 'Oficio de respuesta' };

/** The account search (templates/pages/admin-cuentas.hbs). */
export function renderAccounts(chrome: Chrome, vm: AccountsVm): string {
  return staffPage(
    chrome,
    'admin-cuentas',
    'Cuentas de correo',
    {
      q: vm.q,
      buscado: vm.cuentas !== null,
      cuentas: (vm.cuentas ?? []).map((c) => ({
        ...c,
        tipo: tipo(c.tipo),
        estado: ESTADO[c.estado] ?? c.estado,
        bloqueada: c.estado === 'bloqueada',
      })),
    },
    { error: vm.error },
  );
}

/** One account: holder, state, history, cases, letters, and the oficios that start a change (admin-cuenta.hbs). */
export function renderAccount(chrome: Chrome, vm: AccountVm): string {
  const c = vm.cuenta;
  return staffPage(chrome, 'admin-cuenta', c.direccion, {
    cuenta: {
      id: c.id,
      direccion: c.direccion,
      tipo: tipo(c.tipo),
      estado: ESTADO[c.estado] ?? c.estado,
      bloqueada: c.estado === 'bloqueada',
      proveedor: c.proveedor,
      creada: fechaHora(c.createdAt),
      actualizada: fechaHora(c.updatedAt),
    },
    titular: vm.titular,
    historial: vm.historial.map((h) => ({
      fecha: fechaHora(h.at),
      evento: RESULTADO_LABEL[h.evento] ?? h.evento,
      detalle: h.detalle,
      caseId: h.caseId,
    })),
    tramites: vm.tramites.map((t) => ({
      id: t.id,
      folio: t.folio,
      titulo: t.titulo,
      situacion:
        t.status === 'concluido'
          ? (RESULTADO_LABEL[t.outcome ?? ''] ?? SITUACION_LABEL.concluido)
          : (SITUACION_LABEL[t.status] ?? t.status),
      movimientos: t.movementCount,
      iniciado: fechaHora(t.createdAt),
    })),
    documentos: vm.documentos.map((d) => ({
      id: d.id,
      tipo: DOCUMENTO[d.kind] ?? d.kind,
      folio: d.folio,
      numeroOficio: d.numeroOficio,
      emitido: fechaHora(d.signedAt),
      caseId: d.caseId,
    })),
    iniciar: vm.iniciar.map((o) => ({
      ...o,
      prefijo: `i-${o.procedimiento}`,
      asunto: `${o.accion} ${c.direccion}`,
    })),
    autoservicio: vm.autoservicio,
    puedeRegistrar: vm.puedeRegistrar,
    hoy: vm.hoy,
  });
}
