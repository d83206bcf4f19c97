import { type LetterTable, TABLE_MARK } from './renderer';
import type { LetterValues } from './templates';

/**
 * The table of the one reply letter that answers an oficio for many schools (templates/letters/*-lineas.md): one row
 * per line with its result, and the summary sentence. Pure: the letters processor gives it each line's result and
 * the values its template would have had for that line alone; the preview gives it demo lines.
 */
export interface LineResult {
  linea: number;
  cct: string;
  centroTrabajo: string;
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

export function linesTable(lines: readonly LineResult[]): LetterTable {
  return {
    columnas: ['No.', 'CCT', 'Centro de trabajo', 'Resultado', 'Cuenta de correo y enlace de activación'],
    anchos: [6, 14, 24, 12, 44],
    filas: lines.map((l) => [
      String(l.linea),
      l.cct,
      l.centroTrabajo,
      RESULT[l.resultado]?.label ?? l.resultado,
      detail(l),
    ]),
  };
}

/** The template values the lines give: how many, the summary, and where the table goes. */
export function linesValues(lines: readonly LineResult[]): LetterValues {
  return { totalLineas: String(lines.length), resumenLineas: linesSummary(lines), tablaLineas: TABLE_MARK };
}
