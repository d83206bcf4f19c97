import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { componentDown, type HealthReport, HealthService } from './health.service';

@ApiTags('salud')
@Controller('health')
export class HealthController {
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
