import { SeededRandom } from '../../src/catalog/seed/random';
import { registrationFolio } from '../../src/common/folio-text';
import { searchText } from '../../src/common/search-text';
import { businessDaysBetween } from '../../src/engine/business-calendar';

/**
 * A million-task history for the inbox benchmark, made the same on every run and in both databases: cases of three
 * tasks (reception, Subjefatura, one more), most closed long ago; about three in ten cases still have their last task
 * open, created in the last ten days, so part of every inbox is overdue. Ids grow with the row number, so the bulk
 * load appends to the primary key instead of splitting pages (the ids are only a tie-breaker in the inbox order).
 * Every column an inbox filter or scope reads is filled: procedure, step, folio, CURP, CCT, level, assignee, responsable.
 */

/** The benchmark's cases take business days without holidays (the calendar table is filled when the product starts). */
const NO_HOLIDAYS: ReadonlySet<string> = new Set();

export const TASK_COLUMNS = [
  'id',
  'case_id',
  'procedure_id',
  'state_id',
  'title',
  'candidate_role',
  'nivel_clave',
  'cct',
  'curp',
  'folio',
  'assignee_id',
  'responsable_id',
  'status',
  'priority',
  'created_at',
  'warn_at',
  'due_at',
  'reminded_at',
  'escalated_at',
  'closed_at',
  'closed_by',
] as const;

export type TaskRow = (string | number | null)[];
/** A row of procedure_case or oficio, in the order of CASE_COLUMNS / OFICIO_COLUMNS. */
export type Row = (string | number | null)[];

/** The case of every task group: what the dashboard counts and the register shows beside each oficio. */
export const CASE_COLUMNS = [
  'id',
  'procedure_id',
  'procedure_version',
  'folio',
  'state',
  'status',
  'snapshot',
  'version',
  'nivel_clave',
  'cct',
  'curp',
  'outcome',
  'incident_message',
  'started_by',
  'created_at',
  'updated_at',
  'closed_at',
  'responsable_id',
  'movement_count',
  'last_movement_hash',
  'business_days',
] as const;

/** Every case comes from an oficio (the register's rows), folio for folio. */
export const OFICIO_COLUMNS = [
  'id',
  'folio',
  'folio_anio',
  'folio_numero',
  'numero_remitente',
  'numero_normalizado',
  'remitente_clave',
  'fecha_oficio',
  'remitente_nombre',
  'remitente_cargo',
  'nivel_clave',
  'area',
  'responsable_id',
  'asunto',
  'procedure_id',
  'case_id',
  'cct',
  'concierne',
  'fojas',
  'archivo_sha256',
  'archivo_mime',
  'archivo_bytes',
  'archivo_key',
  'recibido_at',
  'recibido_por',
  'recibido_por_nombre',
  'status',
  'cancelado_at',
  'cancelado_por',
  'motivo_cancelacion',
  'created_at',
  'remitente_busqueda',
  'asunto_busqueda',
] as const;

/** One batch of the load: tasks, and (with `withCases`) the cases and oficios the batch's tasks belong to. */
export interface Batch {
  tasks: TaskRow[];
  cases: Row[];
  oficios: Row[];
}

/** The values of one open Subjefatura task the searches look for. */
export interface Probe {
  folio: string;
  curp: string;
  cct: string;
  nivel: string;
  /** A responsable user with open tasks of their own (their oficios' tasks). */
  responsable: string;
}

/** Responsable users: the tasks of an oficio carry the id of who sent it (one in 40 per user). */
const RESPONSABLES = 40;
const responsableOf = (c: number): string => `u-responsable-${(c % RESPONSABLES) + 1}`;

/** Tasks per case unless the number of cases is given (the national scale: 10 M tasks, 2 M cases, 5 per case). */
const TASKS_PER_CASE = 3;
const DAY = 86_400_000;
const HOUR = 3_600_000;

const PROCEDURES = [
  'personal-alta',
  'personal-restablecer',
  'centro-trabajo-alta',
  'centro-trabajo-restablecer',
  'servicio-alta',
  'servicio-restablecer',
  'cuenta-reasignar',
  'cuenta-bloquear',
] as const;

const NIVELES: readonly (readonly [string, number])[] = [
  ['PREESCOLAR', 30],
  ['PRIMARIA', 40],
  ['SECUNDARIA', 18],
  ['MEDIA_SUPERIOR', 8],
  ['SUPERIOR', 4],
];

/** The levels the tasks, cases and oficios name (the catalog of the bench's database holds them). */
export const NIVEL_CLAVES = NIVELES.map(([n]) => n);

