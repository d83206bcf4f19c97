/**
 * What a procedure's state diagram says, before any geometry: one box per state (its name, guide steps and who does
 * them) and one arrow per pair of states (every event and eventless transition between them, said in Spanish).
 * Everything is listed in declaration order, so the same machine gives the same model.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { statePath, statesOf } from '../../machines/guide';
import type { CommandType, SOLICITANTE, StepMeta, TaskRole, TransitionMeta } from '../../machines/types';

/** Text sizes (px) the emitter draws with; box and label sizes are estimated from them. */
export const TEXT = { title: 11.5, body: 10, label: 9.5, lineHeight: 13 } as const;
/** Widest box; narrower texts give narrower boxes. */
const BOX_MAX_W = 200;
const BOX_MIN_W = 120;
const BOX_PAD_X = 16;
/** Edge labels wrap at this many characters, so one long label does not widen its whole layer. */
const LABEL_CHARS = 28;

export type BoxKind = 'estado' | 'decision' | 'final' | 'incidente';

export interface StateBox {
  /** The state's path ("recepcion"), as a case's `state` column reads it. */
  key: string;
  /** The state node's id ("personal-alta.recepcion"): a caller may name the active state either way. */
  nodeId: string;
  kind: BoxKind;
  lines: { text: string; cls: 'nombre' | 'pasos' | 'responsable' }[];
  width: number;
  height: number;
}

export interface DiagramEdge {
  source: string;
  target: string;
  /** The label's lines (every transition between the pair, joined by " / "); empty when none says anything. */
  label: string[];
  /** Events of the transitions it draws (eventless ones add none). */
  events: string[];
}

export interface DiagramModel {
  id: string;
  boxes: StateBox[];
  edges: DiagramEdge[];
  /** The initial state's key. */
  initial: string;
}

/** Eventless transitions and guarded alternatives, said the way the guide's decisions say them. */
const GUARD_TEXT: Record<string, (params: Record<string, unknown> | undefined) => string> = {
  identidadValida: () => 'datos correctos',
  ultimoIntento: () => 'último intento fallido',
  cuentaPersonal: (p) => (p?.existe ? 'ya tiene cuenta personal' : 'no tiene cuenta personal'),
  tieneCorreoAlterno: () => 'tiene correo alterno',
  incidenteDe: (p) =>
    ({ provision: 'falló la cuenta', sendCredentials: 'falló el envío', renderReplyLetter: 'falló el oficio' })[
      String(p?.command)
    ] ?? String(p?.command),
  tipoDeCuenta: () => '',
  solicitudRechazada: () => 'no procede',
  nombreDistinto: () => 'otro nombre',
};

const EFFECT_NAME: Record<CommandType, string> = {
  provision: 'Servicio de cuentas',
  sendCredentials: 'Envío de los datos de acceso',
  renderReplyLetter: 'Oficio de respuesta',
  notifyHolder: 'Aviso al titular',
  notifySchool: 'Aviso al centro de trabajo',
  renderAcuse: 'Acuse de recibo',
  wipeChosenPassword: 'Borrado de la contraseña elegida',
};

const TASK_ROLE_NAME: Record<TaskRole | typeof SOLICITANTE, string> = {
  subdireccion: 'Subdirección de Sistemas y Servicios Telemáticos',
  subjefatura: 'Subjefatura de Sistemas',
  nivel: 'Nivel',
  centro_trabajo: 'Centro de trabajo',
  responsable: 'Responsable del programa, función o servicio',
  solicitante: 'Quien envió el oficio (nivel o área)',
};

/** A rough width of a text line: no font metrics on the server, an average glyph is ~0.56–0.6 of the font size. */
export const textWidth = (text: string, size: number, bold = false): number => text.length * size * (bold ? 0.6 : 0.56);

/** Splits text into lines of at most `max` characters, at spaces. */
function wrap(text: string, max: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > max) {
      out.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) out.push(line);
  return out;
}

/** "datosIncorrectos" → "Datos incorrectos"; the state ids are Spanish without accents ("validacion" → "validación"). */
function humanize(id: string): string {
  const words = id
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/cion\b/g, 'ción');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function guardText(guard: unknown): string {
  if (!guard) return '';
  const type = typeof guard === 'string' ? guard : (guard as { type?: unknown }).type;
  const params = typeof guard === 'object' ? (guard as { params?: Record<string, unknown> }).params : undefined;
  const name = typeof type === 'string' ? type : '';
  return GUARD_TEXT[name]?.(params) ?? name;
}

