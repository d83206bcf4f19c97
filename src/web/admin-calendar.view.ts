import type { CalendarVm } from './admin-calendar.page';
import { fechaIso as dmy } from './format';
import { type Chrome, staffPage } from './layout';

const WEEKDAYS = ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado'];

const weekday = (ymd: string): string => WEEKDAYS[new Date(`${ymd}T12:00:00Z`).getUTCDay()];

/** The días inhábiles of a year and the form to add one or a period (templates/pages/admin-calendario.hbs). */
export function renderCalendar(chrome: Chrome, vm: CalendarVm): string {
  return staffPage(
    chrome,
    'admin-calendario',
    `Días inhábiles ${vm.anio}`,
    {
      anio: vm.anio,
      anterior: vm.anio - 1,
      siguiente: vm.anio + 1,
      dias: vm.dias.map((d) => ({ ...d, dmy: dmy(d.fecha), dia: weekday(d.fecha) })),
      registrados: vm.dias.filter((d) => d.registrado).length,
      sugerencias: vm.sugerencias.map((s) => ({
        ...s,
        texto: s.desde === s.hasta ? dmy(s.desde) : `${dmy(s.desde)} al ${dmy(s.hasta)}`,
      })),
      values: vm.values,
    },
    { aviso: vm.aviso, error: vm.error, campos: vm.campos },
  );
}
