import { Module } from '@nestjs/common';
import { PiiController } from './pii.controller';
import { PiiService } from './pii.service';
import { SelfServiceController } from './selfservice.controller';
import { SelfServiceService } from './selfservice.service';

@Module({ controllers: [SelfServiceController, PiiController], providers: [SelfServiceService, PiiService] })
export class SelfServiceModule {}
