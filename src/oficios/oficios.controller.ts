import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Redirect,
  StreamableFile,
  UploadedFile,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, Roles, StaffAuthGuard } from '../auth/auth.guard';
import type { AuthenticatedStaff } from '../auth/auth.service';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { identityOf } from '../render/identity';
import { normalizeVerificationCode } from '../letters/verification';
import { DocumentsService } from './documents.service';
import { OficioLineStanding } from './oficio-line-standing';
import { CancelOficioDto, ListOficiosQuery, OficioLinesQuery, RegisterOficioDto } from './oficio.dto';
import { OficiosService } from './oficios.service';
import { VerificationRateLimit } from './rate-limit.guard';
import { SingleFileUpload, type UploadedFileData } from './upload';
import { renderVerificationPage, VerificationPageFilter } from './verification-page';

// A malformed id is simply something that does not exist.
const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiTags('oficios')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Controller('api/oficios')
export class OficiosController {
  constructor(
    private readonly oficios: OficiosService,
    private readonly documents: DocumentsService,
    private readonly lineStanding: OficioLineStanding,
  ) {}

  @Post()
  @Roles('subdireccion')
  @UseInterceptors(SingleFileUpload)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description: 'Campos del oficio y el oficio escaneado en «archivo» (PDF, PNG, JPEG o TIFF; hasta 10 MB)',
    type: RegisterOficioDto,
  })
  @ApiOperation({
    summary: 'Registra un oficio recibido: folio, acuse de recibo y trámite (409 si el número ya se registró)',
  })
  register(
    @CurrentStaff() staff: AuthenticatedStaff,
    @Body() dto: RegisterOficioDto,
    @UploadedFile() file: UploadedFileData | undefined,
  ) {
    return this.oficios.register(staff, dto, file);
  }

  @Get()
  @Roles('subdireccion', 'subjefatura')
  @ApiOperation({
    summary:
      'Busca oficios por folio, número, remitente, asunto, nivel, procedimiento, estado, año o mes (los cancelados aparecen como cancelados). ' +
      'Del más reciente al más antiguo; por «pagina» (hasta el oficio 10 000) o por los cursores «siguiente» / «anterior» ' +
      '(parámetros «despues» / «antes»). «total» cuenta hasta 1 000: si hay más, vale 1 000 y «totalAcotado» es true.',
  })
  list(@Query() q: ListOficiosQuery) {
    return this.oficios.list(q);
  }

  @Get(':id')
  @Roles('subdireccion', 'subjefatura')
  get(@Param('id', uuid) id: string) {
    return this.oficios.get(id);
  }

  @Get(':id/lineas')
  @Roles('subdireccion', 'subjefatura')
  @ApiOperation({
    summary:
      'Las líneas de un oficio para varios centros de trabajo, con el estado y la versión de su trámite (para trabajarlas juntas)',
  })
  lines(@Param('id', uuid) id: string, @Query() q: OficioLinesQuery) {
    return this.lineStanding.lines(id, q.estado);
  }

  @Post(':id/cancelar')
  @Roles('subdireccion')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancela un registro hecho por error: el folio queda visible como cancelado' })
  cancel(@CurrentStaff() staff: AuthenticatedStaff, @Param('id', uuid) id: string, @Body() dto: CancelOficioDto) {
    return this.oficios.cancel(id, staff, dto);
  }

  @Get(':id/respuesta')
  @ApiOperation({
    summary: 'El oficio de respuesta de un oficio o trámite, para su destinatario (404 para cualquier otro)',
  })
  reply(@CurrentStaff() staff: AuthenticatedStaff, @Param('id', uuid) id: string) {
    return this.documents.replyOf(id, staff);
  }
}

@ApiTags('oficios')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Controller('api/documentos')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Get(':id/pdf')
  @ApiOperation({ summary: 'Descarga un documento emitido (queda registrada cada descarga); 404 si no le corresponde' })
  async pdf(@CurrentStaff() staff: AuthenticatedStaff, @Param('id', uuid) id: string): Promise<StreamableFile> {
    const { pdf, filename } = await this.documents.download(id, staff);
    return new StreamableFile(pdf, {
      type: 'application/pdf',
      disposition: `attachment; filename="${filename}"`,
      length: pdf.length,
    });
  }
}

/** The public verification page (the QR of every document points here): no sign-in, plain HTML, no script. */
@ApiTags('verificación')
@UseGuards(VerificationRateLimit)
@UseFilters(VerificationPageFilter)
@Controller()
export class VerificationPageController {
  constructor(
    private readonly documents: DocumentsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('verificar/:code')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async page(@Param('code') code: string): Promise<string> {
    return renderVerificationPage(
      await this.documents.verification(code),
      undefined,
      await this.documents.logInclusion(code),
      identityOf(this.config.institution),
    );
  }

  /** The inclusion proof of the case's movements in the signed log, to check offline (npm run verify:proof). */
  @Get('verificar/:code/bitacora.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="bitacora.json"')
  @Header('Cache-Control', 'no-store')
  async logProof(@Param('code') code: string): Promise<string> {
    return `${JSON.stringify(await this.documents.logProof(code), null, 2)}\n`;
  }

  @Post('verificar/:code')
  @HttpCode(200)
  @UseInterceptors(SingleFileUpload)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async check(@Param('code') code: string, @UploadedFile() file: UploadedFileData | undefined): Promise<string> {
    if (!file) throw new DomainError('ARCHIVO_REQUERIDO', 'Elija el archivo PDF que desea comprobar.', 400);
    const { view, result } = await this.documents.compare(code, file.buffer);
    return renderVerificationPage(
      view,
      result,
      await this.documents.logInclusion(code),
      identityOf(this.config.institution),
    );
  }

  /** The short URL printed under the QR. */
  @Get('v/:code')
  @Redirect()
  short(@Param('code') code: string): { url: string; statusCode: number } {
    return { url: `/verificar/${encodeURIComponent(normalizeVerificationCode(code) ?? code)}`, statusCode: 302 };
  }
}

@ApiTags('verificación')
@UseGuards(VerificationRateLimit)
@Controller('api/verificar')
export class VerificationApiController {
  constructor(private readonly documents: DocumentsService) {}

  @Get(':code')
  @ApiOperation({ summary: 'Datos públicos de un documento emitido (lo mismo que la página de verificación)' })
  view(@Param('code') code: string) {
    return this.documents.verification(code);
  }
}