function kindOf(node: AnyStateNode): BoxKind {
  if (node.type === 'final') return 'final';
  if ((node.meta as StepMeta | undefined)?.incident) return 'incidente';
  return (node.always ?? []).length > 0 ? 'decision' : 'estado';
}

/** "Sección 2 pasos 3, 4; paso 5": the guide steps a state carries, grouped by section. */
function stepsText(pasos: NonNullable<StepMeta['pasos']>): string {
  const bySection = new Map<string, string[]>();
  for (const p of pasos) bySection.set(p.seccion ?? '', [...(bySection.get(p.seccion ?? '') ?? []), p.no]);
  const text = [...bySection.entries()]
    .map(([section, nos]) => `${section ? `${section} ` : ''}${nos.length > 1 ? 'pasos' : 'paso'} ${nos.join(', ')}`)
    .join('; ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Who acts in a state without guide steps: the task's role, the awaited service, or the end. */
function noteOf(node: AnyStateNode, kind: BoxKind): string {
  const meta = node.meta as StepMeta | undefined;
  if (kind === 'final') return 'Fin del trámite';
  if (meta?.task) return TASK_ROLE_NAME[meta.task.role];
  if (meta?.awaitsEffect) return 'Servicio (en espera del resultado)';
  return statePath(node);
}

function boxOf(node: AnyStateNode): StateBox {
  const meta = node.meta as StepMeta | undefined;
  const kind = kindOf(node);
  const inner = BOX_MAX_W - BOX_PAD_X;
  const bodyChars = Math.floor(inner / (TEXT.body * 0.56));
  const name =
    meta?.task?.title ?? (meta?.awaitsEffect ? EFFECT_NAME[meta.awaitsEffect] : undefined) ?? humanize(node.key);
  const lines: StateBox['lines'] = wrap(name, Math.floor(inner / (TEXT.title * 0.6))).map((text) => ({
    text,
    cls: 'nombre' as const,
  }));
  const pasos = meta?.pasos ?? [];
  const body: [string, 'pasos' | 'responsable'][] = pasos.length
    ? [
        [stepsText(pasos), 'pasos'],
        [[...new Set(pasos.map((p) => p.responsable))].join(' / '), 'responsable'],
      ]
    : [[noteOf(node, kind), 'responsable']];
  for (const [text, cls] of body) for (const line of wrap(text, bodyChars)) lines.push({ text: line, cls });
  const widest = Math.max(
    ...lines.map((l) => textWidth(l.text, l.cls === 'nombre' ? TEXT.title : TEXT.body, l.cls === 'nombre')),
  );
  const width = Math.round(Math.min(BOX_MAX_W, Math.max(BOX_MIN_W, widest + BOX_PAD_X)));
  return { key: statePath(node), nodeId: node.id, kind, lines, width, height: 16 + lines.length * TEXT.lineHeight };
}

/** One edge per (source, target) pair, gathering the labels and events of every transition between them. */
function collectEdges(nodes: AnyStateNode[]): DiagramEdge[] {
  const byPair = new Map<string, DiagramEdge & { texts: string[] }>();
  const add = (source: string, target: string, event: string, text: string) => {
    const pair = `${source}\u0000${target}`;
    const e = byPair.get(pair) ?? { source, target, label: [], events: [], texts: [] };
    if (text && !e.texts.includes(text)) e.texts.push(text);
    if (event && !e.events.includes(event)) e.events.push(event);
    byPair.set(pair, e);
  };
  for (const node of nodes) {
    const source = statePath(node);
    const always = node.always ?? [];
    for (const t of [...[...node.transitions.values()].flat(), ...always]) {
      const eventless = always.includes(t);
      const cond = guardText(t.guard);
      const base = (t.meta as TransitionMeta | undefined)?.label ?? String(t.eventType);
      const text = eventless ? cond || 'en otro caso' : cond ? `${base} (${cond})` : base;
      const targets = (t.target ?? []).map(statePath);
      for (const target of targets.length ? targets : [source])
        add(source, target, eventless ? '' : String(t.eventType), text);
    }
  }
  return [...byPair.values()].map(({ texts, ...e }) => ({ ...e, label: wrap(texts.join(' / '), LABEL_CHARS) }));
}

export function diagramModel(machine: AnyStateMachine): DiagramModel {
  const nodes = statesOf(machine).filter((n) => n.type !== 'history');
  const boxes = nodes.map(boxOf);
  const initial = (machine.root.initial?.target ?? []).map(statePath)[0] ?? boxes[0].key;
  return { id: machine.id, boxes, edges: collectEdges(nodes), initial };
}
