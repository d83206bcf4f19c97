/**
 * The guide regenerated from the procedure machines (`npm run guia`): for every procedure of the catalog, the tables
 * of the guide's section 5 (No., Responsable, Actividad) as the machines carry them in their state metas, with the
 * corrections applied and listed. The guide's own text is read only to quote what it said where the catalog differs.
 */
import { guideStepsOf } from '../../machines/guide';
import { GUIDE_VERSIONS, type GuideStep, type GuideVersion, type ProcedureDefinition } from '../../machines/index';
import { formatFechaLarga } from '../letters/fecha';
import { CORRECTIONS, type CorrectionChange, correctionByNumber } from './corrections';
import type { GuideRowText, GuideText } from './guide-text';

export const GUIDE_TITLE = 'Guía para la asignación del Correo Electrónico Institucional';
export const INSTITUTION = 'Coordinación de los Servicios Educativos del Estado de Colima';
export const AREA = 'Subdirección de Sistemas y Servicios Telemáticos';

export interface GeneratedRow {
  no: string;
  responsable: string;
  /** False when the row above has the same responsable: the cell is left empty, as the guide does. */
  responsableVisible: boolean;
  actividad: string;
  /** Corrections this row carries (empty: the guide's own step). */
  correcciones: number[];
}

export interface GeneratedTable {
  section: string;
  heading: string;
  title: string;
  titleCorrection?: number;
  procedureId: string;
  procedureVersion: number;
  procedureTitle: string;
  rows: GeneratedRow[];
}

export interface CorrectionDetail {
  /** "5.5 paso 1", "5.3.1, título de la tabla", "5.2.1, orden de los pasos". */
  lugar: string;
  guia: string;
  catalogo: string;
}

export interface AppliedCorrection {
  numero: number;
  titulo: string;
  guia: string;
  catalogo: string;
  detalles: CorrectionDetail[];
}

export interface GeneratedGuide {
  title: string;
  /** "01": the catalog's guide version every procedure carries. */
  catalogVersion: GuideVersion;
  /** The version's issue date (`GUIDE_VERSIONS`), at midday in Colima: never the day the guide is generated. */
  date: Date;
  /** "28 de noviembre de 2026". */
  fecha: string;
  procedures: { id: string; version: number; title: string; guideSection: string }[];
  tables: GeneratedTable[];
  corrections: AppliedCorrection[];
}

const flat = (c: GuideStep['correccion']): number[] => (c === undefined ? [] : [c].flat());

/** "Trabajador: «texto»" of a guide row, or of a generated one. */
const quote = (responsable: string, actividad: string): string => `${responsable}: «${actividad.replace(/\n/g, ' ')}»`;

