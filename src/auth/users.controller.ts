import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { Nivel } from '../catalog/entities/nivel.entity';
import { IsEmailAddress } from '../catalog/validation/decorators';
import { DomainError, notFound } from '../common/domain-error';
import { generateTemporaryPassword } from '../security/password-policy';
import { Roles, StaffAuthGuard } from './auth.guard';
import { StaffSession } from './staff-session.entity';
import { STAFF_ROLE_LABEL, STAFF_ROLES, type StaffRole, StaffUser } from './staff-user.entity';

class CreateUserDto {
  @ApiProperty({ example: 'primaria' })
  @IsString()
  @Matches(/^[a-z0-9._-]{3,60}$/, { message: 'El usuario lleva de 3 a 60 minúsculas, números, punto, guion o guion bajo.' })
  usuario!: string;

  @ApiProperty()
  @IsString({ message: 'Escriba el nombre.' })
  @MinLength(3, { message: 'Escriba el nombre completo.' })
  @MaxLength(160)
  nombre!: string;

  @ApiProperty({ enum: STAFF_ROLES })
  @IsIn(STAFF_ROLES, { message: `El rol debe ser uno de: ${STAFF_ROLES.join(', ')}.` })
  rol!: StaffRole;

  @ApiPropertyOptional({ description: 'Obligatorio para el rol nivel: la clave del nivel (PRIMARIA, SECUNDARIA…)' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  nivel?: string;

  @ApiPropertyOptional({ description: 'Correo para recordatorios y escalamientos' })
  @IsOptional()
  @IsEmailAddress()
  correo?: string;
}

const view = (u: StaffUser) => ({
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

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

/** Administrators manage the staff accounts: a first-login password is shown once, never stored in clear. */
@ApiTags('administración')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Roles('administrador')
@Controller('api/admin/usuarios')
export class UsersController {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  @Get()
  async list() {
    return (await this.ds.getRepository(StaffUser).find({ order: { rol: 'ASC', usuario: 'ASC' } })).map(view);
  }

  @Post()
  @ApiOperation({ summary: 'Crea un usuario del personal; devuelve su contraseña de primer ingreso una sola vez' })
  async create(@Body() dto: CreateUserDto) {
    if (dto.rol === 'nivel') {
      if (!dto.nivel || !(await this.ds.getRepository(Nivel).exists({ where: { clave: dto.nivel.toUpperCase() } }))) {
        throw new DomainError('NIVEL_DESCONOCIDO', 'Un usuario de Nivel necesita la clave de un nivel del catálogo (p. ej. PRIMARIA).', 400);
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
    const shown = view(user); // before insert: TypeORM writes the driver's raw defaults back into the object
    await this.ds.getRepository(StaffUser).insert(user);
    return { ...shown, contrasenaInicial: password };
  }

  @Post(':id/restablecer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Nueva contraseña de primer ingreso (se muestra una vez); cierra sus sesiones' })
  async reset(@Param('id', uuid) id: string) {
    const user = await this.ds.getRepository(StaffUser).findOne({ where: { id } });
    if (!user) throw notFound('El usuario');
    const password = generateTemporaryPassword({ localPart: user.usuario, names: [user.nombre] });
    await this.ds.getRepository(StaffUser).update({ id }, { passwordHash: await argon2.hash(password, { type: argon2.argon2id }), mustChangePassword: true });
    await this.ds.getRepository(StaffSession).delete({ userId: id });
    return { ...view({ ...user, mustChangePassword: true }), contrasenaInicial: password };
  }

  @Post(':id/desactivar')
  @HttpCode(200)
  async deactivate(@Param('id', uuid) id: string) {
    const user = await this.ds.getRepository(StaffUser).findOne({ where: { id } });
    if (!user) throw notFound('El usuario');
    await this.ds.getRepository(StaffUser).update({ id }, { activo: false });
    await this.ds.getRepository(StaffSession).delete({ userId: id });
    return view({ ...user, activo: false });
  }
}
