import { Module } from '@nestjs/common';
import { PiiController } from './pii.controller';
import { PiiKeyGuard } from './pii-key.guard';
import { PiiService } from './pii.service';
import { SelfServiceController } from './selfservice.controller';
import { SelfServicePage } from './selfservice.page';
import { SelfServiceService } from './selfservice.service';

@Module({
  controllers: [SelfServiceController, SelfServicePage, PiiController],
  providers: [SelfServiceService, PiiService, PiiKeyGuard],
})
export class SelfServiceModule {}
