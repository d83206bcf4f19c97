import { Body, Controller, Headers, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { timingSafeEqual } from 'node:crypto';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { cctProblem } from '../catalog/validation/cct';
import { PiiService } from './pii.service';

class ResetRequestDto {
  @ApiProperty({ description: 'Contraseña elegida por el centro de trabajo (Guía 5.2.2 paso 7)' })
  @IsString({ message: 'Escriba la contraseña.' })
  @MaxLength(128, { message: 'La contraseña admite hasta 128 caracteres.' })
  contrasena!: string;

  @ApiProperty({ required: false, enum: ['pii', 'portal'] })
  @IsOptional()
  @IsIn(['pii', 'portal'], { message: 'El canal debe ser pii o portal.' })
  canal?: 'pii' | 'portal';
}

/** The PII platform's call for 5.2.2, authenticated with its API key (PII_API_KEY). */
@ApiTags('PII')
@Controller('api/pii')
export class PiiController {
  constructor(
    private readonly pii: PiiService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('centros/:cct/restablecer-contrasena')
  @HttpCode(202)
  @ApiHeader({ name: 'X-Api-Key', description: 'Clave de la PII (PII_API_KEY)' })
  @ApiOperation({ summary: 'Guía 5.2.2: solicitud de restablecimiento con contraseña elegida por el centro de trabajo' })
  request(@Param('cct') cctRaw: string, @Headers('x-api-key') apiKey: string | undefined, @Body() dto: ResetRequestDto) {
    const expected = this.config.piiApiKey;
    if (!expected) throw new DomainError('PII_DESHABILITADA', 'La integración con la PII no está configurada (PII_API_KEY).', 503);
    const given = Buffer.from(apiKey ?? '');
    if (given.length !== Buffer.byteLength(expected) || !timingSafeEqual(given, Buffer.from(expected))) {
      throw new DomainError('NO_AUTENTICADO', 'Clave de la PII inválida.', 401);
    }
    const cct = cctRaw.trim().toUpperCase();
    const problem = cctProblem(cct);
    if (problem) throw new DomainError('CCT_INVALIDO', problem, 400);
    return this.pii.requestReset(cct, dto.contrasena, dto.canal ?? 'pii');
  }
}
