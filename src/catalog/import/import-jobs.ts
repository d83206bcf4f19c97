import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { isCatalogKind, type CatalogKind } from './catalog-rows';
import { type ImportMode, ImportService, type ImportSummary, type RejectedRow } from './import.service';

export type ImportJobStatus = 'en_curso' | 'terminada' | 'por_confirmar' | 'fallida';

export interface ImportJob {
  id: string;
  kind: CatalogKind;
  mode: ImportMode;
  fileName: string;
  /** The staff user who uploaded the file: the only one who sees the job. */
  startedBy: string;
  startedAt: Date;
  finishedAt: Date | null;
  status: ImportJobStatus;
  phase: 'validando' | 'cargando';
  done: number;
  total: number;
  summary: Omit<ImportSummary, 'rejections'> | null;
  rejections: RejectedRow[];
  /** The Spanish reason of a refusal or a failure (a full import that retires too many waits for confirmation). */
  message: string | null;
  /** The file, kept only while a full import waits for its deactivation to be confirmed. */
  content: Buffer | null;
}

/** How long a finished job (its summary and rejected rows) stays to be read. */
const KEEP_MS = 6 * 3600_000;
const MAX_JOBS = 50;

/**
 * Catalog imports started from the browser, run in the background of this process (the CLI runs the same
 * ImportService in the foreground). The page polls the job's progress; a full import that would retire more than
 * RETIREMENT_CONFIRM_PERCENT stops before writing and waits for the person to confirm it or to load it as partial.
 *
 * Jobs live in this process's memory: the embedded default runs one process; several web processes need the
 * balancer to keep a user on the same one while an import runs (the import itself is a normal database write).
 */
@Injectable()
export class CatalogImportJobs {
  private readonly log = new Logger('Importaciones');
  private readonly jobs = new Map<string, ImportJob>();
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly imports: ImportService) {}

  start(input: { kind: string; mode: string; fileName: string; content: Buffer; startedBy: string }): ImportJob {
    if (!isCatalogKind(input.kind))
      throw new DomainError(
        'IMPORTACION_TIPO_DESCONOCIDO',
        'Elija qué catálogo importa: trabajadores o centros de trabajo.',
        400,
        { campo: 'catalogo' },
      );
    if (input.mode !== 'full' && input.mode !== 'partial')
      throw new DomainError(
        'DATOS_INVALIDOS',
        'Elija si el archivo es el catálogo completo o una actualización parcial.',
        400,
        { campo: 'modo' },
      );
    if (!input.content.length)
      throw new DomainError('ARCHIVO_INVALIDO', 'El archivo está vacío.', 400, { campo: 'archivo' });
    this.prune();
    const job: ImportJob = {
      id: randomUUID(),
      kind: input.kind,
      mode: input.mode,
      fileName: input.fileName.slice(0, 200),
      startedBy: input.startedBy,
      startedAt: new Date(),
      finishedAt: null,
      status: 'en_curso',
      phase: 'validando',
      done: 0,
      total: 0,
      summary: null,
      rejections: [],
      message: null,
      content: input.content,
    };
    this.jobs.set(job.id, job);
    this.run(job, false);
    return job;
  }

  /** The job, to whoever started it; anyone else gets the same 404 as for a job that does not exist. */
  get(id: string, staffId: string): ImportJob {
    const job = this.jobs.get(id);
    if (!job || job.startedBy !== staffId)
      throw new DomainError('NO_ENCONTRADO', 'La importación no existe, ya expiró o no la inició usted.', 404);
    return job;
  }

  list(staffId: string): ImportJob[] {
    return [...this.jobs.values()].filter((j) => j.startedBy === staffId).sort((a, b) => +b.startedAt - +a.startedAt);
  }

  /** After the refusal of a mass retirement: load confirming it, or load the same file as a partial import. */
  decide(id: string, staffId: string, decision: string): ImportJob {
    const job = this.get(id, staffId);
    if (job.status !== 'por_confirmar' || !job.content)
      throw new DomainError('IMPORTACION_SIN_CONFIRMACION', 'Esta importación no espera confirmación.', 409);
    if (decision !== 'confirmar' && decision !== 'parcial')
      throw new DomainError('DATOS_INVALIDOS', 'Elija confirmar la desactivación o importar como parcial.', 400);
    if (decision === 'parcial') job.mode = 'partial';
    Object.assign(job, { status: 'en_curso', phase: 'validando', done: 0, total: 0, message: null });
    this.run(job, decision === 'confirmar');
    return job;
  }

  /** Resolves when every import started so far has ended (tests, shutdown). */
  idle(): Promise<void> {
    return this.running.then(() => undefined);
  }

  private run(job: ImportJob, confirmRetirement: boolean): void {
    const work = this.imports
      .import({
        kind: job.kind,
        mode: job.mode,
        content: job.content!,
        confirmRetirement,
        onProgress: (p) => Object.assign(job, { phase: p.phase, done: p.done, total: p.total }),
      })
      .then((summary) => {
        const { rejections, ...rest } = summary;
        Object.assign(job, { status: 'terminada', summary: rest, rejections, content: null, finishedAt: new Date() });
      })
      .catch((e: unknown) => {
        if (e instanceof DomainError && e.code === 'IMPORTACION_DESACTIVACION_MASIVA') {
          // Nothing was written: the file waits for the person's decision.
          Object.assign(job, {
            status: 'por_confirmar',
            message: e.message.replace(/ Si lo es, vuelva a importarlo.*$/, ''),
          });
          return;
        }
        if (!(e instanceof DomainError)) this.log.error({ err: e, job: job.id }, 'La importación falló');
        Object.assign(job, {
          status: 'fallida',
          message: e instanceof DomainError ? e.message : 'Ocurrió un error interno; no se completó la importación.',
          content: null,
          finishedAt: new Date(),
        });
      });
    this.running = Promise.all([this.running, work]);
  }

  private prune(now = Date.now()): void {
    for (const [id, j] of this.jobs)
      if (j.status !== 'en_curso' && now - +(j.finishedAt ?? j.startedAt) > KEEP_MS) this.jobs.delete(id);
    const old = [...this.jobs.values()].sort((a, b) => +a.startedAt - +b.startedAt);
    while (old.length > MAX_JOBS) {
      const j = old.shift()!;
      if (j.status !== 'en_curso') this.jobs.delete(j.id);
    }
  }
}
