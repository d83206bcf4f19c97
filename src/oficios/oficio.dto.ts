import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsCct, IsCurp, IsEmailAddress } from '../validation';
import { LETTER_PROCEDURES, type LetterProcedure } from '../letters/templates';

/** Form fields arrive as text: blank means absent. */
const blankToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value;
const upper = ({ value }: { value: unknown }): unknown => {
  const v = blankToUndefined({ value });
  return typeof v === 'string' ? v.toUpperCase() : v;
};
/** A list typed as "a, b c" or sent as repeated fields. */
const list =
  (transform: (s: string) => string) =>
  ({ value }: { value: unknown }): unknown => {
    if (value === undefined || value === null) return undefined;
    const items: unknown[] = Array.isArray(value) ? (value as unknown[]) : [value];
    const parts = items.flatMap((v): unknown[] => (typeof v === 'string' ? v.split(/[\s,;]+/) : [v]));
    return parts.filter((p) => p !== '').map((p) => (typeof p === 'string' ? transform(p) : p));
  };
/** "2" → 2; anything else stays as it came, for IsInt to reject with its message. */
const int = ({ value }: { value: unknown }): unknown => {
  const v = blankToUndefined({ value });
  return typeof v === 'string' && /^-?\d{1,9}$/.test(v) ? Number(v) : v;
};
/** A month as a `<input type="month">` sends it (2026-11) or as people write it (11/2026, 11-2026) → "2026-11". */
const month = ({ value }: { value: unknown }): unknown => {
  const v = blankToUndefined({ value });
  const m = typeof v === 'string' ? /^(\d{1,2})[/-](\d{4})$/.exec(v) : null;
  return m ? `${m[2]}-${m[1].padStart(2, '0')}` : v;
};
/**
 * The lines of an oficio for many accounts: a JSON array as the form's table sends it in a multipart field
 * ('[{"cct":"06DPR0012X","nombre":"..."}]', '[{"curp":"…","cuenta":"becas.colima"}]'), or the array itself. Text
 * that is not JSON stays text for IsArray to refuse.
 */
const jsonArray = ({ value }: { value: unknown }): unknown => {
  const v = blankToUndefined({ value });
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};
/** Most lines one oficio registers (one transaction). */
export const MAX_OFICIO_LINEAS = 500;

/**
 * One line of the annex as it arrives: a school (5.2.1: cct, nombre) or a Servicio account (5.3.1: curp, cuenta, tipo);
 * each line is checked against the catalog by checkOficioLines / checkServicioLines (422).
 */
export interface OficioLineaDto {
  cct?: unknown;
  nombre?: unknown;
  curp?: unknown;
  cuenta?: unknown;
  tipo?: unknown;
}

const bool = ({ value }: { value: unknown }): unknown =>
  value === 'true' || value === true ? true : value === 'false' || value === false || value === '' ? false : value;

/** Registration of an incoming oficio (multipart form with the scan in «archivo»). */
export class RegisterOficioDto {
  @ApiProperty({ enum: LETTER_PROCEDURES, description: 'Procedimiento que solicita el oficio' })
  @IsIn(LETTER_PROCEDURES, { message: `El procedimiento debe ser uno de: ${LETTER_PROCEDURES.join(', ')}.` })
  procedimiento!: LetterProcedure;

  @ApiProperty({ example: 'DEP/0457/2026', description: 'Número del oficio que asignó el remitente' })
  @Transform(blankToUndefined)
  @IsString({ message: 'Indique el número del oficio recibido.' })
  @IsNotEmpty({ message: 'Indique el número del oficio recibido.' })
  @MaxLength(80, { message: 'El número del oficio admite hasta 80 caracteres.' })
  numeroOficio!: string;

