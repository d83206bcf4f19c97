/**
 * A procedure machine drawn as an SVG state diagram, top to bottom, with the current state(s) of a case highlighted.
 * diagram-model.ts says what is drawn, diagram-layout.ts (dagre) where; this file only writes the SVG.
 *
 * Layers, back to front: arrows, the entry dot, the state boxes, then the arrows' labels (so no line crosses a
 * label). Every text goes through the one HTML escaper; the same machine gives the same bytes.
 */
import type { AnyStateMachine } from 'xstate';
import type { CasePosition } from '../engine/case-query.service';
import { escapeHtml } from '../render/handlebars';
import { type DiagramModel, diagramModel, TEXT } from './diagram-model';
import { type DiagramLayout, layoutDiagram, type PlacedBox, type PlacedEdge, type Point } from './diagram-layout';

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

const STYLE = [
  '.estado rect{fill:#ffffff;stroke:#4a5568;stroke-width:1.2}',
  '.estado.decision rect{fill:#f7fafc;stroke-dasharray:5 3}',
  '.estado.final rect{fill:#edf2f7}',
  '.estado rect.borde{fill:none}',
  '.estado.incidente rect{stroke:#b00020}',
  '.estado.activo rect{fill:#fff3c4;stroke:#d97706;stroke-width:3}',
  `.nombre{font-weight:bold;font-size:${TEXT.title}px;fill:#1a202c}`,
  `.pasos{font-size:${TEXT.body}px;fill:#1f3b63}`,
  `.responsable{font-size:${TEXT.body}px;fill:#4a5568;font-style:italic}`,
  '.transicion path{fill:none;stroke:#4a5568;stroke-width:1.1}',
  '.transicion.regreso path{stroke-dasharray:4 3}',
  `.etiquetas text{font-size:${TEXT.label}px;fill:#2d3748;paint-order:stroke;stroke:#ffffff;stroke-width:3px;stroke-linejoin:round}`,
].join('');

/** Ids inside the SVG are per procedure, so two diagrams inlined in one page do not share markers. */
const domId = (text: string): string => text.replace(/[^A-Za-z0-9_-]/g, '-');

/** One decimal: enough for a screen, and stable bytes. */
const round = (n: number): number => Math.round(n * 10) / 10;
const at = (p: Point): string => `${round(p.x)},${round(p.y)}`;
const middle = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

/** A smooth line through dagre's points: straight to the first midpoint, then quadratic curves bent at each point. */
function smoothPath(points: Point[]): string {
  if (points.length < 3) return `M${points.map(at).join(' L')}`;
  const parts = [`M${at(points[0])}`, `L${at(middle(points[0], points[1]))}`];
  for (let i = 1; i < points.length - 1; i++) parts.push(`Q${at(points[i])} ${at(middle(points[i], points[i + 1]))}`);
  parts.push(`L${at(points[points.length - 1])}`);
  return parts.join(' ');
}

/** A transition back into its own state: a loop on the box's right side, where dagre kept room for its label. */
function loopPath(box: PlacedBox): string {
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  const p = (dx: number, dy: number): string => at({ x: x + dx, y: y + dy });
  return `M${p(0, -8)} C${p(28, -24)} ${p(28, 24)} ${p(0, 8)}`;
}

function svgOpen(model: DiagramModel, layout: DiagramLayout, id: string): string {
  const { width, height } = layout;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `role="img" aria-labelledby="titulo-${id}" data-procedure="${escapeHtml(model.id)}" font-family="${FONT}">\n` +
    `<title id="titulo-${id}">Diagrama de estados del procedimiento ${escapeHtml(model.id)}</title>\n` +
    `<defs><marker id="flecha-${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">` +
    `<path d="M0,0 L10,5 L0,10 z" fill="#4a5568"/></marker><style>${STYLE}</style></defs>`
  );
}

const edgeAttrs = (e: PlacedEdge): string =>
  `data-source="${escapeHtml(e.source)}" data-target="${escapeHtml(e.target)}" data-events="${escapeHtml(e.events.join(' '))}"`;

function edgeSvg(e: PlacedEdge, boxes: Map<string, PlacedBox>, id: string): string {
  const source = boxes.get(e.source);
  const d = e.source === e.target && source ? loopPath(source) : smoothPath(e.points);
  return `<g class="transicion${e.back ? ' regreso' : ''}" ${edgeAttrs(e)}><path d="${d}" marker-end="url(#flecha-${id})"/></g>`;
}

