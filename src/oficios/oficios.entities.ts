import { IssuedDocument, DocumentDownload } from './entities/document.entity';
import { FolioCounter } from './entities/folio-counter.entity';
import { LetterSettings } from './entities/letter-settings.entity';
import { Oficio } from './entities/oficio.entity';
import { OficioLinea, OficioRespuesta } from './entities/oficio-linea.entity';
import { OficioWord } from './entities/oficio-word.entity';
import { StoredFileChunk, StoredFileRow } from './entities/stored-file.entity';

/** The tables this module owns; the composition root (src/entities.ts) gathers every module's list. */
export const OFICIOS_ENTITIES = [
  Oficio,
  OficioLinea,
  OficioRespuesta,
  OficioWord,
  FolioCounter,
  IssuedDocument,
  DocumentDownload,
  LetterSettings,
  StoredFileRow,
  StoredFileChunk,
];
