import { type LetterTable, TABLE_MARK } from './renderer';
import type { LetterValues } from './templates';

/**
 * The table of the one reply letter that answers an oficio for many accounts (templates/letters/*-lineas.md): one row
 * per line with its result, and the summary sentence. Pure: the letters processor gives it each line's result and
 * the values its template would have had for that line alone; the preview gives it demo lines.
 */
export interface LineResult {
  linea: number;
  /** A school's line (5.2.1): its CCT and name. */
  cct?: string;
  centroTrabajo?: string;
  /** A Servicio account's line (5.3.1): the holder's CURP and name. */
  curp?: string;
  titular?: string;
  /** creada, cuenta_existente, rechazada (the line's reply), cancelada, concluido (ended unanswered), emitida (own letter). */
  resultado: string;
  correo?: string;
  /** Masked alternate address the activation link went to. */
  correoAlterno?: string;
  motivo?: string;
}

/** How the letter names each result, and the plural of its summary. */
const RESULT: Record<string, { label: string; one: string; many: string }> = {
  creada: { label: 'Creada', one: 'creada', many: 'creadas' },
  cuenta_existente: { label: 'Ya existía', one: 'ya existía', many: 'ya existían' },
  rechazada: { label: 'No procede', one: 'no procede', many: 'no proceden' },
  cancelada: { label: 'Cancelada', one: 'cancelada', many: 'canceladas' },
  emitida: { label: 'Respondida', one: 'respondida con oficio propio', many: 'respondidas con oficio propio' },
  concluido: { label: 'Concluida', one: 'concluida', many: 'concluidas' },
};

/** "23 creadas, 1 ya existía y 1 no procede", in the order of RESULT. */
export function linesSummary(lines: readonly LineResult[]): string {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l.resultado, (counts.get(l.resultado) ?? 0) + 1);
  const known = Object.keys(RESULT).filter((k) => counts.has(k));
  const parts = [...known, ...[...counts.keys()].filter((k) => !RESULT[k])].map((k) => {
    const n = counts.get(k)!;
    const r = RESULT[k];
    return `${n} ${r ? (n === 1 ? r.one : r.many) : k}`;
  });
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} y ${parts[parts.length - 1]}` : (parts[0] ?? '');
}

/** The last cell of a line's row: the account and where its activation link went, or why it does not proceed. */
function detail(l: LineResult): string {
  switch (l.resultado) {
    case 'creada':
      return [l.correo, l.correoAlterno ? `Enlace de activación enviado a ${l.correoAlterno}` : undefined]
        .filter(Boolean)
        .join('\n');
    case 'cuenta_existente':
      return [l.correo, 'La cuenta ya existía; no se modificó.'].filter(Boolean).join('\n');
    case 'rechazada':
      return l.motivo ? `No procede: ${l.motivo}` : 'No procede.';
    case 'cancelada':
      return 'Cancelada en la Subdirección antes de atenderse.';
    case 'emitida':
      return 'Respondida con un oficio de respuesta propio.';
    default:
      return '';
  }
}

/** Whom an oficio's lines name: schools (5.2.1) or the holders of Servicio and Función accounts (5.3.1). */
export type LinesKind = 'centro_trabajo' | 'servicio';

/** The procedure's kind of line: 5.3.1's lines name workers; every other oficio with lines names schools. */
export const linesKindOf = (procedure: string): LinesKind =>
  procedure === 'servicio-alta' ? 'servicio' : 'centro_trabajo';

/** The columns that tell who each line is for, per kind: the key (CCT, CURP) and the name. */
const WHO: Record<LinesKind, { columnas: [string, string]; anchos: [number, number]; of(l: LineResult): string[] }> = {
  centro_trabajo: {
    columnas: ['CCT', 'Centro de trabajo'],
    anchos: [14, 24],
    of: (l) => [l.cct ?? '', l.centroTrabajo ?? ''],
  },
  servicio: { columnas: ['CURP', 'Titular'], anchos: [26, 20], of: (l) => [l.curp ?? '', l.titular ?? ''] },
};

export function linesTable(lines: readonly LineResult[], kind: LinesKind = 'centro_trabajo'): LetterTable {
  const who = WHO[kind];
  return {
    columnas: ['No.', ...who.columnas, 'Resultado', 'Cuenta de correo y enlace de activación'],
    anchos: [6, ...who.anchos, 12, 100 - 6 - 12 - who.anchos[0] - who.anchos[1]],
    filas: lines.map((l) => [String(l.linea), ...who.of(l), RESULT[l.resultado]?.label ?? l.resultado, detail(l)]),
  };
}

/** The template values the lines give: how many, the summary, and where the table goes. */
export function linesValues(lines: readonly LineResult[]): LetterValues {
  return { totalLineas: String(lines.length), resumenLineas: linesSummary(lines), tablaLineas: TABLE_MARK };
}
