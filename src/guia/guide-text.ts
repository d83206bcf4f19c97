/**
 * Reads the guide's own text (docs/guia/guia-correo-institucional.txt, a text export of the Word document) back
 * into its section-5 tables, so the generated guide can quote what the guide said and the tests can hold the
 * machines against it.
 *
 * The export keeps each table row on one line, cells separated by tabs, with the quirks of the original: a blank
 * Responsable cell repeats the one above, a cell cut by a page break continues on a line after the page header, a
 * row may have a responsable and no number (5.3.1, under paso 6), a few rows sit one cell to the right (5.2.1 pasos
 * 10-11), and paso 1 of 5.1.x is an HTML list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { projectPath } from '../config/project-root';

/** The line the export repeats at the top of every page. */
const PAGE_HEADER = '**Guía para la asignación del Correo Electrónico Institucional**';

export interface GuideRowText {
  /** "5", or "6a" for a row with a responsable and no number (numbered after the row above it). */
  no: string;
  /** The responsable in effect (a blank cell repeats the one above), as the guide writes it. */
  responsable: string;
  /** Whether the row's own cell names the responsable (false: the cell is blank). */
  responsableImpreso: boolean;
  /** False for a row the guide prints without a number (its `no` is made up: "6a"). */
  numerado: boolean;
  /** The activity, without HTML; list items and the table's own sub-lines on lines of their own. */
  actividad: string;
}

export interface GuideTableText {
  /** "5.2.1" */
  section: string;
  /** The heading after the number: "CENTRO DE TRABAJO: Solicitud y obtención de ...". */
  heading: string;
  /** The table's title row: "Descripción del procedimiento de ...". */
  title: string;
  rows: GuideRowText[];
}

export interface GuideText {
  /** What the cover says: "1" (Versión N°. 1). */
  coverVersion: string;
  /** The issue date on the cover: "12/08/2021". */
  coverDate: string;
  /** The versions the change table (section 6) lists. */
  changeTableVersions: string[];
  tables: GuideTableText[];
}

export const GUIDE_TEXT_CANDIDATES = (): string[] =>
  [
    process.env.GUIA_PATH,
    projectPath('docs', 'guia', 'guia-correo-institucional.txt'),
    projectPath('..', 'shared', 'guia', 'guia-correo-institucional.txt'),
  ].filter((p): p is string => !!p);

/** The guide's text, from GUIA_PATH or the copy committed under docs/guia. */
export function loadGuideText(): { path: string; text: string } {
  const candidates = GUIDE_TEXT_CANDIDATES();
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `No encuentro el texto de la guía (guia-correo-institucional.txt). Busqué en: ${candidates.join(', ')}. ` +
        'Indique la ruta con GUIA_PATH.',
    );
  }
  return { path: found, text: readFileSync(found, 'utf8') };
}

const stripTags = (s: string): string => s.replace(/<[^>]+>/g, '');

/** A cell's text: the HTML list of 5.1.x paso 1 becomes one line per item, bullets and tags go. */
function cellText(cell: string): string {
  const items = [...cell.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1]);
  const parts = items.length > 0 ? items : [cell];
  return parts
    .map((p) =>
      stripTags(p)
        .replace(/^\s*•\s*/, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((p) => p !== '')
    .join('\n');
}

const SECTION_HEADING = /^\*\*(\d+(?:\.\d+)*)\.? /;

/** Parses the guide's text. Throws when a table of section 5 cannot be read, naming the section. */
export function parseGuide(text: string): GuideText {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const coverVersion = /Versión N°\.\s*(\S+)/.exec(text)?.[1] ?? '';
  const coverDate = /Fecha de emisión:\s*(\S+)/.exec(text)?.[1] ?? '';

  const tables: GuideTableText[] = [];
  const headings = lines
    .map((line, index) => ({ line, index, m: SECTION_HEADING.exec(line) }))
    .filter((h) => h.m !== null);
  for (const [k, h] of headings.entries()) {
    const section = h.m?.[1] ?? '';
    if (!/^5\.\d+\.\d+$/.test(section) && !/^5\.[45]$/.test(section)) continue;
    const end = headings[k + 1]?.index ?? lines.length;
    tables.push(parseTable(section, h.line, lines.slice(h.index + 1, end)));
  }

  const changeTableVersions: string[] = [];
  const changes = lines.findIndex((l) => /^\*\*6\. SECCIÓN DE CAMBIOS/.test(l));
  if (changes >= 0) {
    for (const l of lines.slice(changes + 1)) {
      const m = /^(\d+)\t\d{2}\/\d{2}\/\d{4}\t/.exec(l);
      if (m) changeTableVersions.push(m[1]);
    }
  }
  return { coverVersion, coverDate, changeTableVersions, tables };
}

function parseTable(section: string, headingLine: string, body: string[]): GuideTableText {
  const heading = stripTags(headingLine)
    .replace(/\*\*/g, '')
    .replace(new RegExp(`^${section.replace(/\./g, '\\.')}\\.? `), '')
    .trim();
  const titleLine = body.find((l) => /^(<b>)?Descripción del procedimiento/.test(l));
  if (!titleLine) throw new Error(`La sección ${section} de la guía no tiene el título de su tabla`);
  const title = cellText(titleLine.split('\t')[0]);

  const rows: (GuideRowText & { responsableCell: string })[] = [];
  let afterPageBreak = false;
  let current = '';
  const last = () => rows[rows.length - 1];
  const appendActividad = (more: string) => {
    const row = last();
    if (!row || !more) return;
    // A page break cut the cell mid-sentence; otherwise the table itself put the text on a line of its own.
    row.actividad += (afterPageBreak ? ' ' : '\n') + more;
  };

  for (const line of body) {
    if (line.trim() === PAGE_HEADER) {
      afterPageBreak = true;
      continue;
    }
    if (line.trim() === '') continue;
    const cells = line.split('\t');
    if (/^\d+$/.test(cells[0])) {
      // Numbered row: [no, responsable?, actividad, ''] or, shifted one cell right, [no, '', responsable, actividad].
      const filled = cells
        .slice(1)
        .map((c) => c.trim())
        .filter((c) => c !== '');
      const actividad = cellText(filled[filled.length - 1] ?? '');
      const named = filled.length >= 2 ? filled[filled.length - 2] : '';
      if (named) current = named;
      rows.push({
        no: cells[0],
        responsable: current,
        responsableCell: named,
        responsableImpreso: !!named,
        numerado: true,
        actividad,
      });
    } else if (cells[0] === '' && cells.length >= 2) {
      const respCell = (cells[1] ?? '').trim();
      const rest = cellText(cells.slice(2).join(' ').trim());
      if (respCell && rest && last()) {
        // A responsable and an activity without a number: a row of its own under the step above.
        current = respCell;
        rows.push({
          no: `${last().no}a`,
          responsable: respCell,
          responsableCell: respCell,
          responsableImpreso: true,
          numerado: false,
          actividad: rest,
        });
      } else if (respCell && last()) {
        // The rest of a responsable cell cut by a page break ("Responsable del programa," / "función o servicio").
        const row = last();
        row.responsableCell = `${row.responsableCell} ${respCell}`.trim();
        row.responsable = row.responsableCell;
        current = row.responsable;
      } else {
        appendActividad(rest);
      }
    } else {
      continue;
    }
    afterPageBreak = false;
  }
  if (rows.length === 0) throw new Error(`La tabla de la sección ${section} de la guía no tiene filas`);
  return {
    section,
    heading,
    title,
    rows: rows.map(({ responsableCell: _cell, ...r }) => r),
  };
}