/** The issue date of a version of the guide: its `GUIDE_VERSIONS` date at midday in Colima (18:00 UTC). */
export function issueDate(version: GuideVersion): Date {
  const fecha: string = GUIDE_VERSIONS[version].fecha;
  const date = new Date(`${fecha}T18:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(fecha) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== fecha) {
    throw new Error(
      `La versión ${version} de la guía tiene una fecha de emisión inválida: «${fecha}» (se espera AAAA-MM-DD)`,
    );
  }
  return date;
}

/** The corrections that rename the guide's responsable of this row to the machines' one (`Correction.renombra`). */
const renamedBy = (printed: GuideRowText | undefined, step: GuideStep): number[] =>
  CORRECTIONS.filter(
    (c) => c.renombra && c.renombra.guia === printed?.responsable && c.renombra.catalogo === step.responsable,
  ).map((c) => c.numero);

/**
 * Builds the generated guide from the catalog. `guide` is the parsed text of the guide; it is needed for the
 * "what the guide said" of each correction and for the rows a renamed responsable touches.
 */
export function buildGeneratedGuide(procedures: readonly ProcedureDefinition[], guide: GuideText): GeneratedGuide {
  const versions = [...new Set(procedures.map((p) => p.guideVersion))];
  if (versions.length !== 1) {
    throw new Error(`Los procedimientos del catálogo no comparten una versión de la guía: ${versions.join(', ')}`);
  }
  const date = issueDate(versions[0]);
  const tables: GeneratedTable[] = [];
  for (const def of procedures) {
    const steps = guideStepsOf(def.machine).map((s) => s.step);
    for (const table of def.guideTables) {
      const own = steps.filter((s) => (s.seccion ?? def.guideTables[0].section) === table.section);
      if (own.length === 0) throw new Error(`La máquina ${def.id} no tiene pasos de la tabla ${table.section}`);
      const printed = guide.tables.find((g) => g.section === table.section);
      const rows = own.map((step, i): GeneratedRow => {
        const correcciones = [
          ...new Set([
            ...flat(step.correccion),
            ...renamedBy(
              printed?.rows.find((r) => r.no === step.no),
              step,
            ),
          ]),
        ].sort((a, b) => a - b);
        return {
          no: step.no,
          responsable: step.responsable,
          responsableVisible: i === 0 || own[i - 1].responsable !== step.responsable,
          actividad: step.actividad,
          correcciones,
        };
      });
      tables.push({
        section: table.section,
        heading: table.heading,
        title: table.title,
        ...(table.correccion !== undefined ? { titleCorrection: table.correccion } : {}),
        procedureId: def.id,
        procedureVersion: def.version,
        procedureTitle: def.title,
        rows,
      });
    }
  }
  return {
    title: GUIDE_TITLE,
    catalogVersion: versions[0],
    date,
    fecha: formatFechaLarga(date),
    procedures: procedures.map((p) => ({ id: p.id, version: p.version, title: p.title, guideSection: p.guideSection })),
    tables,
    corrections: appliedCorrections(tables, guide, versions[0]),
  };
}

/** Every correction with the places of the generated tables it touches, quoting the guide at each place. */
function appliedCorrections(tables: GeneratedTable[], guide: GuideText, catalogVersion: string): AppliedCorrection[] {
  const details = new Map<number, CorrectionDetail[]>();
  const add = (n: number, d: CorrectionDetail) => {
    if (!correctionByNumber(n))
      throw new Error(`Un paso de las máquinas cita la corrección ${n}, que no está en la lista`);
    details.set(n, [...(details.get(n) ?? []), d]);
  };
  add(1, {
    lugar: 'Portada',
    guia: `Versión N°. ${guide.coverVersion || '?'}; sección de cambios: versión ${guide.changeTableVersions.join(', ') || '?'}`,
    catalogo: `Versión ${catalogVersion}`,
  });
  for (const t of tables) {
    const printed = guide.tables.find((g) => g.section === t.section);
    if (t.titleCorrection !== undefined) {
      add(t.titleCorrection, {
        lugar: `${t.section}, título de la tabla`,
        guia: `«${printed?.title ?? '?'}»`,
        catalogo: `«${t.title}»`,
      });
    }
    for (const row of t.rows) {
      for (const n of row.correcciones) {
        if (!correctionByNumber(n))
          throw new Error(`${t.section} paso ${row.no} cita la corrección ${n}, que no está en la lista`);
      }
      const g: GuideRowText | undefined = printed?.rows.find((r) => r.no === row.no);
      // What differs from the guide's row; a correction is listed here only for what it changes (a step moved by one
      // correction and reworded by another is shown under the second; the order line below shows the first).
      const changed: CorrectionChange[] = g
        ? [
            ...(g.actividad !== row.actividad ? (['actividad'] as const) : []),
            ...(g.responsable !== row.responsable ? (['responsable'] as const) : []),
            ...(g.numerado ? [] : (['numero'] as const)),
          ]
        : ['actividad', 'responsable', 'numero'];
      for (const n of row.correcciones.filter((c) => correctionByNumber(c)?.cambia.some((k) => changed.includes(k)))) {
        add(n, {
          lugar: `${t.section} paso ${row.no}`,
          guia: g
            ? `${g.numerado ? '' : 'fila sin número, '}${quote(g.responsable, g.actividad)}`
            : 'sin paso con ese número',
          catalogo: quote(row.responsable, row.actividad),
        });
      }
    }
    if (printed) {
      const guideOrder = printed.rows.map((r) => r.no);
      const guideOrderText = printed.rows.map((r) => (r.numerado ? r.no : `(fila sin número: ${r.responsable})`));
      const ours = t.rows.map((r) => r.no);
      if (guideOrder.join() !== ours.join()) {
        const moved = t.rows.filter((r, i) => guideOrder[i] !== r.no);
        const numbers = [...new Set(moved.flatMap((r) => r.correcciones))].filter((n) =>
          correctionByNumber(n)?.cambia.includes('orden'),
        );
        if (numbers.length === 0)
          throw new Error(`La tabla ${t.section} cambia el orden de la guía sin citar una corrección`);
        for (const n of numbers) {
          add(n, {
            lugar: `${t.section}, orden de los pasos`,
            guia: guideOrderText.join(', '),
            catalogo: ours.join(', '),
          });
        }
      }
    }
  }
  return CORRECTIONS.filter((c) => details.has(c.numero)).map((c) => ({
    numero: c.numero,
    titulo: c.titulo,
    guia: c.guia,
    catalogo: c.catalogo,
    detalles: details.get(c.numero) ?? [],
  }));
}

// --- Markdown ------------------------------------------------------------------------------------------------------

const mdCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
const mark = (numbers: readonly number[]): string =>
  numbers.length === 0 ? '' : ` *(${numbers.length === 1 ? 'corrección' : 'correcciones'} ${numbers.join(', ')})*`;

/** The generated guide as Markdown: cover lines, catalog, one table per section, the corrections applied. */
export function renderMarkdown(g: GeneratedGuide): string {
  const out: string[] = [];
  out.push(`# ${g.title}`, '');
  out.push(`**Versión ${g.catalogVersion}** · ${g.fecha}`, '');
  out.push(`${INSTITUTION} · ${AREA}`, '');
  out.push(
    'Tablas de la sección 5 de la guía generadas de las máquinas de procedimiento del catálogo de ' +
      '«Mi Correo Institucional», con las correcciones de esta versión aplicadas y listadas al final.',
    '',
  );
  out.push('## Catálogo de procedimientos', '');
  out.push('| Sección | Procedimiento | Identificador | Versión |', '| --- | --- | --- | --- |');
  for (const p of g.procedures) out.push(`| ${p.guideSection} | ${mdCell(p.title)} | \`${p.id}\` | ${p.version} |`);
  out.push('');
  for (const t of g.tables) {
    out.push(`## ${t.section} ${t.heading}`, '');
    out.push(`Procedimiento \`${t.procedureId}\`, versión ${t.procedureVersion}.`, '');
    out.push(`**${mdCell(t.title)}**${t.titleCorrection !== undefined ? mark([t.titleCorrection]) : ''}`, '');
    out.push('| No. | Responsable | Actividad |', '| --- | --- | --- |');
    for (const r of t.rows) {
      out.push(
        `| ${r.no} | ${r.responsableVisible ? mdCell(r.responsable) : ''} | ${mdCell(r.actividad)}${mark(r.correcciones)} |`,
      );
    }
    out.push('');
  }
  out.push('## Correcciones aplicadas a la guía', '');
  for (const c of g.corrections) {
    out.push(`### ${c.numero}. ${c.titulo}`, '');
    out.push(`- **La guía:** ${c.guia}`, `- **El catálogo:** ${c.catalogo}`, '');
    for (const d of c.detalles) {
      out.push(`  - ${d.lugar}. Guía: ${d.guia} — Catálogo: ${d.catalogo}`);
    }
    out.push('');
  }
  return out.join('\n');
}
