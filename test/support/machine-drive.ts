/**
 * Helpers for the machine specs: a driver over the pure `transition` API, representative events for graph walks,
 * and a reader of the guide's text. Test-only; nothing in the product imports it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createActor, initialTransition, transition, type SnapshotFrom } from 'xstate';
import { commandsOf, type DeclaredCommand } from '../../machines/commands';
import type { ProcedureMachine } from '../../machines/index';
import type { CaseContext, CaseInput, ProcedureEvent } from '../../machines/parts/setup';
import { RESPONSABLES } from '../../machines/types';

export type Snap = SnapshotFrom<ProcedureMachine>;

const AT = '2026-11-30T16:00:00.000Z';

export const ev = {
  solicitar: { type: 'SOLICITAR', at: AT },
  recibirOficio: { type: 'RECIBIR_OFICIO', at: '2026-11-30T17:00:00.000Z' },
  turnar: { type: 'TURNAR' },
  recibirTurno: { type: 'RECIBIR_TURNO' },
  identificar: (over: Partial<Extract<ProcedureEvent, { type: 'IDENTIFICAR' }>> = {}): ProcedureEvent => ({
    type: 'IDENTIFICAR',
    curp: 'GORM800101HCMMVN08',
    found: true,
    active: true,
    hasAlternateEmail: true,
    nombre: 'Ana Gómez Martínez',
    cuentaId: null,
    ...over,
  }),
  confirmar: { type: 'CONFIRMAR' },
  noConfirmar: { type: 'NO_CONFIRMAR' },
  vencimiento: { type: 'VENCIMIENTO', at: '2026-11-30T18:00:00.000Z' },
  crearCt: { type: 'CREAR_CUENTA', tipo: 'centro_trabajo', cct: '06DPR0001A', directorCurp: 'LOPJ700202HCMPRN05' },
  /** 5.2.1: the engine found that the school already has this account. */
  crearCtExistente: {
    type: 'CREAR_CUENTA',
    tipo: 'centro_trabajo',
    cct: '06DPR0001A',
    directorCurp: 'LOPJ700202HCMPRN05',
    cuentaExistente: { cuentaId: 'cta-ct', address: '06dpr0001a@colima.gob.mx' },
  },
  crearServicio: { type: 'CREAR_CUENTA', tipo: 'servicio', curp: 'RUZR750303MCMZRS09', localPart: 'becas' },
  crearFuncion: { type: 'CREAR_CUENTA', tipo: 'funcion', curp: 'RUZR750303MCMZRS09', localPart: 'atp.primaria' },
  restablecer: { type: 'RESTABLECER', cuentaId: 'cta-7' },
  reasignar: {
    type: 'REASIGNAR',
    cuentaId: 'cta-7',
    newCurp: 'NUVV900404HCMXGC09',
    previousCurp: 'AUTT800505MCMNRR08',
  },
  bloquear: { type: 'BLOQUEAR', cuentaId: 'cta-7' },
  /** 5.5 v3: the Subjefatura accepted a reconciliation finding that proposes blocking the account (issue 14). */
  conciliar: { type: 'CONCILIAR', cuentaId: 'cta-7', hallazgoId: 'hal-1', importacionAt: '2026-11-29T16:00:00.000Z' },
  regresar: { type: 'REGRESAR' },
  rechazar: { type: 'RECHAZAR', motivo: 'La escuela no tiene cuenta institucional' },
  cancelar: { type: 'CANCELAR', motivo: 'El oficio no corresponde' },
  reintentar: { type: 'REINTENTAR' },
  /** 5.3.1 v2: another name for the account whose name was taken (crearServicio asked for «becas»). */
  corregirNombre: { type: 'CORREGIR_NOMBRE', localPart: 'becas.estatales' },
  provisionOk: { type: 'PROVISION_OK', cuentaId: 'cta-7', address: 'cuenta@colima.gob.mx' },
  provisionError: { type: 'PROVISION_ERROR', message: 'La cuenta ya existe en el directorio', permanent: true },
  credentialsSent: { type: 'CREDENTIALS_SENT' },
  credentialsError: { type: 'CREDENTIALS_ERROR', message: 'SMTP 550', permanent: true },
  letterReady: { type: 'LETTER_READY', letterId: 'ofr-1' },
  letterError: { type: 'LETTER_ERROR', message: 'Certificado vencido', permanent: true },
  enviarRespuesta: { type: 'ENVIAR_RESPUESTA' },
  turnarRespuesta: { type: 'TURNAR_RESPUESTA' },
  acusarRecibo: { type: 'ACUSAR_RECIBO' },
  entregarCredenciales: { type: 'ENTREGAR_CREDENCIALES' },
  iniciarUso: { type: 'INICIAR_USO' },
} satisfies Record<string, ProcedureEvent | ((...args: never[]) => ProcedureEvent)>;