  @ApiProperty({ example: '2026-11-25', description: 'Fecha escrita en el oficio' })
  @Transform(blankToUndefined)
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'La fecha del oficio debe tener la forma AAAA-MM-DD.' })
  @IsISO8601({ strict: true }, { message: 'La fecha del oficio no es una fecha válida (AAAA-MM-DD).' })
  fechaOficio!: string;

  @ApiProperty({ example: 'Profr. José Ángel Núñez Ceballos' })
  @Transform(blankToUndefined)
  @IsString({ message: 'Indique el nombre de quien firma el oficio.' })
  @IsNotEmpty({ message: 'Indique el nombre de quien firma el oficio.' })
  @MaxLength(160, { message: 'El nombre del remitente admite hasta 160 caracteres.' })
  remitenteNombre!: string;

  @ApiProperty({ example: 'Director de Educación Primaria' })
  @Transform(blankToUndefined)
  @IsString({ message: 'Indique el cargo de quien firma el oficio.' })
  @IsNotEmpty({ message: 'Indique el cargo de quien firma el oficio.' })
  @MaxLength(160, { message: 'El cargo del remitente admite hasta 160 caracteres.' })
  remitenteCargo!: string;

  @ApiPropertyOptional({ example: 'PRIMARIA', description: 'Clave del nivel que solicita (5.2.1)' })
  @Transform(upper)
  @IsOptional()
  @Matches(/^[A-Z][A-Z0-9_]{1,39}$/, { message: 'La clave del nivel no es válida (p. ej. PRIMARIA).' })
  nivel?: string;

  @ApiPropertyOptional({ example: 'Dirección de Becas', description: 'Área solicitante cuando no es un nivel' })
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: 'El área solicitante admite hasta 200 caracteres.' })
  area?: string;

  @ApiPropertyOptional({ description: 'Usuario (rol responsable) a quien se dirige la respuesta, si tiene cuenta' })
  @Transform(blankToUndefined)
  @IsOptional()
  @IsUUID('all', { message: 'El responsable debe ser el identificador de un usuario.' })
  responsableId?: string;

  @ApiProperty({ example: 'Solicitud de cuenta de correo institucional para la escuela primaria "Benito Juárez"' })
  @Transform(blankToUndefined)
  @IsString({ message: 'Indique el asunto del oficio.' })
  @IsNotEmpty({ message: 'Indique el asunto del oficio.' })
  @MaxLength(500, { message: 'El asunto admite hasta 500 caracteres.' })
  asunto!: string;

  @ApiPropertyOptional({ example: '06DPR0012X', description: 'Centro de trabajo del que trata (5.2.1)' })
  @Transform(upper)
  @IsOptional()
  @IsCct()
  cct?: string;

  @ApiPropertyOptional({
    description:
      'Las cuentas que pide el oficio, una por línea del anexo (hasta 500), como arreglo JSON. 5.2.1: las escuelas, ' +
      '[{"cct":"06DPR0012X","nombre":"Nombre de la cuenta"}]. 5.3.1: las cuentas de servicio o función, ' +
      '[{"curp":"…","cuenta":"becas.colima","tipo":"servicio"}] (cuenta sin dominio; tipo servicio por omisión, o ' +
      'funcion). Se abre un trámite por línea; cada línea se revisa contra el catálogo y cualquier error responde 422 ' +
      'con todas las líneas y campos, sin registrar nada.',
  })
  @Transform(jsonArray)
  @IsOptional()
  @IsArray({
    message:
      'Las líneas del oficio deben ser una lista: [{"cct": "…", "nombre": "…"}] de escuelas o [{"curp": "…", "cuenta": "…"}] de cuentas de servicio.',
  })
  @ArrayMinSize(1, { message: 'Indique al menos una línea (escuela o cuenta) o no envíe «lineas».' })
  @ArrayMaxSize(MAX_OFICIO_LINEAS, { message: `Se admiten hasta ${MAX_OFICIO_LINEAS} líneas por oficio.` })
  @IsObject({
    each: true,
    message: 'Cada línea del oficio debe tener «cct» y «nombre» (escuelas) o «curp» y «cuenta» (cuentas de servicio).',
  })
  lineas?: OficioLineaDto[];

  @ApiPropertyOptional({ description: 'CURP de las personas de las que trata, separadas por comas' })
  @Transform(list((s) => s.toUpperCase()))
  @IsOptional()
  @ArrayMaxSize(200, { message: 'Se admiten hasta 200 CURP por oficio.' })
  @IsCurp({ each: true })
  curps?: string[];

  @ApiPropertyOptional({ description: 'CCT de los centros de trabajo de los que trata, separadas por comas' })
  @Transform(list((s) => s.toUpperCase()))
  @IsOptional()
  @ArrayMaxSize(200, { message: 'Se admiten hasta 200 CCT por oficio.' })
  @IsCct({ each: true })
  ccts?: string[];

  @ApiPropertyOptional({ description: 'Cuentas de correo de las que trata, separadas por comas' })
  @Transform(list((s) => s.toLowerCase()))
  @IsOptional()
  @ArrayMaxSize(200, { message: 'Se admiten hasta 200 cuentas por oficio.' })
  @IsEmailAddress({ each: true })
  cuentas?: string[];

  @ApiPropertyOptional({ example: 2, description: 'Fojas del oficio' })
  @Transform(int)
  @IsOptional()
  @IsInt({ message: 'Las fojas deben ser un número entero.' })
  @Min(1, { message: 'El oficio tiene al menos una foja.' })
  @Max(5000, { message: 'Las fojas admiten hasta 5000.' })
  fojas?: number;

  @ApiPropertyOptional({ example: 'Copia del nombramiento del director' })
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(400, { message: 'Los anexos admiten hasta 400 caracteres.' })
  anexos?: string;

  @ApiPropertyOptional({ description: 'Momento en que se recibió (ISO 8601); por omisión, ahora' })
  @Transform(blankToUndefined)
  @IsOptional()
  @IsISO8601(
    { strict: true },
    { message: 'La fecha de recepción no es válida (ISO 8601, p. ej. 2026-11-28T11:05:00-06:00).' },
  )
  recibidoEn?: string;

  @ApiPropertyOptional({ description: 'Registrar aunque ya exista un oficio con el mismo número del mismo remitente' })
  @Transform(bool)
  @IsOptional()
  @IsBoolean({ message: 'confirmarDuplicado debe ser true o false.' })
  confirmarDuplicado?: boolean;
}

