import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles, StaffAuthGuard } from '../auth/auth.guard';
import { componentDown, type HealthReport, HealthService, type ReadinessReport } from './health.service';

/** For load balancers and process supervisors: public, cheap, nothing but up or down. */
@ApiTags('salud')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({
    summary:
      'Disponibilidad (para el balanceador): 200 si la base de datos y Redis (si está configurado) responden, 503 si ' +
      'no; sin conteos ni detalles. El informe completo es GET /api/admin/salud.',
  })
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadinessReport> {
    const report = await this.health.ready();
    res.status(componentDown(report) ? 503 : 200);
    return report;
  }

  @Get('vivo')
  @ApiOperation({ summary: 'El proceso responde (sin consultar nada): para reiniciarlo si deja de hacerlo' })
  alive(): { estado: 'vivo' } {
    return { estado: 'vivo' };
  }
}

/** The detailed report: queues, outbox, incidents, the signing certificate. Administrators only. */
@ApiTags('administración')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Roles('administrador')
@Controller('api/admin/salud')
export class AdminHealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({
    summary:
      'Estado del servicio: base de datos, Redis si está configurado (503 si no responden), colas, incidentes y ' +
      'certificado de firma ("degradado" con avisos, 200, cuando algo requiere atención)',
  })
  async get(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.health.check();
    res.status(componentDown(report) ? 503 : 200);
    return report;
  }
}
