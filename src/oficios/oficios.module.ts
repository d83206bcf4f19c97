import { DataSource } from 'typeorm';
import { type DynamicModule, Global, Module, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { QueueRuntime } from '../queue/queue-runtime.service';
import { DocumentsService } from './documents.service';
import { FILE_STORE } from './file-store';
import { fileStoreFor } from './file-stores';
import { StoredFileSweep } from './file-sweep';
import { AcuseProcessor, DocumentIssuer, ReplyLetterProcessor } from './letters.processor';
import {
  DocumentsController,
  OficiosController,
  VerificationApiController,
  VerificationPageController,
} from './oficios.controller';
import { LetterSettingsService } from './letter-settings.service';
import { OficiosService } from './oficios.service';
import { OficioRegisterService } from './oficio-register.service';
import { OficioLineDefaults } from './oficio-line-defaults';
import { OficioLineStanding } from './oficio-line-standing';
import { OficioParents } from './oficio-parents';
import { OficioSearch } from './oficio-search';
import type { PdfSigner } from '../letters/signer';
import { PDF_SIGNER } from './pdf-signer.provider';
import { VerificationRateLimit } from './rate-limit.guard';

/**
 * Oficios and letters: registration with folio (POST /api/oficios), acuse and reply-letter processors for the
 * letters queue (@EffectProcessor(): the engine finds them), delivery of documents and the public verification page,
 * the hourly sweep of stored files nobody names and, once per process, the oficios whose case ended cancelled without
 * them (tasks of the queues' periodic job, run by the one process holding the maintenance lease). Needs the engine
 * (EngineModule is global) and staff auth (AuthModule is global).
 */
@Global()
@Module({})
export class OficiosModule implements OnModuleInit {
  constructor(
    private readonly runtime: QueueRuntime,
    private readonly fileSweep: StoredFileSweep,
    private readonly oficios: OficiosService,
  ) {}

  /** `signer`: loaded before the application is built (loadPdfSigner), so a certificate that is not valid stops the start first. */
  static forRoot(signer: PdfSigner): DynamicModule {
    return {
      module: OficiosModule,
      controllers: [OficiosController, DocumentsController, VerificationPageController, VerificationApiController],
      providers: [
        {
          provide: FILE_STORE,
          inject: [APP_CONFIG, DataSource],
          useFactory: (c: AppConfig, ds: DataSource) => fileStoreFor(c, ds),
        },
        { provide: PDF_SIGNER, useValue: signer },
        OficiosService,
        OficioRegisterService,
        OficioLineStanding,
        OficioLineDefaults,
        OficioParents,
        OficioSearch,
        DocumentsService,
        DocumentIssuer,
        LetterSettingsService,
        AcuseProcessor,
        ReplyLetterProcessor,
        VerificationRateLimit,
        StoredFileSweep,
      ],
      exports: [
        LetterSettingsService,
        OficiosService,
        OficioRegisterService,
        OficioParents,
        DocumentsService,
        FILE_STORE,
        PDF_SIGNER,
      ],
    };
  }

  onModuleInit(): void {
    this.runtime.addMaintenance('la limpieza del almacén de documentos', () => this.fileSweep.sweepIfDue());
    // Once per process, by whichever process holds the maintenance: not at every process's start, before it listens.
    this.runtime.addMaintenance('los oficios de trámites cancelados', () => this.oficios.reconcileOnce());
  }
}
