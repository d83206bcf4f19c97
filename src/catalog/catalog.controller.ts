import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles, StaffAuthGuard } from '../auth/auth.guard';
import { CatalogSearchDto } from './catalog-search.dto';
import { CatalogSearchService } from './catalog-search.service';

@ApiTags('catálogos')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Roles('subjefatura', 'subdireccion')
@Controller('api/catalogo')
export class CatalogController {
  constructor(private readonly search: CatalogSearchService) {}

  @Get('trabajadores')
  @ApiOperation({ summary: 'Busca trabajadores por CURP, CURT o nombre' })
  workers(@Query() q: CatalogSearchDto) {
    return this.search.workers(q);
  }

  @Get('centros')
  @ApiOperation({ summary: 'Busca centros de trabajo por CCT o nombre, con su director' })
  schools(@Query() q: CatalogSearchDto) {
    return this.search.schools(q);
  }

  @Get('cuentas')
  @ApiOperation({ summary: 'Busca cuentas por dirección, CURP o CCT del titular' })
  accounts(@Query() q: CatalogSearchDto) {
    return this.search.accounts(q);
  }
}
