import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export class CatalogSearchDto {
  @IsString({ message: 'Escriba qué busca.' })
  @MinLength(2, { message: 'Escriba al menos 2 caracteres.' })
  @MaxLength(120)
  q!: string;

  @IsOptional()
  @IsIn(['personal', 'centro_trabajo', 'servicio', 'funcion'], { message: 'El tipo de cuenta no es válido.' })
  tipo?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50, { message: 'Se muestran hasta 50 resultados.' })
  limite?: number;
}
