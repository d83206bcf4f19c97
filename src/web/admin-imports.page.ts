import {
  Body,
  Controller,
  Get,
  Injectable,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../auth/auth.guard';
import { CatalogImportJobs, type ImportJob } from '../catalog/import/import-jobs';
import { DomainError } from '../common/domain-error';
import { renderImport, renderImports, rejectionsCsv } from './admin-imports.view';
import { formErrors, readForm } from './forms';
import type { Chrome } from './layout';
import { CsrfTokens, PageChrome, seeOther, sendHtml, StaffPages } from './page-auth';
import { PageFileUpload, type PageUploadRequest } from './page-upload';

/** The upload form's fields by their labels on the page. */
const IMPORT_LABELS = { catalogo: 'Catálogo', modo: 'El archivo es', archivo: 'Archivo' };

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });
/** A full export of Capital Humano (some 100 000 workers) is about 15 MB. */
export const MAX_CATALOG_BYTES = 50 * 1024 * 1024;

type CatalogUploadRequest = PageUploadRequest;

/** The CSV of a catalog import: one file in «archivo», up to MAX_CATALOG_BYTES. */
@Injectable()
export class CatalogUpload extends PageFileUpload {
  constructor(csrf: CsrfTokens) {
    super(csrf, 'archivo', { fileSize: MAX_CATALOG_BYTES, fields: 10, fieldSize: 1024 });
  }

  protected refusal(tooLarge: boolean): DomainError {
    return tooLarge
      ? new DomainError(
          'ARCHIVO_DEMASIADO_GRANDE',
          'El archivo pasa de 50 MB; divídalo o quite las columnas que no se usan.',
          413,
          { campo: 'archivo' },
        )
      : new DomainError('ARCHIVO_INVALIDO', 'Envíe un solo archivo CSV en el campo «Archivo».', 400, {
          campo: 'archivo',
        });
  }
}

/** What the status endpoint answers while the page polls it. */
export function statusOf(job: ImportJob) {
  return {
    id: job.id,
    estado: job.status,
    fase: job.phase,
    hechos: job.done,
    total: job.total,
    porcentaje: job.total ? Math.floor((100 * job.done) / job.total) : 0,
    mensaje: job.message,
  };
}

/** Catalog imports from the browser (administrators): upload, progress, summary, rejected rows, confirmation. */
@StaffPages()
@Roles('administrador')
@Controller('admin/importaciones')
export class AdminImportsPage {
  constructor(private readonly jobs: CatalogImportJobs) {}

  @Get()
  list(@PageChrome() chrome: Chrome, @Res() res: Response): void {
    sendHtml(res, renderImports(chrome, { jobs: this.jobs.list(chrome.staff!.id), values: {}, error: null }));
  }

  @Post()
  @UseInterceptors(CatalogUpload)
  upload(
    @PageChrome() chrome: Chrome,
    @Req() req: CatalogUploadRequest,
    @Body() body: unknown,
    @Res() res: Response,
  ): void {
    const values = readForm(body);
    try {
      if (req.uploadError) throw req.uploadError;
      if (!req.file)
        throw new DomainError('ARCHIVO_INVALIDO', 'Elija el archivo CSV del catálogo.', 400, { campo: 'archivo' });
      const job = this.jobs.start({
        kind: values.catalogo ?? '',
        mode: values.modo ?? '',
        fileName: req.file.originalname,
        content: req.file.buffer,
        startedBy: chrome.staff!.id,
      });
      seeOther(res, `/admin/importaciones/${job.id}`);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const vm = { jobs: this.jobs.list(chrome.staff!.id), values, ...formErrors(e, IMPORT_LABELS) };
      sendHtml(res, renderImports(chrome, vm), e.status);
    }
  }

  @Get(':id')
  show(@PageChrome() chrome: Chrome, @Param('id', uuid) id: string, @Res() res: Response): void {
    sendHtml(res, renderImport(chrome, this.jobs.get(id, chrome.staff!.id)));
  }

  @Get(':id/estado')
  status(@PageChrome() chrome: Chrome, @Param('id', uuid) id: string, @Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-store');
    res.json(statusOf(this.jobs.get(id, chrome.staff!.id)));
  }

  @Get(':id/rechazos.csv')
  rejections(@PageChrome() chrome: Chrome, @Param('id', uuid) id: string, @Res() res: Response): void {
    const job = this.jobs.get(id, chrome.staff!.id);
    res
      .status(200)
      .type('text/csv; charset=utf-8')
      .setHeader('Cache-Control', 'no-store')
      .setHeader('Content-Disposition', `attachment; filename="rechazos-${job.kind}-${job.id.slice(0, 8)}.csv"`);
    res.send(`\uFEFF${rejectionsCsv(job.rejections)}`);
  }

  @Post(':id/decision')
  decide(
    @PageChrome() chrome: Chrome,
    @Param('id', uuid) id: string,
    @Body() body: unknown,
    @Res() res: Response,
  ): void {
    this.jobs.decide(id, chrome.staff!.id, readForm(body).decision ?? '');
    seeOther(res, `/admin/importaciones/${id}`);
  }
}