/** A label's lines, centred on the place dagre kept for it. */
function labelSvg(e: PlacedEdge): string {
  if (!e.labelAt) return '';
  const top = e.labelAt.y - (e.label.length * TEXT.lineHeight) / 2 + TEXT.label;
  const x = round(e.labelAt.x);
  const lines = e.label.map(
    (line, i) => `<tspan x="${x}" y="${round(top + i * TEXT.lineHeight)}">${escapeHtml(line)}</tspan>`,
  );
  return `<text text-anchor="middle" data-source="${escapeHtml(e.source)}" data-target="${escapeHtml(e.target)}">${lines.join('')}</text>`;
}

function startSvg(layout: DiagramLayout, id: string): string {
  const { at: dot, points } = layout.start;
  return (
    `<circle cx="${dot.x}" cy="${dot.y}" r="5" fill="#1a202c"/>\n` +
    `<path d="${smoothPath(points)}" fill="none" stroke="#1a202c" stroke-width="1.2" marker-end="url(#flecha-${id})"/>`
  );
}

function boxSvg(b: PlacedBox, active: boolean, id: string): string {
  const cls = ['estado', b.kind === 'estado' ? '' : b.kind, active ? 'activo' : ''].filter(Boolean).join(' ');
  const out = [
    `<g class="${cls}" id="estado-${id}-${domId(b.key)}" data-state="${escapeHtml(b.key)}"${active ? ' data-activo="true" aria-current="step"' : ''}>`,
    `<title>${escapeHtml(b.key)}</title>`,
    `<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="${b.kind === 'decision' ? 14 : 6}"/>`,
  ];
  if (b.kind === 'final') {
    out.push(
      `<rect class="borde" x="${round(b.x + 3)}" y="${round(b.y + 3)}" width="${b.width - 6}" height="${b.height - 6}" rx="4"/>`,
    );
  }
  const cx = round(b.x + b.width / 2);
  b.lines.forEach((l, i) => {
    out.push(
      `<text class="${l.cls}" x="${cx}" y="${round(b.y + 16 + i * TEXT.lineHeight)}" text-anchor="middle">${escapeHtml(l.text)}</text>`,
    );
  });
  out.push('</g>');
  return out.join('\n');
}

/** A drawn diagram, and where its first highlighted state is (fractions of the drawing's width and height). */
export interface DrawnDiagram {
  svg: string;
  /** Centre of the first highlighted state, 0..1 of the width and height: where a narrow screen scrolls to. */
  focus: { x: number; y: number } | null;
}

/** Renders a procedure machine as SVG; `activeStateIds` (state paths like "recepcion", or node ids) are highlighted. */
export function drawDiagram(machine: AnyStateMachine, activeStateIds: readonly string[] = []): DrawnDiagram {
  const model = diagramModel(machine);
  const layout = layoutDiagram(model);
  const id = domId(model.id);
  const active = new Set(activeStateIds);
  const isActive = (b: PlacedBox): boolean => active.has(b.key) || active.has(b.nodeId);
  const boxes = new Map(layout.boxes.map((b) => [b.key, b]));
  const svg = [
    svgOpen(model, layout, id),
    ...layout.edges.map((e) => edgeSvg(e, boxes, id)),
    startSvg(layout, id),
    ...layout.boxes.map((b) => boxSvg(b, isActive(b), id)),
    `<g class="etiquetas">${layout.edges.map(labelSvg).join('')}</g>`,
    '</svg>',
  ].join('\n');
  const first = layout.boxes.find(isActive);
  const focus = first
    ? {
        x: Math.round(((first.x + first.width / 2) / layout.width) * 1000) / 1000,
        y: Math.round(((first.y + first.height / 2) / layout.height) * 1000) / 1000,
      }
    : null;
  return { svg, focus };
}

export function renderDiagramSvg(machine: AnyStateMachine, activeStateIds: readonly string[] = []): string {
  return drawDiagram(machine, activeStateIds).svg;
}

/** A case's diagram: its procedure version's machine, its current state(s) highlighted. */
export function caseDiagram(position: CasePosition): DrawnDiagram {
  return drawDiagram(position.procedure.machine, position.states);
}

export function caseDiagramSvg(position: CasePosition): string {
  return caseDiagram(position).svg;
}
