import { SeededRandom } from '../../src/catalog/seed/random';

/**
 * A million-task history for the inbox benchmark, made the same on every run and in both databases: cases of three
 * tasks (reception, Subjefatura, one more), most closed long ago; about three in ten cases still have their last task
 * open, created in the last ten days, so part of every inbox is overdue. Ids grow with the row number, so the bulk
 * load appends to the primary key instead of splitting pages (the ids are only a tie-breaker in the inbox order).
 * Every column an inbox filter or scope reads is filled: procedure, step, folio, CURP, CCT, level, assignee, responsable.
 */

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
  private readonly cctPool: string[];

  constructor(
    readonly total: number,
    readonly now: Date,
    private readonly seed = 2026,
  ) {
    this.cases = Math.ceil(total / TASKS_PER_CASE);
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

  private folioOf(c: number): string {
    return `MCI-2026-${String(c + 1).padStart(7, '0')}`;
  }

  /** The rows in order, `size` at a time. */
  *chunks(size: number): Generator<TaskRow[]> {
    const r = new SeededRandom(this.seed);
    // Its own sequence, so the columns added later leave the others as they were.
    const r2 = new SeededRandom(this.seed + 2);
    const now = this.now.getTime();
    let chunk: TaskRow[] = [];
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
      for (let j = 0; j < TASKS_PER_CASE && row < this.total; j++, row++) {
        const last = j === TASKS_PER_CASE - 1;
        const isOpen = open && last;
        const role = probe && last ? 'subjefatura' : isOpen ? r.weighted(OPEN_ROLES) : CLOSED_ROLES[j];
        const [step, title] = STEP[role];
        // State ids name their machine (`servicio-alta.busqueda`), so a step is as selective as its procedure.
        const stateId = `${procedure}.${step}`;
        const created = Math.min(start + j * 6 * HOUR, now - 60_000);
        const due = created + r.int(1, 5) * DAY;
        const warn = created + Math.round(0.75 * (due - created));
        const closedAt = isOpen ? null : created + r.int(1, 48) * HOUR;
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
          null,
          null,
          closedAt === null ? null : dbDate(closedAt),
          closedAt === null ? null : `u-${role}-${r.int(1, 12)}`,
        ]);
        if (chunk.length === size) {
          yield chunk;
          chunk = [];
        }
      }
    }
    if (chunk.length) yield chunk;
  }
}
