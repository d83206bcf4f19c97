import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { MetricsScrape } from './metrics-scrape.service';

/**
 * Prometheus metrics of this web process (`GET /metrics`, text format): transitions, HTTP and jobs as they happen
 * (src/common/metrics.ts) and the gauges read at each scrape (MetricsScrape). For the scraper holding METRICS_TOKEN.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly scrape: MetricsScrape) {}

  @Get()
  async get(@Req() req: Request, @Res() res: Response): Promise<void> {
    this.scrape.authorize(req.headers.authorization);
    const { contentType, body } = await this.scrape.render();
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(body);
  }
}
