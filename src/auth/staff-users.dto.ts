import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsEmailAddress } from '../validation/decorators';
import { STAFF_ROLES, type StaffRole } from './staff-roles';

export class CreateUserDto {
  @ApiProperty({ example: 'primaria' })
  @IsString()
  @Matches(/^[a-z0-9._-]{3,60}$/, {
    message: 'El usuario lleva de 3 a 60 minúsculas, números, punto, guion o guion bajo.',
  })
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
