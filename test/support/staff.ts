import { randomUUID } from 'node:crypto';
import * as argon2 from 'argon2';
import type { DataSource } from 'typeorm';
import { StaffUser } from '../../src/auth/staff-user.entity';
import { type StaffRole } from '../../src/auth/staff-roles';
import { type HttpTarget, httpOf } from './app-flows';

export const STAFF_PASSWORD = 'caballo-bateria-grapa-correcta';

/** Inserts a staff user who may sign in right away (first-login change already done unless asked). */
export async function createStaff(
  ds: DataSource,
  usuario: string,
  rol: StaffRole,
  extra: Partial<StaffUser> = {},
): Promise<StaffUser> {
  const user: StaffUser = {
    id: randomUUID(),
    usuario,
    nombre: `Usuario ${usuario}`,
    rol,
    nivelClave: null,
    correo: `${usuario}@example.test`,
    passwordHash: await argon2.hash(STAFF_PASSWORD, { type: argon2.argon2id, timeCost: 2, memoryCost: 8192 }),
    mustChangePassword: false,
    activo: true,
    createdAt: new Date(),
    updatedAt: new Date(),
    ...extra,
  };
  await ds.getRepository(StaffUser).insert(user);
  return user;
}

export async function login(app: HttpTarget, usuario: string, password = STAFF_PASSWORD): Promise<string> {
  const res = await httpOf(app).post('/api/auth/login').send({ usuario, contrasena: password }).expect(200);
  return (res.body as { token: string }).token;
}

/**
 * The people of the page walks, with their names: an administrator, the Subdirección's clerk («oficialia»), the
 * Subjefatura («sistemas») and Primaria's Nivel («primaria»).
 */
export async function createStaffCast(ds: DataSource): Promise<void> {
  await createStaff(ds, 'admin', 'administrador', { nombre: 'Adriana Torres Vizcaíno' });
  await createStaff(ds, 'oficialia', 'subdireccion', { nombre: 'María Fernanda Ochoa Larios' });
  await createStaff(ds, 'sistemas', 'subjefatura', { nombre: 'Jorge Alberto Mendoza Cruz' });
  await createStaff(ds, 'primaria', 'nivel', { nombre: 'Enlace de Primaria', nivelClave: 'PRIMARIA' });
}
