import { Controller, Get, Param, ParseUUIDPipe, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, StaffAuthGuard } from '../auth/auth.guard';
import type { AuthenticatedStaff } from '../auth/auth.service';
import { DomainError } from '../common/domain-error';
import { CaseQueryService } from '../engine/case-query.service';
import { EngineService } from '../engine/engine.service';
import { caseDiagramSvg, renderDiagramSvg } from './diagram';

// A malformed id is simply a case that does not exist.
const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

/**
 * The state diagrams, for signed-in staff only (the guard is on the class: no route here is open). A case's diagram
 * reads the case through CaseQueryService, which applies the same scope check as the case itself (404 otherwise).
 */
@ApiTags('trámites')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Controller('api')
export class DiagramController {
  constructor(
    private readonly engine: EngineService,
    private readonly cases: CaseQueryService,
  ) {}

  @Get('tramites/:id/diagrama.svg')
  @ApiOperation({ summary: 'Diagrama de estados del procedimiento con el paso actual del trámite resaltado' })
  async caseDiagram(
    @CurrentStaff() staff: AuthenticatedStaff,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    return svg(res, caseDiagramSvg(await this.cases.position(id, staff)));
  }

  @Get('procedimientos/:id/diagrama.svg')
  procedureDiagram(
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
    @Query('version') version?: string,
  ): string {
    const versions = this.engine.registry.versions(id);
    const def = version ? this.engine.registry.get(id, Number(version)) : versions[versions.length - 1];
    if (!def) throw new DomainError('PROCEDIMIENTO_DESCONOCIDO', `No existe el procedimiento «${id}».`, 404);
    return svg(res, renderDiagramSvg(def.machine));
  }
}

/** The SVG type is set on the diagram only, once drawn: an error on these routes stays JSON like the rest of the API. */
function svg(res: Response, markup: string): string {
  res.type('image/svg+xml; charset=utf-8');
  return markup;
}