/** An oficio sent, received with its acuse, turned and received by the Subjefatura. */
export const RECEPCION: ProcedureEvent[] = [ev.solicitar, ev.recibirOficio, ev.turnar, ev.recibirTurno];
/** The reply letter signed, sent to the Subdirección, turned to the area and acknowledged. */
export const ENTREGA: ProcedureEvent[] = [ev.letterReady, ev.enviarRespuesta, ev.turnarRespuesta, ev.acusarRecibo];

/** One of each event, with the payload variants that lead to different branches. */
export const SAMPLE_EVENTS: ProcedureEvent[] = [
  ev.solicitar,
  ev.recibirOficio,
  ev.turnar,
  ev.recibirTurno,
  ev.identificar(),
  ev.identificar({ cuentaId: 'cta-personal' }),
  ev.identificar({ hasAlternateEmail: false }),
  ev.identificar({ hasAlternateEmail: false, cuentaId: 'cta-personal' }),
  ev.identificar({ found: false, nombre: null }),
  ev.identificar({ active: false }),
  ev.identificar({ cuentaId: 'cta-personal', cuentaBloqueada: true }),
  ev.confirmar,
  ev.noConfirmar,
  ev.vencimiento,
  ev.crearCt,
  ev.crearCtExistente,
  ev.crearServicio,
  ev.crearFuncion,
  ev.restablecer,
  ev.reasignar,
  ev.bloquear,
  ev.conciliar,
  ev.regresar,
  ev.rechazar,
  ev.cancelar,
  ev.reintentar,
  ev.corregirNombre,
  ev.provisionOk,
  ev.provisionError,
  ev.credentialsSent,
  ev.credentialsError,
  ev.letterReady,
  ev.letterError,
  ev.enviarRespuesta,
  ev.turnarRespuesta,
  ev.acusarRecibo,
  ev.entregarCredenciales,
  ev.iniciarUso,
];

export const INPUT: CaseInput = {
  caseId: 'case-1',
  oficio: { folio: 'DEP/123/2026', fecha: '2026-11-27' },
  nivel: 'primaria',
  cct: '06DPR0001A',
  canal: 'pii',
};

/**
 * Graph nodes: state value plus context without the attempt counters, so a retry loop does not make the graph
 * infinite while the CURP/CURT failures (which decide a branch) still count.
 */
export const serializeState = (snapshot: Snap): string => {
  const { intentos: _intentos, ...context }: CaseContext = snapshot.context;
  return JSON.stringify({ value: snapshot.value as unknown, context });
};

export interface Step {
  event: ProcedureEvent;
  value: unknown;
  status: string;
  commands: DeclaredCommand[];
}

/**
 * Runs events from the initial state through the pure API, failing on an event the current state does not accept.
 * Returns the final snapshot, the initial commands and each step.
 */
export function drive(machine: ProcedureMachine, events: ProcedureEvent[], input: CaseInput = INPUT) {
  const [initial, initialActions] = initialTransition(machine, input);
  let snapshot: Snap = initial;
  const steps: Step[] = [];
  for (const event of events) {
    if (!snapshot.can(event)) {
      throw new Error(`State ${JSON.stringify(snapshot.value)} does not accept ${event.type}`);
    }
    const [next, actions] = transition(machine, snapshot, event);
    snapshot = next;
    steps.push({ event, value: next.value, status: next.status, commands: commandsOf(actions) });
  }
  return { snapshot, initialCommands: commandsOf(initialActions), steps, commands: steps.flatMap((s) => s.commands) };
}

/** Roles the machine lets send this event in this state (empty when the state does not accept it). */
export function rolesOf(machine: ProcedureMachine, snapshot: Snap, event: ProcedureEvent): string[] {
  return machine.getTransitionData(snapshot, event).flatMap((t) => t.meta?.roles ?? []);
}