const OPEN_ROLES: readonly (readonly [string, number])[] = [
  ['subjefatura', 45],
  ['subdireccion', 25],
  ['nivel', 15],
  ['responsable', 10],
  ['centro_trabajo', 5],
];

const CLOSED_ROLES = ['subdireccion', 'subjefatura', 'subjefatura'] as const;

const STEP: Record<string, readonly [string, string]> = {
  subdireccion: ['recepcion', 'Recibir oficio y emitir acuse'],
  subjefatura: ['busqueda', 'Buscar la cuenta y registrar la acción'],
  nivel: ['entrega.nivel', 'Acusar de recibido el oficio de respuesta'],
  responsable: ['entrega.area', 'Acusar de recibido el oficio de respuesta'],
  centro_trabajo: ['analisis', 'Revisar la solicitud del centro de trabajo'],
};

const PRIORITIES: readonly (readonly [number, number])[] = [
  [1, 20],
  [2, 70],
  [3, 10],
];

const CCT_KINDS = ['DJN', 'EJN', 'DPR', 'EPR', 'DES', 'EES', 'DST', 'ETV', 'DCT', 'EBH'] as const;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CONSONANTS = 'BCDFGHJKLMNPQRSTVWXZ';

/** SQLite and MariaDB both take UTC datetimes as this text (TypeORM writes SQLite's this way). */
export const dbDate = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** A CURP-shaped key, unique per case number. */
function curpOf(c: number): string {
  let k = c;
  let head = '';
  for (let i = 0; i < 4; i++) {
    head = LETTERS[k % 26] + head;
    k = Math.floor(k / 26);
  }
  const yy = String(50 + (c % 50)).padStart(2, '0');
  const mm = String(1 + (c % 12)).padStart(2, '0');
  const dd = String(1 + (c % 28)).padStart(2, '0');
  const tail = CONSONANTS[k % 20] + CONSONANTS[Math.floor(k / 20) % 20] + CONSONANTS[c % 20];
  return `${head}${yy}${mm}${dd}${c % 2 ? 'H' : 'M'}CM${tail}0${c % 10}`;
}

export class TaskGenerator {
  readonly cases: number;
  readonly probeCase: number;
  /** Tasks of each case (the last one may have fewer). */
  readonly perCase: number;
  private readonly cctPool: string[];

  constructor(
    readonly total: number,
    readonly now: Date,
    private readonly seed = 2026,
    cases?: number,
  ) {
    this.perCase = cases ? Math.max(1, Math.ceil(total / cases)) : TASKS_PER_CASE;
    this.cases = Math.ceil(total / this.perCase);
    this.probeCase = Math.floor(this.cases / 2);
    const r = new SeededRandom(seed + 1);
    const size = Math.max(50, Math.min(4000, Math.ceil(this.cases / 80)));
    this.cctPool = Array.from(
      { length: size },
      (_, i) => `06${r.pick(CCT_KINDS)}${String(i).padStart(4, '0')}${LETTERS[r.int(0, 25)]}`,
    );
  }

  get probe(): Probe {
    return {
      folio: this.folioOf(this.probeCase),
      curp: curpOf(this.probeCase),
      cct: this.cctPool[7],
      nivel: 'PRIMARIA',
      responsable: responsableOf(0),
    };
  }

  /** The product's registration folio (SSST-2026-000042): the register's folio search parses it to its index. */
  private folioOf(c: number): string {
    return registrationFolio(2026, c + 1);
  }

  /** The task rows in order, `size` at a time. */
  *chunks(size: number): Generator<TaskRow[]> {
    for (const b of this.batches(size, false)) yield b.tasks;
  }

