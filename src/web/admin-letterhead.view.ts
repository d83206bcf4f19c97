import type { LetterheadVm } from './admin-letterhead.page';
import { fechaHora } from './format';
import { type Chrome, staffPage } from './layout';

/** The membrete form (templates/pages/admin-membrete.hbs): each field with its error, if any, as its hint. */
export function renderLetterhead(chrome: Chrome, vm: LetterheadVm): string {
  const f = (name: string, hint = '') => ({
    value: vm.values[name] ?? '',
    hint: vm.errors[name] ? `Error: ${vm.errors[name]}` : hint,
    invalid: vm.errors[name] ? 'true' : false,
  });
  return staffPage(
    chrome,
    'admin-membrete',
    'Membrete de los oficios',
    {
      direccion1: f('direccion1', 'Por ejemplo: Calle y número, colonia, C.P., ciudad.'),
      direccion2: f('direccion2', 'Por ejemplo: teléfono y sitio web.'),
      leyenda: f('leyenda', 'Por ejemplo: «2026, Año de …». Se imprime arriba del encabezado.'),
      titulo: f('firmante_titulo', 'Por ejemplo: Mtro., Ing., Lic.'),
      nombre: f('firmante_nombre'),
      cargo: f('firmante_cargo'),
      logo: f('logo', 'Imagen PNG o JPEG de hasta 512 KB. Si no elige una, se conserva la actual.'),
      tieneLogo: vm.tieneLogo,
      actualizado: vm.actualizado ? { por: vm.actualizado.por, en: fechaHora(vm.actualizado.en) } : null,
    },
    { aviso: vm.aviso, error: vm.error },
  );
}
