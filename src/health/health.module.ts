import { Module } from '@nestjs/common';
import { AdminHealthController, HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { MetricsScrape } from './metrics-scrape.service';
import { HealthService } from './health.service';

@Module({
  controllers: [HealthController, AdminHealthController, MetricsController],
  providers: [HealthService, MetricsScrape],
  exports: [HealthService, MetricsScrape],
})
export class HealthModule {}
