import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, StaffAuthGuard } from '../auth/auth.guard';
import type { AuthenticatedStaff } from '../auth/auth.service';
import { DomainError } from '../common/domain-error';
import { LETTER_PROCEDURES } from '../letters/templates';
import { CaseQueryService } from './case-query.service';
import { BulkEventsService } from './bulk-events';
import { InboxQueryDto, SendBulkEventDto, SendEventDto, StartCaseDto } from './engine.dto';
import { EngineService } from './engine.service';
import { InboxService } from './inbox.service';

// A malformed id is simply a case that does not exist.
const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiTags('trámites')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Controller('api')
export class EngineController {
  constructor(
    private readonly engine: EngineService,
    private readonly cases: CaseQueryService,
    private readonly inbox: InboxService,
    private readonly bulk: BulkEventsService,
  ) {}

  @Post('tramites')
  @ApiOperation({ summary: 'Inicia un trámite (el rol debe poder iniciarlo)' })
  start(@CurrentStaff() staff: AuthenticatedStaff, @Body() dto: StartCaseDto) {
    if ((LETTER_PROCEDURES as readonly string[]).includes(dto.procedimiento)) {
      // An oficio procedure needs its registration (folio, scanned letter, acuse): there is no case without it.
      throw new DomainError(
        'REQUIERE_OFICIO',
        'Este trámite se inicia registrando el oficio recibido (POST /api/oficios).',
        422,
      );
    }
    return this.engine.start(dto.procedimiento, staff, dto.datos ?? {});
  }

  @Get('tramites/:id')
  get(@CurrentStaff() staff: AuthenticatedStaff, @Param('id', uuid) id: string) {
    return this.cases.get(id, staff);
  }

  @Get('tramites/:id/movimientos')
  @ApiOperation({ summary: 'Movimientos del trámite (bitácora encadenada)' })
  movements(@CurrentStaff() staff: AuthenticatedStaff, @Param('id', uuid) id: string) {
    return this.cases.movements(id, staff);
  }

  @Get('procedimientos')
  @ApiOperation({ summary: 'Catálogo de procedimientos y sus versiones' })
  procedures() {
    return this.engine.registry.definitions.map((d) => ({
      id: d.id,
      version: d.version,
      titulo: d.title,
      seccionGuia: d.guideSection,
      versionGuia: d.guideVersion,
    }));
  }

  @Post('tramites/eventos')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Realiza la misma acción en varios trámites (hasta 500), cada uno por separado',
    description:
      'Cada trámite se procesa en su propia transacción, con las mismas reglas que /api/tramites/:id/eventos; el que ' +
      'falla no detiene ni deshace a los demás. Responde { tipo, total, hechos, conError, resultados }: por trámite, ' +
      '{ id, ok: true, version, estado, status, resultado } o { id, ok: false, status, error, mensaje }. CREAR_CUENTA ' +
      'de un centro de trabajo toma la CCT del trámite y el director del catálogo cuando no se indican en «datos».',
  })
  sendMany(@CurrentStaff() staff: AuthenticatedStaff, @Body() dto: SendBulkEventDto) {
    return this.bulk.send(staff, dto.tipo, dto.tramites, dto.datos ?? {});
  }

  @Post('tramites/:id/eventos')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Realiza una acción del paso actual: 403 si no le corresponde, 409 si el trámite cambió, 422 si no procede',
  })
  send(@CurrentStaff() staff: AuthenticatedStaff, @Param('id', uuid) id: string, @Body() dto: SendEventDto) {
    // CANCELAR of an oficio's case cancels its folio and acuse too, in the same transaction (OficiosService.followCaseEnd).
    return this.engine.send(id, { ...(dto.datos ?? {}), type: dto.tipo }, staff, { expectedVersion: dto.version });
  }

  @Get('bandeja')
  @ApiOperation({
    summary: 'Bandeja de tareas del rol (con banderas «falta poco» y «vencido»)',
    description:
      'Ordenada por vencimiento, prioridad e id. Responde { items, total, totalAcotado, porPagina, siguiente, anterior }: ' +
      '«siguiente» y «anterior» son cursores opacos (null en la última / primera página) que se envían como «despues» ' +
      'o «antes» para pedir la página contigua con los mismos filtros; un cursor alterado responde 400. «total» cuenta ' +
      'hasta 1 000 tareas: si hay más, vale 1 000 y «totalAcotado» es true («más de 1 000»).',
  })
  list(@CurrentStaff() staff: AuthenticatedStaff, @Query() q: InboxQueryDto) {
    return this.inbox.list(staff, { ...q, vencidas: q.vencidas === 'true' });
  }

  @Post('tareas/:id/tomar')
  @HttpCode(200)
  claim(@CurrentStaff() staff: AuthenticatedStaff, @Param('id', uuid) id: string) {
    return this.inbox.claim(id, staff);
  }

  @Post('tareas/:id/liberar')
  @HttpCode(200)
  release(@CurrentStaff() staff: AuthenticatedStaff, @Param('id', uuid) id: string) {
    return this.inbox.release(id, staff);
  }
}