/** The search of the oficio register: what GET /api/oficios and the «Oficios» page filter on. */
export class OficioFilters {
  @Transform(blankToUndefined) @IsOptional() @IsString() @MaxLength(40) folio?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() @MaxLength(80) numero?: string;
  /** Words of the sender's name, position or area, in any order, without accents or case. */
  @Transform(blankToUndefined) @IsOptional() @IsString() @MaxLength(160) remitente?: string;
  /** Words of the subject, in any order, without accents or case. */
  @Transform(blankToUndefined) @IsOptional() @IsString() @MaxLength(160) asunto?: string;
  @Transform(upper) @IsOptional() @IsString() @MaxLength(40) nivel?: string;
  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(LETTER_PROCEDURES, { message: 'El procedimiento no es válido.' })
  procedimiento?: string;
  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(['registrado', 'cancelado'], { message: 'El estado debe ser registrado o cancelado.' })
  estado?: 'registrado' | 'cancelado';
  @Transform(int) @IsOptional() @IsInt({ message: 'El año debe ser un número.' }) @Min(2000) @Max(2999) anio?: number;
  /** The month the oficio was received, in Colima (YYYY-MM): «the letter of last month». */
  @Transform(month)
  @IsOptional()
  @IsString()
  @Matches(/^2\d{3}-(0[1-9]|1[0-2])$/, {
    message: 'El mes de recepción debe escribirse como 2026-11 (año y mes) o 11/2026.',
  })
  mes?: string;
  @Transform(int)
  @IsOptional()
  @IsInt({ message: 'porPagina debe ser un número.' })
  @Min(1)
  @Max(100, { message: 'porPagina admite hasta 100.' })
  porPagina?: number;
}

/** The register page by keyset: `despues` / `antes` are the `siguiente` / `anterior` cursors of a previous page. */
export class OficioRegisterQuery extends OficioFilters {
  @Transform(blankToUndefined) @IsOptional() @IsString() @MaxLength(200) despues?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() @MaxLength(200) antes?: string;
}

/** GET /api/oficios: pages by number (`pagina`, up to the 10,000th oficio) or by the register's cursors. */
export class ListOficiosQuery extends OficioRegisterQuery {
  @Transform(int) @IsOptional() @IsInt({ message: 'La página debe ser un número.' }) @Min(1) pagina?: number;
}

/** GET /api/oficios/:id/lineas: optionally only the lines whose case is at one step. */
export class OficioLinesQuery {
  @ApiPropertyOptional({ description: 'Solo las líneas cuyo trámite está en este estado (p. ej. «turno»)' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.,]{1,200}$/, { message: 'El estado no es válido.' })
  estado?: string;
}

export class CancelOficioDto {
  @ApiProperty({ example: 'Registrado por error: el oficio corresponde a otra dependencia.' })
  @IsString({ message: 'Indique el motivo de la cancelación.' })
  @IsNotEmpty({ message: 'Indique el motivo de la cancelación.' })
  @MaxLength(400, { message: 'El motivo admite hasta 400 caracteres.' })
  motivo!: string;
}