  /**
   * The task rows in order, `size` at a time, each batch with the cases and oficios its tasks belong to when
   * `withCases` (a case in the batch where its first task is). Streamed: memory stays one batch whatever the total.
   */
  *batches(size: number, withCases: boolean): Generator<Batch> {
    const r = new SeededRandom(this.seed);
    // Its own sequence, so the columns added later leave the others as they were.
    const r2 = new SeededRandom(this.seed + 2);
    // The cases' and oficios' own columns: the tasks are the same with or without them.
    const r3 = new SeededRandom(this.seed + 3);
    const now = this.now.getTime();
    let chunk: TaskRow[] = [];
    let cases: Row[] = [];
    let oficios: Row[] = [];
    let row = 0;
    for (let c = 0; c < this.cases && row < this.total; c++) {
      const probe = c === this.probeCase;
      const procedure = r.pick(PROCEDURES);
      const nivel = probe ? 'PRIMARIA' : r.chance(0.7) ? r.weighted(NIVELES) : null;
      const cct = probe ? this.cctPool[7] : r.chance(0.6) ? r.pick(this.cctPool) : null;
      const curp = probe || r.chance(0.75) ? curpOf(c) : null;
      const open = probe || r.chance(0.3);
      const start = open ? now - r.int(0, 10 * 24) * HOUR - 12 * HOUR : now - r.int(20, 1100) * DAY;
      const sentBy = r2.chance(0.35) ? responsableOf(c) : null;
      const caseId = `${hex(c, 8)}-c0de-4a5e-8${hex(c % 4096, 3)}-${hex(r.int(0, 0xffffff), 6)}${hex(r.int(0, 0xffffff), 6)}`;
      const tasks = Math.min(this.perCase, this.total - row);
      let lastRole = '';
      let lastClosed = start;
      for (let j = 0; j < this.perCase && row < this.total; j++, row++) {
        const last = j === this.perCase - 1;
        const isOpen = open && last;
        const role = probe && last ? 'subjefatura' : isOpen ? r.weighted(OPEN_ROLES) : CLOSED_ROLES[j % 3];
        lastRole = role;
        const [step, title] = STEP[role];
        // State ids name their machine (`servicio-alta.busqueda`), so a step is as selective as its procedure.
        const stateId = `${procedure}.${step}`;
        const created = Math.min(start + j * 6 * HOUR, now - 60_000);
        const due = created + r.int(1, 5) * DAY;
        const warn = created + Math.round(0.75 * (due - created));
        const closedAt = isOpen ? null : created + r.int(1, 48) * HOUR;
        if (closedAt !== null) lastClosed = closedAt;
        chunk.push([
          `${hex(row, 8)}-7a5c-4b0d-9${hex(row % 4096, 3)}-${hex(r.int(0, 0xffffff), 6)}${hex(r.int(0, 0xffffff), 6)}`,
          caseId,
          procedure,
          stateId,
          title,
          role,
          nivel,
          cct,
          curp,
          this.folioOf(c),
          isOpen && r.chance(0.25) ? `u-${role}-${r.int(1, 12)}` : null,
          // A responsable's task is always of an oficio they sent (deny by default: no responsable, nobody sees it).
          role === 'responsable' ? responsableOf(c) : sentBy,
          isOpen ? 'abierta' : 'cerrada',
          r.weighted(PRIORITIES),
          dbDate(created),
          dbDate(warn),
          dbDate(due),
          // Marked as the reminder sweep marks them, a minute after their time (the dashboard counts by the marks).
          isOpen && warn < now ? dbDate(Math.min(warn + 60_000, now)) : null,
          isOpen && due < now ? dbDate(Math.min(due + 60_000, now)) : null,
          closedAt === null ? null : dbDate(closedAt),
          closedAt === null ? null : `u-${role}-${r.int(1, 12)}`,
        ]);
        if (chunk.length === size) {
          yield { tasks: chunk, cases, oficios };
          chunk = [];
          cases = [];
          oficios = [];
        }
      }
      if (withCases) {
        const k = { c, caseId, procedure, nivel, cct, curp, start, sentBy, tasks };
        const caseRow = this.caseRow(r3, k, open ? lastRole : null, open ? null : lastClosed);
        cases.push(caseRow);
        oficios.push(this.oficioRow(r3, k, caseRow[5] === 'concluido' && caseRow[11] === 'cancelada'));
      }
    }
    if (chunk.length || cases.length) yield { tasks: chunk, cases, oficios };
  }

  /**
   * The case of tasks: open (its last task's step; one in 50 open ones in incident) or concluded when its last task
   * closed (one in 40 cancelled, the rest attended).
   */
  private caseRow(r: SeededRandom, k: CaseFacts, openRole: string | null, closedAt: number | null): Row {
    const incident = openRole !== null && r.chance(0.02);
    const cancelled = openRole === null && r.chance(0.025);
    const state = openRole !== null ? STEP[openRole][0] : cancelled ? 'cancelado' : 'atendido';
    const status = openRole === null ? 'concluido' : incident ? 'incidente' : 'activo';
    const updated = closedAt ?? Math.min(k.start + (k.tasks - 1) * 6 * HOUR, this.now.getTime() - 60_000);
    return [
      k.caseId,
      k.procedure,
      1,
      this.folioOf(k.c),
      state,
      status,
      '{}',
      k.tasks * 2,
      k.nivel,
      k.cct,
      k.curp,
      openRole === null ? (cancelled ? 'cancelada' : 'atendida') : null,
      incident ? 'El directorio no respondió (tiempo de espera agotado).' : null,
      'u-subdireccion-1',
      dbDate(k.start),
      dbDate(updated),
      closedAt === null ? null : dbDate(closedAt),
      k.sentBy,
      k.tasks * 2,
      hex(k.c, 64),
      closedAt === null ? null : businessDaysBetween(new Date(k.start), new Date(closedAt), NO_HOLIDAYS),
    ];
  }

