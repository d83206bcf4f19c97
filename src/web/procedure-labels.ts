import { Injectable } from '@nestjs/common';
import { statesOf } from '../../machines/guide';
import { SOLICITANTE, SOLICITANTE_ROLES, type StepMeta, type TransitionMeta } from '../../machines/types';
import { EngineService } from '../engine/engine.service';
import type { EngineProcedure } from '../engine/procedure-registry';
import type { PayloadField } from '../../machines/parts/payloads';

export interface TaskStep {
  procedure: string;
  /** The state node id the engine stores as a task's step ("cuenta-bloquear.busqueda"). */
  stateId: string;
  title: string;
  /** The title of the step's procedure: a step's own title ("Atender incidente del servicio") repeats across them. */
  procedureTitle: string;
  role: string;
}

/** Events people never see a label for in the machines: the engine's own. */
const ENGINE_EVENTS: Record<string, string> = {
  INICIAR: 'Inicio del trámite',
  MIGRAR_VERSION: 'Cambio de versión del procedimiento',
  DESCARGAR_DOCUMENTO: 'Descarga de documento',
  DESCARGA_RECHAZADA: 'Intento de descarga rechazado',
};

/**
 * Names of the data a movement carries besides its event's declared fields: the case's opening (the oficio, the
 * level, the school) and the facts the engine adds.
 */
const DATA_LABELS: Record<string, string> = {
  oficio: 'Oficio',
  folio: 'Número',
  fecha: 'Fecha',
  asunto: 'Asunto',
  nivel: 'Nivel',
  cct: 'CCT',
  curp: 'CURP',
  cuentaId: 'Cuenta',
  cuentaExistente: 'Cuenta existente',
  nombre: 'Nombre',
  tipo: 'Tipo de cuenta',
  localPart: 'Nombre de la cuenta',
  address: 'Dirección de la cuenta',
  motivo: 'Motivo',
  message: 'Mensaje de error',
  permanent: 'Error definitivo',
  letterId: 'Oficio de respuesta',
  documentoId: 'Documento',
  version: 'Versión',
  // A case opened by reconciliation (issue 14): its «(inicio)» says where it came from.
  origen: 'Origen',
  hallazgoId: 'Hallazgo de la conciliación',
  hallazgo: 'Hallazgo',
  direccion: 'Cuenta',
  importacionAt: 'Fecha de la importación',
  // …and, when the automatic blocking policy accepted the finding, which policy and since when the baja counts.
  aceptadoPor: 'Aceptado por',
  bajaDesde: 'Baja detectada desde',
};

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
/** "la CURP del nuevo titular" → "CURP del nuevo titular". */
const heading = (label: string): string => capital(label.replace(/^(el|la|los|las|si) /, ''));

/**
 * Names the pages show, read from the procedure machines (the same metadata the engine and the generated guide
 * use): procedure titles, the steps that open tasks, and the label of every event.
 */
@Injectable()
export class ProcedureLabels {
  private readonly latest = new Map<string, EngineProcedure>();
  private readonly events = new Map<string, string>();
  readonly taskSteps: TaskStep[] = [];
  /** procedures(): every procedure by its section of the guide, sorted on first use. */
  private byGuideSection?: { value: string; label: string }[];

  constructor(private readonly engine: EngineService) {
    for (const d of engine.registry.definitions) {
      const prev = this.latest.get(d.id);
      if (!prev || prev.version < d.version) this.latest.set(d.id, d);
      for (const node of statesOf(d.machine)) {
        const task = (node.meta as StepMeta | undefined)?.task;
        // A step of the oficio's sender is in the inbox of each role the sender can be.
        const roles = !task ? [] : task.role === SOLICITANTE ? SOLICITANTE_ROLES : [task.role];
        for (const role of roles) {
          if (task && !this.taskSteps.some((s) => s.stateId === node.id && s.role === role))
            this.taskSteps.push({
              procedure: d.id,
              stateId: node.id,
              title: task.title,
              procedureTitle: d.title,
              role,
            });
        }
        for (const t of [...node.transitions.values()].flat()) {
          const label = (t.meta as TransitionMeta | undefined)?.label;
          if (label) this.events.set(`${d.id}@${d.version}:${t.eventType}`, label);
        }
      }
    }
  }

  title(procedureId: string): string {
    return this.latest.get(procedureId)?.title ?? procedureId;
  }

  section(procedureId: string): string {
    return this.latest.get(procedureId)?.guideSection ?? '';
  }

  /** Every procedure, for a filter: "5.5 — Bloqueo de …". */
  procedures(only?: readonly string[]): { value: string; label: string }[] {
    // Sorted once: localeCompare with a locale builds a collator per comparison (~0.1 ms of every inbox page).
    this.byGuideSection ??= [...this.latest.values()]
      .sort((a, b) => a.guideSection.localeCompare(b.guideSection, 'es', { numeric: true }))
      .map((d) => ({ value: d.id, label: `${d.guideSection} — ${d.title}` }));
    return this.byGuideSection.filter((p) => !only || only.includes(p.value)).map((p) => ({ ...p }));
  }

  /** What a field of an event is, as the machines declare it (the variant's fields too): its label and kind. */
  private field(procedureId: string, version: number, event: string, key: string): PayloadField | undefined {
    const def = this.engine.registry.definitions.find((d) => d.id === procedureId && d.version === version);
    const decl = def?.eventPayloads[event];
    if (!decl) return undefined;
    if (Object.hasOwn(decl.fields, key)) return decl.fields[key];
    for (const c of Object.values(decl.variants?.cases ?? {})) if (Object.hasOwn(c, key)) return c[key];
    if (decl.variants?.by === key)
      return {
        kind: 'enum',
        values: Object.keys(decl.variants.cases),
        names: decl.variants.names,
        label: decl.variants.label,
      };
    return undefined;
  }

  /**
   * How the movement log names a datum of an event ("CURP del nuevo titular" for `newCurp`) and, for one of a list of
   * values, how it names the value ("Servicio" for `servicio`); the key itself only when nobody named it.
   */
  dataLabel(
    procedureId: string,
    version: number,
    event: string,
    key: string,
  ): { label: string; names: Readonly<Record<string, string>> } {
    const f = this.field(procedureId, version, event, key);
    const names = f?.kind === 'enum' ? (f.names ?? {}) : {};
    return { label: f ? heading(f.label) : (DATA_LABELS[key] ?? key), names };
  }

  eventLabel(procedureId: string, version: number, event: string): string {
    return this.events.get(`${procedureId}@${version}:${event}`) ?? ENGINE_EVENTS[event] ?? event;
  }

  stepTitle(stateId: string): string {
    return this.taskSteps.find((s) => s.stateId === stateId)?.title ?? stateId;
  }
}