/** The task the engine would open in this state: "role: title", or null. */
export function taskOf(snapshot: Snap): string | null {
  const metas = Object.values(snapshot.getMeta());
  const task = metas.find((m) => m?.task)?.task;
  return task ? `${task.role}: ${task.title}` : null;
}

/** A JSON round trip of the persisted snapshot, restored the way the engine does. */
export function roundTrip(machine: ProcedureMachine, snapshot: Snap): Snap {
  const stored = JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot))) as Snap;
  return createActor(machine, { snapshot: stored, input: INPUT }).getSnapshot();
}

// --- The guide's text -----------------------------------------------------------------------------------------

const GUIDE_CANDIDATES = [
  process.env.GUIA_PATH,
  resolve(__dirname, '..', '..', 'docs', 'guia', 'guia-correo-institucional.txt'),
  resolve(__dirname, '..', '..', '..', 'shared', 'guia', 'guia-correo-institucional.txt'),
].filter((p): p is string => !!p);

export function loadGuide(): string {
  const found = GUIDE_CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `No encuentro el texto de la guía (guia-correo-institucional.txt). Busqué en: ${GUIDE_CANDIDATES.join(', ')}. ` +
        'Ponga la ruta en GUIA_PATH.',
    );
  }
  return readFileSync(found, 'utf8');
}

const PAGE_HEADER = '**Guía para la asignación del Correo Electrónico Institucional**';

/** The text of one section ("5.2.1"), from its heading to the next numbered heading, without page headers. */
export function guideSection(guide: string, section: string): string {
  const lines = guide.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`**${section} `));
  if (start < 0) throw new Error(`The guide has no section ${section}`);
  const end = lines.findIndex((l, i) => i > start && /^\*\*\d+\.\d*/.test(l));
  return lines
    .slice(start, end < 0 ? undefined : end)
    .filter((l) => l.trim() !== PAGE_HEADER)
    .join('\n');
}

/** Lowercase, no tags, bullets or punctuation, single spaces: compares texts that differ only in layout. */
export const normalize = (text: string): string =>
  text
    .replace(/<[^>]+>/g, ' ')
    .replace(/[•.,;:¿?¡!"()]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

/**
 * The responsable of each step of a section's table, as the guide prints it: a blank cell repeats the one above, a
 * cell wrapped across a page ("Responsable del programa,") is completed from the names the guide uses.
 */
export function guideResponsables(sectionText: string): Map<string, string> {
  const names = [...RESPONSABLES, 'Sistema', 'Responsable del programa, fondo o servicio', 'Centro de Trabajo'];
  const byNo = new Map<string, string>();
  let current = '';
  const nameOf = (cell: string): string | undefined => {
    const c = cell.trim();
    if (!c) return undefined;
    return names.find((n) => n === c) ?? (c.endsWith(',') ? names.find((n) => n.startsWith(c)) : undefined);
  };
  for (const line of sectionText.split('\n')) {
    const cells = line.split('\t');
    if (/^\d+$/.test(cells[0])) {
      const named = cells
        .slice(1, -1)
        .map(nameOf)
        .find((n) => n !== undefined);
      if (named) current = named;
      byNo.set(cells[0], current);
      continue;
    }
    const unnumbered = /^\t([^\t]+)\t\S/.exec(line);
    if (unnumbered && nameOf(unnumbered[1]) && byNo.size) {
      const last = [...byNo.keys()].at(-1)!;
      byNo.set(`${last}a`, nameOf(unnumbered[1])!);
    }
  }
  return byNo;
}

/**
 * Step numbers of a section's table, in the guide's order. A row with a responsable and no number (5.3.1 has one,
 * under step 6) is numbered after the row above it with an "a".
 */
export function guideStepNumbers(sectionText: string): string[] {
  const numbers: string[] = [];
  for (const line of sectionText.split('\n')) {
    const numbered = /^(\d+)\t/.exec(line);
    if (numbered) {
      numbers.push(numbered[1]);
      continue;
    }
    const unnumbered = /^\t([^\t]+)\t\S/.exec(line);
    if (unnumbered && (RESPONSABLES as readonly string[]).includes(unnumbered[1]) && numbers.length) {
      numbers.push(`${numbers[numbers.length - 1]}a`);
    }
  }
  return numbers;
}
