import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { cctProblem } from '../validation/cct';
import { PiiKeyGuard } from './pii-key.guard';
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

/** The CCT of the path, as the catalog writes it; a malformed one, or another state's, is a 400 that says why. */
function cctOf(raw: string, stateCode: string): string {
  const cct = raw.trim().toUpperCase();
  const problem = cctProblem(cct, stateCode);
  if (problem) throw new DomainError('CCT_INVALIDO', problem, 400);
  return cct;
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
  @UseGuards(PiiKeyGuard)
  @HttpCode(202)
  @ApiHeader({ name: 'X-Api-Key', description: 'Clave de la PII (PII_API_KEY)' })
  @ApiOperation({
    summary: 'Guía 5.2.2: solicitud de restablecimiento con contraseña elegida por el centro de trabajo',
  })
  @ApiResponse({ status: 202, description: 'Solicitud registrada: trámite y fecha en que se atenderá a más tardar.' })
  @ApiResponse({
    status: 200,
    description:
      'El centro de trabajo ya tenía una solicitud en curso: se responde con ese trámite y su fecha; la nueva no se registró ni se guardó su contraseña.',
  })
  @ApiResponse({
    status: 422,
    description: 'No procede: el centro de trabajo no tiene cuenta, o su cuenta está bloqueada.',
  })
  async request(@Param('cct') cctRaw: string, @Body() dto: ResetRequestDto, @Res({ passthrough: true }) res: Response) {
    const cct = cctOf(cctRaw, this.config.cctStateCode);
    const answer = await this.pii.requestReset(cct, dto.contrasena, dto.canal ?? 'pii');
    // 202: a new request, accepted to be served later. 200: nothing new was accepted; the answer is the request that
    // was already open (a 4xx would tell the PII its call failed, when the school's request is in fact in course).
    if (answer.existente) res.status(HttpStatus.OK);
    return answer;
  }

  @Get('centros/:cct/restablecer-contrasena')
  @UseGuards(PiiKeyGuard)
  @ApiHeader({ name: 'X-Api-Key', description: 'Clave de la PII (PII_API_KEY)' })
  @ApiOperation({ summary: 'Las solicitudes de restablecimiento del centro de trabajo, la más reciente primero (10)' })
  @ApiResponse({ status: 200, description: 'estado: en_revision, en_proceso, restablecida, rechazada o cancelada.' })
  list(@Param('cct') cctRaw: string) {
    return this.pii.statuses(cctOf(cctRaw, this.config.cctStateCode));
  }

  @Get('centros/:cct/restablecer-contrasena/:tramite')
  @UseGuards(PiiKeyGuard)
  @ApiHeader({ name: 'X-Api-Key', description: 'Clave de la PII (PII_API_KEY)' })
  @ApiOperation({ summary: 'En qué va una solicitud de restablecimiento (y, si no procedió, el motivo)' })
  @ApiResponse({ status: 404, description: 'No hay una solicitud con ese trámite para ese centro de trabajo.' })
  status(@Param('cct') cctRaw: string, @Param('tramite') tramite: string) {
    return this.pii.status(cctOf(cctRaw, this.config.cctStateCode), tramite);
  }
}
