import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type HealthReport, HealthService } from './health.service';

@ApiTags('salud')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Estado del servicio: base de datos y, si está configurado, Redis (503 si algo falla)' })
  async get(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.health.check();
    res.status(report.estado === 'ok' ? 200 : 503);
    return report;
  }
}
