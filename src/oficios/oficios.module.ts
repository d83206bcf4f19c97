import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DocumentsService } from './documents.service';
import { FILE_STORE, LocalFileStore } from './file-store';
import { StoredFileSweep } from './file-sweep';
import { AcuseProcessor, DocumentIssuer, ReplyLetterProcessor } from './letters.processor';
import { DocumentsController, OficiosController, VerificationApiController, VerificationPageController } from './oficios.controller';
import { OficiosService } from './oficios.service';
import type { PdfSigner } from '../letters/signer';
import { PDF_SIGNER } from './pdf-signer.provider';
import { VerificationRateLimit } from './rate-limit.guard';

/** The letters queue's processors (QueueModule.forRoot adds them to COMMAND_PROCESSORS). */
export const LETTER_PROCESSORS = [AcuseProcessor, ReplyLetterProcessor];

/**
 * Oficios and letters: registration with folio (POST /api/oficios), acuse and reply-letter processors for the
 * letters queue, delivery of documents and the public verification page. Needs the engine (EngineModule is global)
 * and staff auth (AuthModule is global). Global, so the queue module can inject LETTER_PROCESSORS.
 */
@Global()
@Module({})
export class OficiosModule {
  /** `signer`: loaded before the application is built (loadPdfSigner), so a certificate that is not valid stops the start first. */
  static forRoot(signer: PdfSigner): DynamicModule {
    return {
      module: OficiosModule,
      controllers: [OficiosController, DocumentsController, VerificationPageController, VerificationApiController],
      providers: [
        { provide: FILE_STORE, inject: [APP_CONFIG], useFactory: (c: AppConfig) => new LocalFileStore(c.dataDir) },
        { provide: PDF_SIGNER, useValue: signer },
        OficiosService,
        DocumentsService,
        DocumentIssuer,
        ...LETTER_PROCESSORS,
        VerificationRateLimit,
        StoredFileSweep,
      ],
      // StoredFileSweep: for the periodic job (QueueRuntime.periodic calls sweepIfDue).
      exports: [OficiosService, DocumentsService, ...LETTER_PROCESSORS, FILE_STORE, PDF_SIGNER, StoredFileSweep],
    };
  }
}
