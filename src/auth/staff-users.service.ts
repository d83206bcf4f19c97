import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { DataSource, In } from 'typeorm';
import { DomainError, notFound } from '../common/domain-error';
import { generateTemporaryPassword } from '../security/password-policy';
import { NIVEL_CATALOG, type NivelCatalog } from './nivel-catalog';
import { SignInLimits } from './sign-in-limits';
import { StaffSession } from './staff-session.entity';
import { StaffUser } from './staff-user.entity';
import { STAFF_ROLE_LABEL, STAFF_ROLES, type StaffRole } from './staff-roles';
import type { CreateUserDto } from './staff-users.dto';

export const staffUserView = (u: StaffUser) => ({
  id: u.id,
  usuario: u.usuario,
  nombre: u.nombre,
  rol: u.rol,
  rolNombre: STAFF_ROLE_LABEL[u.rol],
  nivel: u.nivelClave,
  correo: u.correo,
  activo: u.activo,
  debeCambiarContrasena: u.mustChangePassword,
});

export type StaffUserView = ReturnType<typeof staffUserView>;

/** Administrators manage the staff accounts: a first-login password is shown once, never stored in clear. */
@Injectable()
export class StaffUsersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly limits: SignInLimits,
    @Inject(NIVEL_CATALOG) private readonly niveles: NivelCatalog,
  ) {}

  /**
   * Names of staff users by id (for messages and views that show who did or holds something). Ids that are not a
   * staff user's (the system, "curp:…", "cct:…") are skipped.
   */
  async namesOf(ids: readonly (string | null | undefined)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((i): i is string => !!i && /^[0-9a-f-]{36}$/i.test(i)))];
    if (wanted.length === 0) return new Map();
    const rows = await this.ds
      .getRepository(StaffUser)
      .find({ select: { id: true, nombre: true }, where: { id: In(wanted) } });
    return new Map(rows.map((u) => [u.id, u.nombre]));
  }

  async hasRole(id: string, rol: StaffUser['rol']): Promise<boolean> {
    return this.ds.getRepository(StaffUser).exists({ where: { id, rol } });
  }

  /**
   * The active users of some roles, with what a reminder needs (their mail, their level). Roles that are not staff
   * (a worker, a school, the system) have nobody here.
   */
  async activeOfRoles(
    roles: readonly string[],
  ): Promise<Array<Pick<StaffUser, 'id' | 'nombre' | 'rol' | 'correo' | 'nivelClave'>>> {
    const staffRoles = roles.filter((r): r is StaffRole => (STAFF_ROLES as readonly string[]).includes(r));
    if (staffRoles.length === 0) return [];
    return this.ds.getRepository(StaffUser).find({
      select: { id: true, nombre: true, rol: true, correo: true, nivelClave: true },
      where: { rol: In(staffRoles), activo: true },
    });
  }

  /** The active users of a role, by name (e.g. the responsables an oficio may be turned to). */
  async activeOfRole(rol: StaffUser['rol']): Promise<Array<Pick<StaffUser, 'id' | 'nombre' | 'usuario'>>> {
    return this.ds.getRepository(StaffUser).find({
      select: { id: true, nombre: true, usuario: true },
      where: { rol, activo: true },
      order: { nombre: 'ASC' },
    });
  }

  async list(): Promise<StaffUserView[]> {
    return (await this.ds.getRepository(StaffUser).find({ order: { rol: 'ASC', usuario: 'ASC' } })).map(staffUserView);
  }

  async create(dto: CreateUserDto): Promise<StaffUserView & { contrasenaInicial: string }> {
    if (dto.rol === 'nivel') {
      if (!dto.nivel || !(await this.niveles.exists(dto.nivel.toUpperCase()))) {
        throw new DomainError(
          'NIVEL_DESCONOCIDO',
          'Un usuario de Nivel necesita la clave de un nivel del catálogo (p. ej. PRIMARIA).',
          400,
        );
      }
    }
    if (await this.ds.getRepository(StaffUser).exists({ where: { usuario: dto.usuario } })) {
      throw new DomainError('USUARIO_EXISTENTE', `Ya existe el usuario «${dto.usuario}».`, 409);
    }
    const password = generateTemporaryPassword({ localPart: dto.usuario, names: [dto.nombre] });
    const user: StaffUser = {
      id: randomUUID(),
      usuario: dto.usuario,
      nombre: dto.nombre,
      rol: dto.rol,
      nivelClave: dto.rol === 'nivel' ? dto.nivel!.toUpperCase() : null,
      correo: dto.correo ?? null,
      passwordHash: await argon2.hash(password, { type: argon2.argon2id }),
      mustChangePassword: true,
      activo: true,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    const shown = staffUserView(user); // before insert: TypeORM writes the driver's raw defaults back into the object
    await this.ds.getRepository(StaffUser).insert(user);
    return { ...shown, contrasenaInicial: password };
  }

  /** A new first-login password (shown once); ends the user's sessions and lifts their sign-in lockout. */
  async reset(id: string): Promise<StaffUserView & { contrasenaInicial: string }> {
    const user = await this.ds.getRepository(StaffUser).findOne({ where: { id } });
    if (!user) throw notFound('El usuario');
    const password = generateTemporaryPassword({ localPart: user.usuario, names: [user.nombre] });
    await this.ds
      .getRepository(StaffUser)
      .update(
        { id },
        { passwordHash: await argon2.hash(password, { type: argon2.argon2id }), mustChangePassword: true },
      );
    await this.ds.getRepository(StaffSession).delete({ userId: id });
    await this.limits.clearUser(user.usuario);
    return { ...staffUserView({ ...user, mustChangePassword: true }), contrasenaInicial: password };
  }

  /** Deactivates a user and ends their sessions; an administrator cannot lock themselves out. */
  async deactivate(id: string, actorId: string): Promise<StaffUserView> {
    if (id === actorId)
      throw new DomainError(
        'AUTODESACTIVACION',
        'No puede desactivar su propia cuenta; pida a otro administrador que lo haga.',
        409,
      );
    const user = await this.ds.getRepository(StaffUser).findOne({ where: { id } });
    if (!user) throw notFound('El usuario');
    await this.ds.getRepository(StaffUser).update({ id }, { activo: false });
    await this.ds.getRepository(StaffSession).delete({ userId: id });
    return staffUserView({ ...user, activo: false });
  }
}
