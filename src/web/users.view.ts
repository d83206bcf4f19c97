import { STAFF_ROLE_LABEL, STAFF_ROLES } from '../auth/staff-roles';
import { nivelNombre } from './format';
import { type Chrome, staffPage } from './layout';
import type { UsersVm } from './users.page';

const ROLES = STAFF_ROLES.map((r) => ({ value: r, label: STAFF_ROLE_LABEL[r] }));

/** The staff users and the form to create one (templates/pages/usuarios.hbs). */
export function renderUsers(chrome: Chrome, vm: UsersVm): string {
  return staffPage(
    chrome,
    'usuarios',
    'Usuarios del personal',
    {
      contrasena: vm.contrasena,
      usuarios: vm.usuarios.map((u) => ({
        ...u,
        correo: u.correo ?? null,
        nivel: u.nivel ? nivelNombre(u.nivel) : null,
      })),
      values: vm.values,
      roles: ROLES,
      niveles: vm.niveles,
    },
    { aviso: vm.aviso, error: vm.error, campos: vm.campos },
  );
}
