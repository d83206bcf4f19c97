import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  type NestInterceptor,
  PayloadTooLargeException,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Observable } from 'rxjs';
import { DomainError } from '../common/domain-error';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const UPLOAD_FIELD = 'archivo';

/** What multer's memory storage leaves on the request (no @types/multer in this project). */
export interface UploadedFileData {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

export type DetectedType = 'application/pdf' | 'image/png' | 'image/jpeg' | 'image/tiff';

/**
 * The type of a scanned oficio from its first bytes: what the browser or the file name claims is not trusted. A PDF
 * header may sit anywhere in the first 1024 bytes (ISO 32000-1, 7.5.2).
 */
export function detectType(data: Buffer): DetectedType | null {
  const starts = (sig: number[]): boolean => data.length >= sig.length && sig.every((b, i) => data[i] === b);
  if (data.subarray(0, 1024).includes('%PDF-', 0, 'latin1')) return 'application/pdf';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x49, 0x49, 0x2a, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  return null;
}

export const tooLarge = (): DomainError =>
  new DomainError(
    'ARCHIVO_DEMASIADO_GRANDE',
    `El archivo excede el tamaño máximo permitido (${MAX_UPLOAD_BYTES / 1024 / 1024} MB). Escanee el oficio a menor resolución o en escala de grises e intente de nuevo.`,
    413,
  );

/**
 * Nest's FileInterceptor for one file in `field`, kept in memory (multer's memory storage). File names are read as
 * UTF-8, as browsers send them: busboy's default (latin1) turned «Oficio Núñez.pdf» into «Oficio NÃºÃ±ez.pdf».
 */
export function oneFileInMemory(
  field: string,
  limits: { fileSize: number; fields: number; fieldSize: number },
): NestInterceptor {
  return new (FileInterceptor(field, { limits: { ...limits, files: 1 }, defParamCharset: 'utf8' }))();
}

/**
 * One file in the field «archivo», kept in memory up to 10 MB (Nest's FileInterceptor, multer memory storage), with
 * multer's English errors turned into Spanish ones.
 */
@Injectable()
export class SingleFileUpload implements NestInterceptor {
  private readonly inner = oneFileInMemory(UPLOAD_FIELD, {
    fileSize: MAX_UPLOAD_BYTES,
    fields: 40,
    fieldSize: 64 * 1024,
  });

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    try {
      return await this.inner.intercept(context, next);
    } catch (e) {
      if (e instanceof PayloadTooLargeException) throw tooLarge();
      if (e instanceof HttpException) {
        throw new DomainError(
          'ARCHIVO_INVALIDO',
          `Envíe un solo archivo, en el campo «${UPLOAD_FIELD}», como formulario multipart.`,
          400,
        );
      }
      throw e;
    }
  }
}
