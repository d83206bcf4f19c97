import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { StepMeta } from '../../machines/types';
import { notFound } from '../common/domain-error';
import type { Actor } from '../auth/actor';
import { EngineService } from './engine.service';
import { ProcedureCase } from './entities/case.entity';
import { Movement } from './entities/movement.entity';
import { Task } from './entities/task.entity';
import { type InboxItem, InboxService } from './inbox.service';
import type { EngineProcedure } from './procedure-registry';
import { withoutSecrets } from './snapshot';

export interface CaseView {
  id: string;
  procedimiento: string;
  titulo: string;
  version: number;
  versionProcedimiento: number;
  folio: string | null;
  estado: string;
  situacion: string;
  resultado: string | null;
  incidente: string | null;
  pasosActuales: { no: string; responsable: string; actividad: string }[];
  acciones: { evento: string; etiqueta: string }[];
  datos: unknown;
  tareas: InboxItem[];
  creado: string;
  actualizado: string;
}

/** Where a case stands: the procedure version it runs and its current state path(s), for who draws it. */
export interface CasePosition {
  procedure: EngineProcedure;
  states: string[];
}

/** Reading side of the engine: a case as its actor may see it, and its movements. */
@Injectable()
export class CaseQueryService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly engine: EngineService,
    private readonly inbox: InboxService,
  ) {}

  async get(caseId: string, actor: Actor): Promise<CaseView> {
    const row = await this.ds.getRepository(ProcedureCase).findOne({ where: { id: caseId } });
    if (!row) throw notFound('El trámite');
    this.engine.checkScope(row, actor);
    const def = this.engine.registry.get(row.procedureId, row.procedureVersion);
    const tasks = await this.ds.getRepository(Task).find({ where: { caseId }, order: { createdAt: 'ASC' } });
    let pasosActuales: CaseView['pasosActuales'] = [];
    let acciones: CaseView['acciones'] = [];
    let datos: unknown = null;
    if (row.status !== 'incidente' || !row.incidentMessage?.startsWith('El estado guardado')) {
      const snap = this.engine.load(def, row);
      pasosActuales = Object.values(snap.getMeta() as Record<string, StepMeta | undefined>).flatMap((m) =>
        (m?.pasos ?? []).map((p) => ({ no: p.no, responsable: p.responsable, actividad: p.actividad })),
      );
      acciones =
        snap.status === 'active'
          ? this.engine.availableEvents(snap, row, actor).map((a) => ({ evento: a.event, etiqueta: a.label }))
          : [];
      datos = withoutSecrets(snap.context);
    }
    return {
      id: row.id,
      procedimiento: row.procedureId,
      titulo: def.title,
      version: row.version,
      versionProcedimiento: row.procedureVersion,
      folio: row.folio,
      estado: row.state,
      situacion: row.status,
      resultado: row.outcome,
      incidente: row.incidentMessage,
      pasosActuales,
      acciones,
      datos,
      tareas: tasks.map((t) => this.inbox.view(t)),
      creado: row.createdAt.toISOString(),
      actualizado: row.updatedAt.toISOString(),
    };
  }

  /** The procedure version a case runs and the state(s) it is in (src/diagram draws them). */
  async position(caseId: string, actor: Actor): Promise<CasePosition> {
    const row = await this.ds.getRepository(ProcedureCase).findOne({ where: { id: caseId } });
    if (!row) throw notFound('El trámite');
    this.engine.checkScope(row, actor);
    return { procedure: this.engine.registry.get(row.procedureId, row.procedureVersion), states: row.state.split(',') };
  }

  async movements(caseId: string, actor: Actor) {
    const row = await this.ds.getRepository(ProcedureCase).findOne({ where: { id: caseId } });
    if (!row) throw notFound('El trámite');
    this.engine.checkScope(row, actor);
    const rows = await this.ds.getRepository(Movement).find({ where: { caseId }, order: { seq: 'ASC' } });
    return rows.map((m) => ({
      seq: m.seq,
      fecha: m.at,
      actor: m.actorId,
      rol: m.actorRole,
      de: m.fromState,
      a: m.toState,
      evento: m.eventType,
      datos: JSON.parse(m.data) as unknown,
      pasos: m.pasos,
      huella: m.hash,
    }));
  }
}
