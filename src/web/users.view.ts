import { STAFF_ROLE_LABEL, STAFF_ROLES } from '../auth/staff-user.entity';
import { esc } from '../common/html';
import { input, select } from './forms';
import { type Chrome, csrfField, staffPage } from './layout';
import type { StaffUserView, UsersVm } from './users.page';

function passwordBox(vm: UsersVm): string {
  const c = vm.contrasena;
  if (!c) return '';
  return `<section class="alerta contrasena" role="status"><h2>${c.nueva ? 'Usuario creado' : 'Contraseña restablecida'}: ${esc(c.nombre)} (${esc(c.usuario)})</h2>
<p>Contraseña de primer ingreso:</p><p><code class="secreto" id="contrasena-inicial">${esc(c.valor)}</code></p>
<p><strong>Cópiela ahora: no se volverá a mostrar.</strong> Entréguela a la persona por un medio seguro; al entrar, el sistema le pedirá elegir la suya.${c.nueva ? '' : ' Sus sesiones abiertas se cerraron.'}</p></section>`;
}

function userRow(chrome: Chrome, u: StaffUserView): string {
  const estado = u.activo
    ? `<span class="insignia activa">Activo</span>${u.debeCambiarContrasena ? ' <span class="insignia pronto">Primer ingreso pendiente</span>' : ''}`
    : '<span class="insignia vencido">Inactivo</span>';
  const actions = u.activo
    ? `<form method="post" action="/admin/usuarios/${esc(u.id)}/restablecer" class="en-linea" data-confirmar="¿Generar una nueva contraseña de primer ingreso para ${esc(u.usuario)}? Sus sesiones se cerrarán.">${csrfField(chrome)}<button type="submit" class="chico secundario">Restablecer contraseña</button></form>
<form method="post" action="/admin/usuarios/${esc(u.id)}/desactivar" class="en-linea" data-confirmar="¿Desactivar a ${esc(u.usuario)}? No podrá volver a entrar.">${csrfField(chrome)}<button type="submit" class="chico peligro">Desactivar</button></form>`
    : '';
  return `<tr${u.activo ? '' : ' class="fila-cancelada"'}><td data-etiqueta="Usuario"><strong>${esc(u.usuario)}</strong></td><td data-etiqueta="Nombre">${esc(u.nombre)}${u.correo ? `<small>${esc(u.correo)}</small>` : ''}</td>
<td data-etiqueta="Rol">${esc(u.rolNombre)}${u.nivel ? `<small>${esc(u.nivel)}</small>` : ''}</td><td data-etiqueta="Estado">${estado}</td><td data-etiqueta="Acciones">${actions}</td></tr>`;
}

export function renderUsers(chrome: Chrome, vm: UsersVm): string {
  const v = vm.values;
  const form = `<section class="tarjeta"><h2>Nuevo usuario</h2><form method="post" action="/admin/usuarios" class="formulario">${csrfField(chrome)}<div class="rejilla">
${input({ label: 'Usuario', name: 'usuario', value: v.usuario, required: true, hint: 'De 3 a 60 minúsculas, números, punto o guion.', attrs: 'autocapitalize="none" spellcheck="false" pattern="[a-z0-9._-]{3,60}"' })}
${input({ label: 'Nombre completo', name: 'nombre', value: v.nombre, required: true, attrs: 'maxlength="160"' })}
${select({ label: 'Rol', name: 'rol', value: v.rol, required: true, empty: 'Elija…', options: STAFF_ROLES.map((r) => ({ value: r, label: STAFF_ROLE_LABEL[r] })) })}
${select({ label: 'Nivel (solo para el rol Nivel)', name: 'nivel', value: v.nivel, empty: '—', options: vm.niveles })}
${input({ label: 'Correo para avisos', name: 'correo', value: v.correo, type: 'email', hint: 'Recibe recordatorios y escalamientos de tareas.' })}
</div><div class="acciones-form"><button type="submit">Crear usuario</button></div></form></section>`;
  const table = `<table class="tabla tarjetas"><thead><tr><th>Usuario</th><th>Nombre</th><th>Rol</th><th>Estado</th><th>Acciones</th></tr></thead><tbody>${vm.usuarios.map((u) => userRow(chrome, u)).join('')}</tbody></table>`;
  return staffPage(chrome, 'Usuarios del personal', `${passwordBox(vm)}${table}${form}`, { aviso: vm.aviso, error: vm.error });
}
