import { Global, Module } from '@nestjs/common';
import { CatalogSearchService } from './catalog-search.service';
import { CatalogController } from './catalog.controller';

@Global()
@Module({ controllers: [CatalogController], providers: [CatalogSearchService], exports: [CatalogSearchService] })
export class CatalogModule {}