  /** The oficio of case `c`: folio MCI-2026-<c+1>, sent by a level (or an area), received when the case started. */
  private oficioRow(r: SeededRandom, k: CaseFacts, cancelled: boolean): Row {
    const numero = `${k.nivel ? k.nivel.slice(0, 3) : 'DG'}/${r.int(1, 9999)}/${2024 + (k.c % 3)}`;
    const clave = k.nivel ? `NIVEL:${k.nivel}` : `AREA:${AREAS[k.c % AREAS.length].toUpperCase()}`;
    const [nombre, cargo] = SENDERS[r.int(0, SENDERS.length - 1)];
    const cargoDe = `${cargo} ${k.nivel ? `de Educación ${k.nivel.toLowerCase()}` : AREAS[k.c % AREAS.length]}`;
    const asunto = `${ASUNTOS[k.procedure as (typeof PROCEDURES)[number]]} ${k.cct ?? ''}`.trim();
    const received = dbDate(k.start);
    return [
      `${hex(k.c, 8)}-0f1c-4a5e-8${hex(k.c % 4096, 3)}-${hex(r.int(0, 0xffffff), 6)}${hex(r.int(0, 0xffffff), 6)}`,
      this.folioOf(k.c),
      2026,
      k.c + 1,
      numero,
      numero.toUpperCase().replace(/\s+/g, ''),
      clave,
      received.slice(0, 10),
      nombre,
      cargoDe,
      k.nivel,
      k.nivel ? null : AREAS[k.c % AREAS.length],
      k.sentBy,
      asunto,
      k.procedure,
      k.caseId,
      k.cct,
      JSON.stringify({ curps: k.curp ? [k.curp] : [], ccts: k.cct ? [k.cct] : [], cuentas: [] }),
      r.int(1, 4),
      hex(k.c, 64),
      'application/pdf',
      r.int(40_000, 900_000),
      `oficios/${hex(k.c, 8)}.pdf`,
      received,
      'u-subdireccion-1',
      'Recepción de la Subdirección',
      cancelled ? 'cancelado' : 'registrado',
      cancelled ? received : null,
      cancelled ? 'u-subdireccion-1' : null,
      cancelled ? 'Registrado por error.' : null,
      received,
      searchText(nombre, cargoDe),
      searchText(asunto),
    ];
  }
}

interface CaseFacts {
  c: number;
  caseId: string;
  procedure: string;
  nivel: string | null;
  cct: string | null;
  curp: string | null;
  start: number;
  sentBy: string | null;
  tasks: number;
}

const AREAS = ['Dirección de Planeación', 'Recursos Humanos', 'Unidad Jurídica', 'Contraloría Interna'] as const;

const SENDERS: readonly (readonly [string, string])[] = [
  ['Profr. Ramón Cárdenas Ávila', 'Director'],
  ['Mtra. Lucía Ochoa Núñez', 'Jefa del Departamento'],
  ['Lic. Jorge Peña Villalobos', 'Coordinador'],
  ['Profra. Mónica Zúñiga Ruiz', 'Supervisora'],
  ['Ing. Esteban Muñiz Torres', 'Subdirector'],
];

const ASUNTOS: Record<(typeof PROCEDURES)[number], string> = {
  'personal-alta': 'Solicitud de cuenta institucional para personal de nuevo ingreso',
  'personal-restablecer': 'Restablecimiento de contraseña de cuenta de personal',
  'centro-trabajo-alta': 'Alta de cuenta de correo del centro de trabajo',
  'centro-trabajo-restablecer': 'Restablecimiento de la cuenta del centro de trabajo',
  'servicio-alta': 'Alta de servicio de correo para la escuela',
  'servicio-restablecer': 'Restablecimiento del servicio de correo',
  'cuenta-reasignar': 'Reasignación de cuenta por cambio de adscripción',
  'cuenta-bloquear': 'Bloqueo de cuenta por baja definitiva',
};
