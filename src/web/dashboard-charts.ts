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

const WIDTH = 720;
const LABEL_W = 250;
const VALUE_W = 70;
const BAR_H = 14;
const GAP = 10;
const LEGEND_H = 26;

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const clip = (s: string, max = 38): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * A horizontal bar chart as an SVG element, drawn on the server (no script, no library): one group of bars per row,
 * one bar per series, the value written after each bar, an optional target tick per row, a legend. Scales to its
 * container (viewBox) and prints as drawn. Every text is escaped.
 */
export function barChartSvg(c: BarChart): string {
  const perRow = c.series.length * BAR_H + GAP;
  const height = LEGEND_H + Math.max(1, c.rows.length) * perRow + GAP;
  const max = Math.max(1, ...c.rows.flatMap((r) => [...r.values, r.target ?? 0]));
  const scale = (WIDTH - LABEL_W - VALUE_W) / max;
  const legend = [
    ...c.series.map((s) => ({ nombre: s.nombre, color: s.color, tick: false })),
    ...(c.meta && c.rows.some((r) => r.target !== undefined) ? [{ nombre: c.meta, color: '#1d2a24', tick: true }] : []),
  ];
  let x = LABEL_W;
  const legendSvg = legend
    .map((l) => {
      const mark = l.tick
        ? `<rect x="${x}" y="4" width="3" height="14" fill="${l.color}"/>`
        : `<rect x="${x}" y="6" width="12" height="10" fill="${l.color}"/>`;
      const out = `${mark}<text x="${x + 16}" y="15" font-size="12">${esc(l.nombre)}</text>`;
      x += 28 + l.nombre.length * 7;
      return out;
    })
    .join('');
  const rows = c.rows
    .map((r, i) => {
      const y0 = LEGEND_H + i * perRow;
      const bars = r.values
        .map((v, j) => {
          const y = y0 + j * BAR_H;
          const w = Math.max(v > 0 ? 2 : 0, Math.round(v * scale));
          return (
            `<rect x="${LABEL_W}" y="${y + 1}" width="${w}" height="${BAR_H - 2}" fill="${c.series[j]?.color ?? '#5b6b63'}">` +
            `<title>${esc(`${r.label} — ${c.series[j]?.nombre ?? ''}: ${fmt(v)}${c.unidad ? ` ${c.unidad}` : ''}`)}</title></rect>` +
            `<text x="${LABEL_W + w + 4}" y="${y + BAR_H - 3}" font-size="11">${fmt(v)}</text>`
          );
        })
        .join('');
      const tick =
        r.target === undefined
          ? ''
          : `<rect x="${LABEL_W + Math.round(r.target * scale) - 1}" y="${y0 - 2}" width="3" height="${c.series.length * BAR_H + 4}" fill="#1d2a24"><title>${esc(`${c.meta ?? 'Meta'}: ${fmt(r.target)}${c.unidad ? ` ${c.unidad}` : ''}`)}</title></rect>`;
      const label = `<text x="${LABEL_W - 8}" y="${y0 + (c.series.length * BAR_H) / 2 + 4}" font-size="12" text-anchor="end">${esc(clip(r.label))}</text>`;
      return `<g class="fila">${label}${bars}${tick}</g>`;
    })
    .join('');
  const empty = c.rows.length
    ? ''
    : `<text x="${LABEL_W}" y="${LEGEND_H + 14}" font-size="12" fill="#5b6b63">Sin datos en el periodo.</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="grafica" id="${esc(c.id)}" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-labelledby="${esc(c.id)}-titulo" font-family="system-ui, sans-serif" fill="#1d2a24">` +
    `<title id="${esc(c.id)}-titulo">${esc(c.titulo)}</title>${legendSvg}${rows}${empty}</svg>`
  );
}
