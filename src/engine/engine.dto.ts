import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { TASK_ROLES, type TaskRole } from '../../machines/types';

export class StartCaseDto {
  @ApiProperty({ example: 'cuenta-bloquear' })
  @IsString({ message: 'Indique el procedimiento.' })
  @Matches(/^[a-z-]{3,40}$/, { message: 'El procedimiento no es válido.' })
  procedimiento!: string;

  @ApiPropertyOptional({ description: 'Datos iniciales del trámite' })
  @IsOptional()
  @IsObject({ message: 'Los datos deben ser un objeto.' })
  datos?: Record<string, unknown>;
}

export class SendEventDto {
  @ApiProperty({ example: 'TURNAR' })
  @IsString({ message: 'Indique la acción.' })
  @Matches(/^[A-Z][A-Z0-9_]{1,59}$/, { message: 'La acción no es válida.' })
  tipo!: string;

  @ApiProperty({ description: 'Versión del trámite que usted consultó (evita sobrescribir cambios de otros)' })
  @IsInt({ message: 'Indique la versión del trámite que consultó.' })
  @Min(1)
  version!: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsObject({ message: 'Los datos deben ser un objeto.' })
  datos?: Record<string, unknown>;
}

/** One case of a bulk act: its id, the version read and, when the act needs it, this case's own data. */
export class BulkCaseDto {
  @ApiProperty()
  @IsString({ message: 'Indique el trámite.' })
  @MaxLength(36, { message: 'El trámite no es válido.' })
  id!: string;

  @ApiProperty({ description: 'Versión del trámite que usted consultó' })
  @IsInt({ message: 'Indique la versión de cada trámite que consultó.' })
  @Min(1)
  version!: number;

  @ApiPropertyOptional({ description: 'Datos de este trámite (ganan sobre los datos comunes)' })
  @IsOptional()
  @IsObject({ message: 'Los datos deben ser un objeto.' })
  datos?: Record<string, unknown>;
}

export class SendBulkEventDto {
  @ApiProperty({ example: 'TURNAR' })
  @IsString({ message: 'Indique la acción.' })
  @Matches(/^[A-Z][A-Z0-9_]{1,59}$/, { message: 'La acción no es válida.' })
  tipo!: string;

  @ApiProperty({ type: [BulkCaseDto] })
  @IsArray({ message: 'Indique los trámites como una lista.' })
  @ArrayMinSize(1, { message: 'Indique al menos un trámite.' })
  @ArrayMaxSize(500, { message: 'Se aplican hasta 500 trámites a la vez.' })
  @ValidateNested({ each: true })
  @Type(() => BulkCaseDto)
  tramites!: BulkCaseDto[];

  @ApiPropertyOptional({ description: 'Datos comunes a todos los trámites' })
  @IsOptional()
  @IsObject({ message: 'Los datos deben ser un objeto.' })
  datos?: Record<string, unknown>;
}

export class InboxQueryDto {
  @IsOptional()
  @IsIn(TASK_ROLES, { message: 'El rol no es válido.' })
  rol?: TaskRole;
  @IsOptional() @IsIn(['abierta', 'cerrada'], { message: 'El estado debe ser abierta o cerrada.' }) estado?:
    'abierta' | 'cerrada';
  @IsOptional() @IsString() @MaxLength(40) procedimiento?: string;
  @IsOptional() @IsString() @MaxLength(200) paso?: string;
  @IsOptional() @IsString() @MaxLength(40) folio?: string;
  @IsOptional() @IsString() @MaxLength(18) curp?: string;
  @IsOptional() @IsString() @MaxLength(10) cct?: string;
  @IsOptional()
  @Type(() => String)
  @IsIn(['true', 'false'], { message: 'vencidas debe ser true o false.' })
  vencidas?: string;
  @IsOptional() @IsIn(['mias', 'libres'], { message: 'asignacion debe ser mias o libres.' }) asignacion?:
    'mias' | 'libres';
  @ApiPropertyOptional({
    description:
      'Cursor opaco: la página que sigue a la respuesta anterior (su campo «siguiente»). La bandeja no usa número de página.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, {
    message: 'El parámetro «despues» no es válido: use el valor «siguiente» que devolvió la bandeja, sin modificarlo.',
  })
  despues?: string;
  @ApiPropertyOptional({ description: 'Cursor opaco: la página anterior (el campo «anterior» de la respuesta).' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, {
    message: 'El parámetro «antes» no es válido: use el valor «anterior» que devolvió la bandeja, sin modificarlo.',
  })
  antes?: string;
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'porPagina debe ser un número.' })
  @Min(1)
  @Max(100, { message: 'porPagina admite hasta 100.' })
  porPagina?: number;
}
