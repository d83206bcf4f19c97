/**
 * Where the boxes and arrows of a state diagram go: a layered (Sugiyama) layout by dagre, top to bottom. dagre turns
 * the cycles (REGRESAR, REINTENTAR) around, puts each state in a layer, orders the layers to cut crossings, routes
 * long and backward arrows through the gaps between boxes, and keeps a place for each arrow's label.
 */
import { type EdgeLabel, Graph, type GraphLabel, layout, type NodeLabel } from '@dagrejs/dagre';
import { type DiagramEdge, type DiagramModel, type StateBox, TEXT, textWidth } from './diagram-model';

const LAYOUT = { rankdir: 'TB', nodesep: 36, edgesep: 14, ranksep: 56, marginx: 24, marginy: 24 } as const;
/** The dot the initial state's entry arrow starts from: a node of its own, so the layout keeps room for it. */
const START = '\u0000inicio';
const START_SIZE = 10;
/** How far from a box's corner an arrow may leave or enter it. */
const PORT_INSET = 12;

export interface Point {
  x: number;
  y: number;
}

/** A box placed: top-left corner and size. */
export interface PlacedBox extends StateBox {
  x: number;
  y: number;
}

export interface PlacedEdge extends DiagramEdge {
  /** From the source box's border to the target box's border; none for a loop (drawn beside its box). */
  points: Point[];
  /** Centre of the label, when it has one. */
  labelAt?: Point;
  /** Drawn upwards: a return to an earlier step. */
  back: boolean;
}

export interface DiagramLayout {
  width: number;
  height: number;
  boxes: PlacedBox[];
  edges: PlacedEdge[];
  /** The entry arrow: a dot, and the arrow from it to the initial state's box. */
  start: { at: Point; points: Point[] };
}

const labelSize = (lines: string[]) => ({
  width: lines.length ? Math.max(...lines.map((l) => textWidth(l, TEXT.label))) + 6 : 0,
  height: lines.length * TEXT.lineHeight,
});

type LayoutGraph = Graph<GraphLabel, NodeLabel, EdgeLabel>;

function graphOf(model: DiagramModel): LayoutGraph {
  const g: LayoutGraph = new Graph();
  g.setGraph({ ...LAYOUT });
  // Insertion order is what dagre breaks cycles and ties with: the start first, then the states as declared.
  g.setNode(START, { width: START_SIZE, height: START_SIZE });
  for (const b of model.boxes) g.setNode(b.key, { width: b.width, height: b.height });
  g.setEdge(START, model.initial, {});
  for (const e of model.edges) g.setEdge(e.source, e.target, { ...labelSize(e.label), labelpos: 'c' });
  return g;
}

const round = (n: number): number => Math.round(n * 10) / 10;
const roundPoint = (p: Point): Point => ({ x: round(p.x), y: round(p.y) });
const pointsOf = (label: EdgeLabel): Point[] => (label.points ?? []).map(roundPoint);

/**
 * dagre ends an arrow where the line to its next point crosses the box's border, which may be a side: the line then
 * runs along the layer, through the neighbouring boxes. Arrows leave and enter by the top or bottom side instead,
 * towards the point next to them (the next layer's), so the first and last stretch stay between the layers.
 */
function port(box: PlacedBox, toward: Point): Point {
  const x = Math.min(box.x + box.width - PORT_INSET, Math.max(box.x + PORT_INSET, toward.x));
  return roundPoint({ x, y: toward.y > box.y + box.height / 2 ? box.y + box.height : box.y });
}

function attach(points: Point[], source: PlacedBox, target: PlacedBox): Point[] {
  const inner = points.slice(1, -1);
  const first = inner[0] ?? { x: target.x + target.width / 2, y: target.y + target.height / 2 };
  const last = inner[inner.length - 1] ?? { x: source.x + source.width / 2, y: source.y + source.height / 2 };
  return [port(source, first), ...inner, port(target, last)];
}

export function layoutDiagram(model: DiagramModel): DiagramLayout {
  const g = graphOf(model);
  layout(g);
  const centre = (key: string): Point => ({ x: g.node(key).x ?? 0, y: g.node(key).y ?? 0 });
  const boxes = model.boxes.map((b) => ({
    ...b,
    x: round(centre(b.key).x - b.width / 2),
    y: round(centre(b.key).y - b.height / 2),
  }));
  const byKey = new Map(boxes.map((b) => [b.key, b]));
  const edges = model.edges.map((e): PlacedEdge => {
    const placed = g.edge(e.source, e.target);
    const [source, target] = [byKey.get(e.source), byKey.get(e.target)];
    const loop = e.source === e.target;
    const points = !loop && source && target ? attach(pointsOf(placed), source, target) : [];
    const labelAt =
      e.label.length && placed.x !== undefined && placed.y !== undefined
        ? roundPoint({ x: placed.x, y: placed.y })
        : undefined;
    return { ...e, points, labelAt, back: loop || centre(e.target).y < centre(e.source).y };
  });
  const graph = g.graph();
  return {
    width: Math.ceil(graph.width ?? 0),
    height: Math.ceil(graph.height ?? 0),
    boxes,
    edges,
    start: { at: roundPoint(centre(START)), points: pointsOf(g.edge(START, model.initial)) },
  };
}
