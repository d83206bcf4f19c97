import {
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  PayloadTooLargeException,
} from '@nestjs/common';
import { type Observable, of } from 'rxjs';
import type { DomainError } from '../common/domain-error';
import { oneFileInMemory, type UploadedFileData } from '../oficios/upload';
import { CsrfTokens, type PageRequest } from './page-auth';

/** A page request with its one uploaded file, or why the upload was refused. */
export type PageUploadRequest = PageRequest & { file?: UploadedFileData; uploadError?: DomainError; body?: unknown };

/**
 * One file of a staff page's form, in memory (oneFileInMemory). A refused upload is kept on the request for the page
 * to show next to its field, instead of an error page; the form token is checked once the multipart fields are parsed
 * (PageGuard skips multipart bodies). Each form says its field, limits and Spanish refusals.
 */
export abstract class PageFileUpload implements NestInterceptor {
  private readonly inner: NestInterceptor;

  protected constructor(
    private readonly csrf: CsrfTokens,
    field: string,
    limits: { fileSize: number; fields: number; fieldSize: number },
  ) {
    this.inner = oneFileInMemory(field, limits);
  }

  /** Why the upload was refused: `tooLarge` when the file passed its size limit, else a malformed multipart body. */
  protected abstract refusal(tooLarge: boolean): DomainError;

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = ctx.switchToHttp().getRequest<PageUploadRequest>();
    try {
      await this.inner.intercept(ctx, { handle: () => of(null) });
    } catch (e) {
      req.file = undefined;
      req.uploadError = this.refusal(e instanceof PayloadTooLargeException);
    }
    this.csrf.check(req);
    return next.handle();
  }
}
