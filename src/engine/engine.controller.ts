import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { TaskRole } from '../../machines/types';
import { CurrentStaff, StaffAuthGuard } from '../auth/auth.guard';
import type { AuthenticatedStaff } from '../auth/auth.service';
import { DomainError } from '../common/domain-error';
import { LETTER_PROCEDURES } from '../letters/templates';
import { CaseQueryService } from './case-query.service';
import { renderDiagramSvg } from './diagram';
import { EngineService } from './engine.service';
import { InboxService } from './inbox.service';

// A malformed id is simply a case that does not exist.
const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

class StartCaseDto {
  @ApiProperty({ example: 'cuenta-bloquear' })
  @IsString({ message: 'Indique el procedimiento.' })
  @Matches(/^[a-z-]{3,40}$/, { message: 'El procedimiento no es válido.' })
  procedimiento!: string;

  @ApiPropertyOptional({ description: 'Datos iniciales del trámite' })
  @IsOptional()
  @IsObject({ message: 'Los datos deben ser un objeto.' })
  datos?: Record<string, unknown>;
}

class SendEventDto {
  @ApiProperty({ example: 'TURNAR' })
  @IsString({ message: 'Indique la acción.' })
  @Matches(/^[A-Z][A-Z0-9_]{1,59}$/, { message: 'La acción no es válida.' })
  tipo!: string;

  @ApiProperty({ description: 'Versión del trámite que usted consultó (evita sobrescribir cambios de otros)' })
  @IsInt({ message: 'Indique la versión del trámite que consultó.' })
  @Min(1)
  version!: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsObject({ message: 'Los datos deben ser un objeto.' })
  datos?: Record<string, unknown>;
}

class InboxQueryDto {
  @IsOptional() @IsIn(['subdireccion', 'subjefatura', 'nivel', 'centro_trabajo', 'responsable'], { message: 'El rol no es válido.' }) rol?: TaskRole;
  @IsOptional() @IsIn(['abierta', 'cerrada'], { message: 'El estado debe ser abierta o cerrada.' }) estado?: 'abierta' | 'cerrada';
  @IsOptional() @IsString() @MaxLength(40) procedimiento?: string;
  @IsOptional() @IsString() @MaxLength(200) paso?: string;
  @IsOptional() @IsString() @MaxLength(40) folio?: string;
  @IsOptional() @IsString() @MaxLength(18) curp?: string;
  @IsOptional() @IsString() @MaxLength(10) cct?: string;
  @IsOptional() @Type(() => String) @IsIn(['true', 'false'], { message: 'vencidas debe ser true o false.' }) vencidas?: string;
  @IsOptional() @IsIn(['mias', 'libres'], { message: 'asignacion debe ser mias o libres.' }) asignacion?: 'mias' | 'libres';
  @IsOptional() @Type(() => Number) @IsInt({ message: 'La página debe ser un número.' }) @Min(1) pagina?: number;
  @IsOptional() @Type(() => Number) @IsInt({ message: 'porPagina debe ser un número.' }) @Min(1) @Max(100, { message: 'porPagina admite hasta 100.' }) porPagina?: number;
}

@ApiTags('trámites')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Controller('api')
export class EngineController {
  constructor(
    private readonly engine: EngineService,
    private readonly cases: CaseQueryService,
    private readonly inbox: InboxService,
  ) {}

  @Post('tramites')
  @ApiOperation({ summary: 'Inicia un trámite (el rol debe poder iniciarlo)' })
  start(@CurrentStaff() staff: AuthenticatedStaff, @Body() dto: StartCaseDto) {
    if ((LETTER_PROCEDURES as readonly string[]).includes(dto.procedimiento)) {
      // An oficio procedure needs its registration (folio, scanned letter, acuse): there is no case without it.
      throw new DomainError('REQUIERE_OFICIO', 'Este trámite se inicia registrando el oficio recibido (POST /api/oficios).', 422);
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

  @Get('tramites/:id/diagrama.svg')
  @Header('Content-Type', 'image/svg+xml; charset=utf-8')
  @ApiOperation({ summary: 'Diagrama de estados del procedimiento con el paso actual del trámite resaltado' })
  diagram(@CurrentStaff() staff: AuthenticatedStaff, @Param('id', uuid) id: string) {
    return this.cases.diagram(id, staff);
  }

  @Get('procedimientos')
  @ApiOperation({ summary: 'Catálogo de procedimientos y sus versiones' })
  procedures() {
    return this.engine.registry.definitions.map((d) => ({ id: d.id, version: d.version, titulo: d.title, seccionGuia: d.guideSection, versionGuia: d.guideVersion }));
  }

  @Get('procedimientos/:id/diagrama.svg')
  @Header('Content-Type', 'image/svg+xml; charset=utf-8')
  procedureDiagram(@Param('id') id: string, @Query('version') version?: string) {
    const versions = this.engine.registry.versions(id);
    const def = version ? this.engine.registry.get(id, Number(version)) : versions[versions.length - 1];
    if (!def) throw new DomainError('PROCEDIMIENTO_DESCONOCIDO', `No existe el procedimiento «${id}».`, 404);
    return renderDiagramSvg(def.machine);
  }

  @Post('tramites/:id/eventos')
  @HttpCode(200)
  @ApiOperation({ summary: 'Realiza una acción del paso actual: 403 si no le corresponde, 409 si el trámite cambió, 422 si no procede' })
  async send(@CurrentStaff() staff: AuthenticatedStaff, @Param('id', uuid) id: string, @Body() dto: SendEventDto) {
    if (dto.tipo === 'CANCELAR' && staff.role === 'subdireccion' && (await this.cases.isOficioCase(id))) {
      // Cancelling an oficio also cancels its folio, acuse and documents: one place does all of it.
      throw new DomainError('CANCELAR_OFICIO', 'Para cancelar un oficio use «Cancelar oficio» (POST /api/oficios/:id/cancelar): cancela el trámite, su folio y su acuse juntos.', 422);
    }
    return this.engine.send(id, { ...(dto.datos ?? {}), type: dto.tipo }, staff, { expectedVersion: dto.version });
  }

  @Get('bandeja')
  @ApiOperation({ summary: 'Bandeja de tareas del rol (con banderas «falta poco» y «vencido»)' })
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
