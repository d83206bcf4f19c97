import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type FindOptionsSelect, In } from 'typeorm';
import type { Actor } from '../auth/actor';
import { DomainError, notFound } from '../common/domain-error';
import { UUID } from '../common/uuid';
import { type EngineEvent, EngineService } from './engine.service';
import { type CaseStatus, ProcedureCase } from './entities/case.entity';
import { EVENT_DEFAULTS, type EventDefaults } from './event-defaults';

/** Most cases one request works together: an oficio's annex holds up to 500 lines. */
export const BULK_MAX = 500;

/**
 * The acts that may be done to many cases at once: a step's plain act (nothing to type, or, for CREAR_CUENTA, what
 * each case already holds). Deny by default: any other act (a CANCELAR's reason, a correction, a system event) is
 * one case's decision and goes through POST /api/tramites/:id/eventos.
 */
export const BULK_EVENTS = [
  'TURNAR',
  'RECIBIR_TURNO',
  'CREAR_CUENTA',
  'ENVIAR_RESPUESTA',
  'TURNAR_RESPUESTA',
  'ACUSAR_RECIBO',
  'ENTREGAR_CREDENCIALES',
  'CONFIRMAR',
  'REINTENTAR',
] as const;

export interface BulkItem {
  id: string;
  version: number;
  /** This case's own data; it wins over the request's common `datos` and over what the case holds. */
  datos?: Record<string, unknown>;
}

export type BulkOutcome =
  | { id: string; ok: true; version: number; estado: string; status: CaseStatus; resultado: string | null }
  | {
      id: string;
      ok: false;
      status: number;
      error: string;
      mensaje: string;
      versionActual?: number;
    };

export interface BulkAnswer {
  tipo: string;
  total: number;
  hechos: number;
  conError: number;
  resultados: BulkOutcome[];
}

/** Where a case stands, for a client choosing which cases to work together (an oficio's lines at one step). */
export interface CaseStanding {
  id: string;
  state: string;
  status: CaseStatus;
  version: number;
  outcome: string | null;
}

/**
 * One act on many cases (the Subjefatura working an oficio's 25 schools together): each case in its own transaction
 * through EngineService.send, with every check of a single act (scope 404, role 403, version 409, data 422). A case
 * that fails is answered with its error and never stops or undoes the others; the answer lists every case in the
 * order sent.
 */
@Injectable()
export class BulkEventsService {
  private readonly log = new Logger('Motor');
  /** Defaults other modules add (addDefaults), asked after EVENT_DEFAULTS. */
  private readonly more: EventDefaults[] = [];

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly engine: EngineService,
    // Absent where no catalog is wired: the sender then gives every case's data.
    @Optional() @Inject(EVENT_DEFAULTS) private readonly defaults?: EventDefaults,
  ) {}

  /**
   * Another source of a case's data for bulk acts, asked after EVENT_DEFAULTS in the order added: the oficios module
   * gives a 5.3.1 line's CREAR_CUENTA its holder, type and name (the engine cannot import the oficios it is used by).
   */
  addDefaults(defaults: EventDefaults): void {
    this.more.push(defaults);
  }

  private get fillers(): EventDefaults[] {
    return [...(this.defaults ? [this.defaults] : []), ...this.more];
  }

  async send(
    actor: Actor,
    tipo: string,
    items: readonly BulkItem[],
    datos: Record<string, unknown> = {},
  ): Promise<BulkAnswer> {
    if (!(BULK_EVENTS as readonly string[]).includes(tipo))
      throw new DomainError(
        'ACCION_NO_MASIVA',
        `La acción «${tipo}» no se aplica a varios trámites a la vez; hágala en cada trámite. Se aplican juntas: ` +
          `${BULK_EVENTS.join(', ')}.`,
        422,
      );
    if (items.length === 0 || items.length > BULK_MAX)
      throw new DomainError('LOTE_INVALIDO', `Indique de 1 a ${BULK_MAX} trámites.`, 400);
    // The cases' own data in one read (by primary key), for the acts that take it from the case.
    const ids = [...new Set(items.map((i) => i.id).filter((id) => UUID.test(id)))];
    const rows =
      this.fillers.length > 0 && tipo === 'CREAR_CUENTA'
        ? await this.casesById(ids, {
            id: true,
            procedureId: true,
            cct: true,
            curp: true,
            nivelClave: true,
            responsableId: true,
          })
        : new Map<string, ProcedureCase>();
    const resultados: BulkOutcome[] = [];
    for (const item of items) resultados.push(await this.one(actor, tipo, item, datos, rows.get(item.id)));
    const hechos = resultados.filter((r) => r.ok).length;
    return { tipo, total: resultados.length, hechos, conError: resultados.length - hechos, resultados };
  }

  private async one(
    actor: Actor,
    tipo: string,
    item: BulkItem,
    datos: Record<string, unknown>,
    row: ProcedureCase | undefined,
  ): Promise<BulkOutcome> {
    try {
      // A malformed id is a case that does not exist, as on the single route.
      if (!UUID.test(item.id)) throw notFound('El trámite');
      let event: EngineEvent = { ...datos, ...(item.datos ?? {}), type: tipo };
      // Only a case the actor may see lends its data: what it holds must not leak through a refusal.
      if (row) {
        this.engine.checkScope(row, actor);
        for (const d of this.fillers) event = await d.fill(this.ds.manager, row, event);
      }
      const r = await this.engine.send(item.id, event, actor, { expectedVersion: item.version });
      return { id: item.id, ok: true, version: r.version, estado: r.state, status: r.status, resultado: r.outcome };
    } catch (e) {
      if (e instanceof DomainError) {
        const versionActual = e.details?.versionActual;
        return {
          id: item.id,
          ok: false,
          status: e.status,
          error: e.code,
          mensaje: e.message,
          ...(typeof versionActual === 'number' ? { versionActual } : {}),
        };
      }
      // The person gets no internals; the log gets the case and the message (no event data).
      this.log.error({ caseId: item.id, event: tipo, err: (e as Error).message }, 'Falló un trámite de un lote');
      return {
        id: item.id,
        ok: false,
        status: 500,
        error: 'ERROR_INTERNO',
        mensaje: 'Ocurrió un error interno con este trámite; los demás siguieron. Intente de nuevo con él.',
      };
    }
  }

  /** Where these cases stand (state, status, version, outcome), by primary key; unknown ids are absent. */
  async standing(caseIds: readonly string[]): Promise<Map<string, CaseStanding>> {
    const rows = await this.casesById(caseIds, { id: true, state: true, status: true, version: true, outcome: true });
    return new Map(
      [...rows.values()].map((r) => [
        r.id,
        { id: r.id, state: r.state, status: r.status, version: r.version, outcome: r.outcome },
      ]),
    );
  }

  /** Some columns of these cases by primary key, 500 ids a statement; unknown ids are absent. */
  private async casesById(
    ids: readonly string[],
    select: FindOptionsSelect<ProcedureCase>,
  ): Promise<Map<string, ProcedureCase>> {
    const out = new Map<string, ProcedureCase>();
    for (let i = 0; i < ids.length; i += 500)
      for (const r of await this.ds
        .getRepository(ProcedureCase)
        .find({ select, where: { id: In(ids.slice(i, i + 500)) } }))
        out.set(r.id, r);
    return out;
  }
}
