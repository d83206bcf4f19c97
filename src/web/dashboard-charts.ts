import { escapeHtml as esc } from '../render/handlebars';

/** One series of a bar chart: its name in the legend and its colour. */
export interface Series {
  nombre: string;
  color: string;
}

export interface ChartRow {
  label: string;
  /** One value per series, in the series' order. */
  values: number[];
  /** A target drawn as a vertical tick across the row (a service level). */
  target?: number;
}

export interface BarChart {
  /** Read by screen readers (the SVG's `<title>`) and used for the ids. */
  titulo: string;
  id: string;
  series: Series[];
  rows: ChartRow[];
  /** Unit after each value ("días"). */
  unidad?: string;
  /** Name of the target in the legend ("Nivel de servicio"). */
  meta?: string;
}

/** Where things go: labels beside the bars on a wide screen, above them on a phone. */
interface Geometry {
  width: number;
  /** Left edge of the bars. */
  barX: number;
  /** Room kept after the longest bar for its value. */
  valueW: number;
  /** Height of the row's label line above its bars (0: the label is beside them). */
  labelH: number;
  /** Characters of a label before it is cut. */
  labelMax: number;
  fontSize: number;
}

const WIDE: Geometry = { width: 720, barX: 250, valueW: 70, labelH: 0, labelMax: 38, fontSize: 12 };
/** Drawn for a 360 px screen at about its own size: 13-unit text stays readable instead of shrinking to 6 px. */
const NARROW: Geometry = { width: 360, barX: 0, valueW: 44, labelH: 18, labelMax: 44, fontSize: 13 };

const BAR_H = 14;
const GAP = 10;
const LEGEND_LINE = 22;

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const clip = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * A horizontal bar chart as SVG, drawn on the server (no script, no library): one group of bars per row, one bar per
 * series, the value written after each bar, an optional target tick per row, a legend. Two drawings of the same data:
 * `ancha` (labels beside the bars) for screens and paper, `angosta` (labels above, legend wrapped) for phones; the page
 * shows one or the other by the screen's width. Every text is escaped.
 */
export function barChartSvg(c: BarChart, forma: 'ancha' | 'angosta' = 'ancha'): string {
  const g = forma === 'ancha' ? WIDE : NARROW;
  const legend = [
    ...c.series.map((s) => ({ nombre: s.nombre, color: s.color, tick: false })),
    ...(c.meta && c.rows.some((r) => r.target !== undefined) ? [{ nombre: c.meta, color: '#1d2a24', tick: true }] : []),
  ];
  // The legend flows from the bars' edge and wraps when it reaches the right side.
  let x = g.barX;
  let line = 0;
  const legendSvg = legend
    .map((l) => {
      const w = 28 + l.nombre.length * 7;
      if (x > g.barX && x + w - 12 > g.width) {
        x = g.barX;
        line += 1;
      }
      const top = line * LEGEND_LINE;
      const mark = l.tick
        ? `<rect x="${x}" y="${top + 4}" width="3" height="14" fill="${l.color}"/>`
        : `<rect x="${x}" y="${top + 6}" width="12" height="10" fill="${l.color}"/>`;
      const out = `${mark}<text x="${x + 16}" y="${top + 15}" font-size="12">${esc(l.nombre)}</text>`;
      x += w;
      return out;
    })
    .join('');
  const legendH = (line + 1) * LEGEND_LINE + 4;
  const perRow = g.labelH + c.series.length * BAR_H + GAP;
  const height = legendH + Math.max(1, c.rows.length) * perRow + GAP;
  const max = Math.max(1, ...c.rows.flatMap((r) => [...r.values, r.target ?? 0]));
  const scale = (g.width - g.barX - g.valueW) / max;
  const rows = c.rows
    .map((r, i) => {
      const y0 = legendH + i * perRow + g.labelH;
      const bars = r.values
        .map((v, j) => {
          const y = y0 + j * BAR_H;
          const w = Math.max(v > 0 ? 2 : 0, Math.round(v * scale));
          return (
            `<rect x="${g.barX}" y="${y + 1}" width="${w}" height="${BAR_H - 2}" fill="${c.series[j]?.color ?? '#5b6b63'}">` +
            `<title>${esc(`${r.label} — ${c.series[j]?.nombre ?? ''}: ${fmt(v)}${c.unidad ? ` ${c.unidad}` : ''}`)}</title></rect>` +
            `<text x="${g.barX + w + 4}" y="${y + BAR_H - 3}" font-size="11">${fmt(v)}</text>`
          );
        })
        .join('');
      const tick =
        r.target === undefined
          ? ''
          : `<rect x="${g.barX + Math.round(r.target * scale) - 1}" y="${y0 - 2}" width="3" height="${c.series.length * BAR_H + 4}" fill="#1d2a24"><title>${esc(`${c.meta ?? 'Meta'}: ${fmt(r.target)}${c.unidad ? ` ${c.unidad}` : ''}`)}</title></rect>`;
      const label = g.labelH
        ? `<text x="0" y="${y0 - 5}" font-size="${g.fontSize}" font-weight="600">${esc(clip(r.label, g.labelMax))}</text>`
        : `<text x="${g.barX - 8}" y="${y0 + (c.series.length * BAR_H) / 2 + 4}" font-size="${g.fontSize}" text-anchor="end">${esc(clip(r.label, g.labelMax))}</text>`;
      return `<g class="fila">${label}${bars}${tick}</g>`;
    })
    .join('');
  const empty = c.rows.length
    ? ''
    : `<text x="${g.barX}" y="${legendH + 14}" font-size="12" fill="#5b6b63">Sin datos en el periodo.</text>`;
  const id = forma === 'ancha' ? c.id : `${c.id}-${forma}`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="grafica ${forma}" id="${esc(id)}" viewBox="0 0 ${g.width} ${height}" width="100%" role="img" aria-labelledby="${esc(id)}-titulo" font-family="system-ui, sans-serif" fill="#1d2a24">` +
    `<title id="${esc(id)}-titulo">${esc(c.titulo)}</title>${legendSvg}${rows}${empty}</svg>`
  );
}
