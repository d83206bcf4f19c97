/**
 * A procedure machine drawn as an SVG state diagram, top to bottom, with the current state(s) of a case highlighted.
 * No external tool: a small layered layout (Sugiyama style) computed here.
 *
 * 1. Edges come from the state nodes' transitions (event and eventless); a DFS from the initial state in declaration
 *    order marks the edges that go back up (REGRESAR, REINTENTAR, "regresa a la actividad 2").
 * 2. Each state sits one layer below the lowest of the states that lead to it (longest path over forward edges), so
 *    outcomes sink to the bottom and the guide's order reads from top to bottom.
 * 3. Forward edges longer than one layer pass through dummy points; a few barycenter sweeps order each layer to
 *    cut crossings, and x positions follow the neighbours' average without overlapping.
 * 4. Back edges run in lanes beside the drawing, through the gaps between layers, so they cross no box.
 *
 * Everything is ordered by declaration order and rounded, so the same machine gives the same bytes.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import type { CommandType, SOLICITANTE, StepMeta, TaskRole, TransitionMeta } from '../../machines/types';

const BOX_W = 200;
const GAP_X = 36;
const GAP_Y = 64;
const MARGIN = 24;
const LANE = 14;
const DUMMY_W = 18;
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const TITLE_SIZE = 11.5;
const TEXT_SIZE = 10;
const LABEL_SIZE = 9.5;
const LINE_H = 13;

interface StateBox {
  key: string;
  node: AnyStateNode;
  kind: 'estado' | 'decision' | 'final' | 'incidente';
  lines: { text: string; cls: 'nombre' | 'pasos' | 'responsable' }[];
  width: number;
  height: number;
}

interface Point {
  key: string;
  layer: number;
  order: number;
  x: number;
  width: number;
  box?: StateBox;
}

interface Edge {
  source: string;
  target: string;
  labels: string[];
  events: string[];
  back: boolean;
  /** Points the edge passes through, source and target included (dummies between). */
  chain: string[];
}

/** Eventless transitions and guarded alternatives, said the way the guide's decisions say them. */
const GUARD_TEXT: Record<string, (params: Record<string, unknown> | undefined) => string> = {
  identidadValida: () => 'datos correctos',
  ultimoIntento: () => 'último intento fallido',
  cuentaPersonal: (p) => (p?.existe ? 'ya tiene cuenta personal' : 'no tiene cuenta personal'),
  tieneCorreoAlterno: () => 'tiene correo alterno',
  incidenteDe: (p) =>
    ({ provision: 'falló la cuenta', sendCredentials: 'falló el envío', renderReplyLetter: 'falló el oficio' })[
      String(p?.command)
    ] ?? String(p?.command),
  tipoDeCuenta: () => '',
};

const EFFECT_NAME: Record<CommandType, string> = {
  provision: 'Servicio de cuentas',
  sendCredentials: 'Envío de los datos de acceso',
  renderReplyLetter: 'Oficio de respuesta',
  notifyHolder: 'Aviso al titular',
  renderAcuse: 'Acuse de recibo',
  wipeChosenPassword: 'Borrado de la contraseña elegida',
};

const TASK_ROLE_NAME: Record<TaskRole | typeof SOLICITANTE, string> = {
  subdireccion: 'Subdirección de Sistemas y Servicios Telemáticos',
  subjefatura: 'Subjefatura de Sistemas',
  nivel: 'Nivel',
  centro_trabajo: 'Centro de trabajo',
  responsable: 'Responsable del programa, función o servicio',
  solicitante: 'Quien envió el oficio (nivel o área)',
};

const round = (n: number): number => Math.round(n * 10) / 10;

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Splits text into lines of at most `max` characters, at spaces. */
function wrap(text: string, max: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > max) {
      out.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) out.push(line);
  return out;
}

/** "datosIncorrectos" → "Datos incorrectos"; the state ids are Spanish without accents ("validacion" → "validación"). */
const humanize = (id: string): string => {
  const words = id
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/cion\b/g, 'ción');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function guardText(guard: unknown): string {
  if (!guard) return '';
  const type = typeof guard === 'string' ? guard : (guard as { type?: unknown }).type;
  const params = typeof guard === 'object' ? (guard as { params?: Record<string, unknown> }).params : undefined;
  const name = typeof type === 'string' ? type : '';
  return GUARD_TEXT[name]?.(params) ?? name;
}

function statePaths(machine: AnyStateMachine): AnyStateNode[] {
  const walk = (node: AnyStateNode): AnyStateNode[] => Object.values(node.states).flatMap((c) => [c, ...walk(c)]);
  return walk(machine.root);
}

const keyOf = (node: AnyStateNode): string => node.path.join('.');

function boxOf(node: AnyStateNode): StateBox {
  const meta = node.meta as StepMeta | undefined;
  const decision = (node.always ?? []).length > 0;
  const kind: StateBox['kind'] = node.type === 'final' ? 'final' : meta?.incident ? 'incidente' : decision ? 'decision' : 'estado';
  const key = keyOf(node);
  const maxChars = Math.floor((BOX_W - 16) / (TEXT_SIZE * 0.56));
  const lines: StateBox['lines'] = [];
  const name = meta?.task?.title ?? (meta?.awaitsEffect ? EFFECT_NAME[meta.awaitsEffect] : undefined) ?? humanize(node.key);
  for (const l of wrap(name, Math.floor((BOX_W - 16) / (TITLE_SIZE * 0.6)))) lines.push({ text: l, cls: 'nombre' });
  const pasos = meta?.pasos ?? [];
  if (pasos.length) {
    const bySection = new Map<string, string[]>();
    for (const p of pasos) bySection.set(p.seccion ?? '', [...(bySection.get(p.seccion ?? '') ?? []), p.no]);
    const text = [...bySection.entries()]
      .map(([section, nos]) => `${section ? `${section} ` : ''}${nos.length > 1 ? 'pasos' : 'paso'} ${nos.join(', ')}`)
      .join('; ');
    for (const l of wrap(text.charAt(0).toUpperCase() + text.slice(1), maxChars)) lines.push({ text: l, cls: 'pasos' });
    const responsables = [...new Set(pasos.map((p) => p.responsable))].join(' / ');
    for (const l of wrap(responsables, maxChars)) lines.push({ text: l, cls: 'responsable' });
  } else {
    const note =
      kind === 'final'
        ? 'Fin del trámite'
        : meta?.task
          ? TASK_ROLE_NAME[meta.task.role]
          : meta?.awaitsEffect
            ? 'Servicio (en espera del resultado)'
            : key;
    for (const l of wrap(note, maxChars)) lines.push({ text: l, cls: 'responsable' });
  }
  return { key, node, kind, lines, width: BOX_W, height: 12 + lines.length * LINE_H + 4 };
}

function collectEdges(nodes: AnyStateNode[]): Edge[] {
  const byPair = new Map<string, Edge>();
  const add = (source: string, target: string, event: string, label: string) => {
    const pair = `${source}\u0000${target}`;
    const e = byPair.get(pair) ?? { source, target, labels: [], events: [], back: false, chain: [] };
    if (label && !e.labels.includes(label)) e.labels.push(label);
    if (!e.events.includes(event)) e.events.push(event);
    byPair.set(pair, e);
  };
  for (const node of nodes) {
    const source = keyOf(node);
    const evented = [...node.transitions.values()].flat();
    for (const t of [...evented, ...(node.always ?? [])]) {
      const eventless = (node.always ?? []).includes(t);
      const meta = t.meta as TransitionMeta | undefined;
      const base = eventless ? '' : (meta?.label ?? String(t.eventType));
      const cond = guardText(t.guard);
      const label = eventless ? cond || 'en otro caso' : cond ? `${base} (${cond})` : base;
      const targets = (t.target ?? []).map(keyOf);
      for (const target of targets.length ? targets : [source]) add(source, target, eventless ? '' : String(t.eventType), label);
    }
  }
  return [...byPair.values()];
}

/** Renders a procedure machine as SVG; `activeStateIds` (state paths like "recepcion", or node ids) are highlighted. */
export function renderDiagramSvg(machine: AnyStateMachine, activeStateIds: readonly string[] = []): string {
  const nodes = statePaths(machine).filter((n) => n.type !== 'history');
  const boxes = new Map(nodes.map((n) => [keyOf(n), boxOf(n)]));
  const edges = collectEdges(nodes);
  const outgoing = new Map<string, Edge[]>();
  for (const e of edges) outgoing.set(e.source, [...(outgoing.get(e.source) ?? []), e]);

  // 1. Back edges: DFS in declaration order from the initial state, then from any state it did not reach.
  const initial = (machine.root.initial?.target ?? []).map(keyOf)[0] ?? keyOf(nodes[0]);
  const visited = new Set<string>();
  const onStack = new Set<string>();
  const finishOrder: string[] = [];
  const dfs = (key: string) => {
    visited.add(key);
    onStack.add(key);
    for (const e of outgoing.get(key) ?? []) {
      if (e.target === e.source || onStack.has(e.target)) e.back = true;
      else if (!visited.has(e.target)) dfs(e.target);
    }
    onStack.delete(key);
    finishOrder.push(key);
  };
  dfs(initial);
  for (const key of boxes.keys()) if (!visited.has(key)) dfs(key);

  // 2. Layers: longest path over forward edges, in topological order (reverse DFS finish order).
  const layer = new Map<string, number>([...boxes.keys()].map((k) => [k, 0]));
  for (const key of [...finishOrder].reverse()) {
    for (const e of outgoing.get(key) ?? []) {
      if (!e.back) layer.set(e.target, Math.max(layer.get(e.target) ?? 0, (layer.get(key) ?? 0) + 1));
    }
  }

  // 3. Points: one per state, one dummy per layer crossed by a long forward edge.
  const points = new Map<string, Point>();
  for (const [key, box] of boxes) points.set(key, { key, layer: layer.get(key) ?? 0, order: 0, x: 0, width: box.width, box });
  for (const [i, e] of edges.entries()) {
    e.chain = [e.source];
    if (!e.back) {
      const from = layer.get(e.source) ?? 0;
      const to = layer.get(e.target) ?? 0;
      for (let l = from + 1; l < to; l++) {
        const key = `~${i}~${l}`;
        points.set(key, { key, layer: l, order: 0, x: 0, width: DUMMY_W });
        e.chain.push(key);
      }
    }
    e.chain.push(e.target);
  }
  const layerCount = Math.max(...[...points.values()].map((p) => p.layer)) + 1;
  const layers: Point[][] = Array.from({ length: layerCount }, () => []);
  for (const p of points.values()) layers[p.layer].push(p); // insertion order: states as declared, then dummies
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  for (const e of edges.filter((x) => !x.back)) {
    for (let i = 0; i + 1 < e.chain.length; i++) {
      down.set(e.chain[i], [...(down.get(e.chain[i]) ?? []), e.chain[i + 1]]);
      up.set(e.chain[i + 1], [...(up.get(e.chain[i + 1]) ?? []), e.chain[i]]);
    }
  }
  const setOrder = (row: Point[]) => row.forEach((p, i) => (p.order = i));
  layers.forEach(setOrder);
  const barycenter = (p: Point, neighbours: Map<string, string[]>): number => {
    const ns = (neighbours.get(p.key) ?? []).map((k) => points.get(k)?.order ?? 0);
    return ns.length ? ns.reduce((a, b) => a + b, 0) / ns.length : p.order;
  };
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let l = 1; l < layerCount; l++) {
      layers[l] = [...layers[l]].sort((a, b) => barycenter(a, up) - barycenter(b, up) || a.order - b.order);
      setOrder(layers[l]);
    }
    for (let l = layerCount - 2; l >= 0; l--) {
      layers[l] = [...layers[l]].sort((a, b) => barycenter(a, down) - barycenter(b, down) || a.order - b.order);
      setOrder(layers[l]);
    }
  }

  // 4. x: each point as near its neighbours' average as the row allows. Points are placed by priority (states
  //    before dummies, then row order); a placed point never moves again, the others are pushed aside.
  const sep = (a: Point, b: Point): number => (a.width + b.width) / 2 + GAP_X;
  const place = (row: Point[], desired: number[]) => {
    const fixed = new Set<number>();
    const byPriority = row.map((_, i) => i).sort((a, b) => Number(!row[a].box) - Number(!row[b].box) || a - b);
    for (const i of byPriority) {
      let lo = -Infinity;
      let hi = Infinity;
      let dist = 0;
      for (let j = i + 1; j < row.length; j++) {
        dist += sep(row[j - 1], row[j]);
        if (fixed.has(j)) hi = Math.min(hi, row[j].x - dist);
      }
      dist = 0;
      for (let j = i - 1; j >= 0; j--) {
        dist += sep(row[j], row[j + 1]);
        if (fixed.has(j)) lo = Math.max(lo, row[j].x + dist);
      }
      row[i].x = Math.min(hi, Math.max(lo, desired[i]));
      fixed.add(i);
      for (let j = i + 1; j < row.length; j++) row[j].x = Math.max(row[j].x, row[j - 1].x + sep(row[j - 1], row[j]));
      for (let j = i - 1; j >= 0; j--) row[j].x = Math.min(row[j].x, row[j + 1].x - sep(row[j], row[j + 1]));
    }
  };
  for (const row of layers) {
    let x = 0;
    for (const p of row) {
      p.x = x + p.width / 2;
      x += p.width + GAP_X;
    }
    for (const p of row) p.x -= x / 2;
  }
  const avgX = (p: Point, neighbours: Map<string, string[]>): number => {
    const ns = (neighbours.get(p.key) ?? []).map((k) => points.get(k)?.x ?? 0);
    return ns.length ? ns.reduce((a, b) => a + b, 0) / ns.length : p.x;
  };
  for (const pass of [1, -1, 1]) {
    const order = pass === 1 ? [...Array(layerCount).keys()].slice(1) : [...Array(layerCount).keys()].reverse().slice(1);
    for (const l of order) place(layers[l], layers[l].map((p) => avgX(p, pass === 1 ? up : down)));
  }

  // y: each layer as tall as its tallest box.
  const layerHeight = layers.map((row) => Math.max(DUMMY_W, ...row.map((p) => p.box?.height ?? 0)));
  const layerTop: number[] = [];
  let yAcc = MARGIN + 28;
  for (let l = 0; l < layerCount; l++) {
    layerTop.push(yAcc);
    yAcc += layerHeight[l] + GAP_Y;
  }
  const boxY = (p: Point): number => layerTop[p.layer] + (layerHeight[p.layer] - (p.box?.height ?? 0)) / 2;

  // Back edges: lanes on the side nearer to their ends; each one its own lane and its own offsets in the gaps.
  const all = [...points.values()];
  const minX = Math.min(...all.map((p) => p.x - p.width / 2));
  const maxX = Math.max(...all.map((p) => p.x + p.width / 2));
  const centre = (minX + maxX) / 2;
  const backs = edges.filter((e) => e.back && e.source !== e.target);
  const lanes = new Map<Edge, { side: 1 | -1; lane: number; nth: number }>();
  const backsFrom = new Map<string, number>();
  let right = 0;
  let left = 0;
  for (const e of backs) {
    const s = points.get(e.source);
    // The lane on the source's side: its label sits by the source, away from the main column.
    const side: 1 | -1 = (s?.x ?? 0) > centre ? 1 : -1;
    const nth = backsFrom.get(e.source) ?? 0;
    backsFrom.set(e.source, nth + 1);
    lanes.set(e, { side, lane: side === 1 ? right++ : left++, nth });
  }
  const shiftX = MARGIN - minX + left * LANE + (left ? 16 : 0);
  const width = round(maxX - minX + 2 * MARGIN + (left + right) * LANE + (left ? 16 : 0) + (right ? 16 : 0) + 120);
  const height = round(yAcc - GAP_Y + MARGIN + 8);
  const X = (x: number): number => round(x + shiftX);

  const active = new Set(activeStateIds);
  const isActive = (b: StateBox): boolean => active.has(b.key) || active.has(b.node.id);
  const id = machine.id.replace(/[^A-Za-z0-9_-]/g, '-');
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `role="img" aria-labelledby="titulo-${id}" data-procedure="${escapeXml(machine.id)}" font-family="${FONT}">`,
  );
  out.push(`<title id="titulo-${id}">Diagrama de estados del procedimiento ${escapeXml(machine.id)}</title>`);
  out.push(
    '<defs>' +
      `<marker id="flecha-${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">` +
      '<path d="M0,0 L10,5 L0,10 z" fill="#4a5568"/></marker>' +
      '<style>' +
      '.estado rect{fill:#ffffff;stroke:#4a5568;stroke-width:1.2}' +
      '.estado.decision rect{fill:#f7fafc;stroke-dasharray:5 3}' +
      '.estado.final rect{fill:#edf2f7}' +
      '.estado rect.borde{fill:none}' +
      '.estado.incidente rect{stroke:#b00020}' +
      '.estado.activo rect{fill:#fff3c4;stroke:#d97706;stroke-width:3}' +
      '.nombre{font-weight:bold;font-size:' + TITLE_SIZE + 'px;fill:#1a202c}' +
      '.pasos{font-size:' + TEXT_SIZE + 'px;fill:#1f3b63}' +
      '.responsable{font-size:' + TEXT_SIZE + 'px;fill:#4a5568;font-style:italic}' +
      '.transicion path{fill:none;stroke:#4a5568;stroke-width:1.1}' +
      '.transicion.regreso path{stroke-dasharray:4 3}' +
      '.transicion text{font-size:' + LABEL_SIZE + 'px;fill:#2d3748;paint-order:stroke;stroke:#ffffff;stroke-width:3px;stroke-linejoin:round}' +
      '</style></defs>',
  );

  // Edges first, boxes over them.
  const outPorts = new Map<string, Edge[]>();
  const inPorts = new Map<string, Edge[]>();
  for (const e of edges.filter((x) => !x.back)) {
    outPorts.set(e.source, [...(outPorts.get(e.source) ?? []), e]);
    inPorts.set(e.target, [...(inPorts.get(e.target) ?? []), e]);
  }
  const xOfChain = (e: Edge, i: number) => points.get(e.chain[i])?.x ?? 0;
  for (const list of outPorts.values()) list.sort((a, b) => xOfChain(a, 1) - xOfChain(b, 1));
  for (const list of inPorts.values()) list.sort((a, b) => xOfChain(a, a.chain.length - 2) - xOfChain(b, b.chain.length - 2));
  const port = (p: Point, list: Edge[] | undefined, e: Edge): number => {
    const n = list?.length ?? 1;
    const i = list?.indexOf(e) ?? 0;
    const step = Math.min(28, (p.width - 40) / Math.max(1, n - 1));
    return p.x + (i - (n - 1) / 2) * (n > 1 ? step : 0);
  };

  const labelsOut: string[] = [];
  for (const e of edges) {
    const s = points.get(e.source);
    const t = points.get(e.target);
    if (!s?.box || !t?.box) continue;
    const label = escapeXml(e.labels.join(' / '));
    const attrs =
      `data-source="${escapeXml(e.source)}" data-target="${escapeXml(e.target)}" ` +
      `data-events="${escapeXml(e.events.filter(Boolean).join(' '))}"`;
    if (e.source === e.target) {
      const x0 = X(s.x + s.width / 2);
      const y0 = round(boxY(s) + s.box.height / 2);
      out.push(
        `<g class="transicion regreso" ${attrs}><path d="M${x0},${round(y0 - 8)} C${round(x0 + 34)},${round(y0 - 26)} ${round(x0 + 34)},${round(y0 + 26)} ${x0},${round(y0 + 8)}" marker-end="url(#flecha-${id})"/></g>`,
      );
      labelsOut.push(`<g class="transicion"><text x="${round(x0 + 38)}" y="${round(y0 + 3)}">${label}</text></g>`);
      continue;
    }
    if (e.back) {
      const lane = lanes.get(e) ?? { side: 1 as const, lane: 0, nth: 0 };
      const laneX = lane.side === 1 ? maxX + 16 + lane.lane * LANE : minX - 16 - lane.lane * LANE;
      const sx = X(s.x + lane.side * (s.width / 4 + lane.nth * 12));
      const sy = round(boxY(s));
      const gapAbove = round(layerTop[s.layer] - 10 - lane.nth * 13);
      const tx = X(t.x + (lane.side * t.width) / 4 + lane.side * 6);
      const ty = round(boxY(t) + t.box.height);
      const gapBelow = round(layerTop[t.layer] + layerHeight[t.layer] + 10 + (lane.lane % 3) * 6);
      out.push(
        `<g class="transicion regreso" ${attrs}><path d="M${sx},${sy} L${sx},${gapAbove} L${X(laneX)},${gapAbove} L${X(laneX)},${gapBelow} L${tx},${gapBelow} L${tx},${ty}" marker-end="url(#flecha-${id})"/></g>`,
      );
      const anchor = lane.side === 1 ? 'start' : 'end';
      labelsOut.push(
        `<g class="transicion"><text x="${round(sx + lane.side * 4)}" y="${round(gapAbove - 3)}" text-anchor="${anchor}">${label}</text></g>`,
      );
      continue;
    }
    // Forward: from the source's bottom, through the dummies, into the target's top, as vertical S-curves.
    const pts: [number, number][] = [[port(s, outPorts.get(e.source), e), boxY(s) + s.box.height]];
    for (const k of e.chain.slice(1, -1)) {
      const d = points.get(k);
      if (!d) continue;
      pts.push([d.x, layerTop[d.layer]], [d.x, layerTop[d.layer] + layerHeight[d.layer]]);
    }
    pts.push([port(t, inPorts.get(e.target), e), boxY(t)]);
    let d = `M${X(pts[0][0])},${round(pts[0][1])}`;
    for (let i = 1; i < pts.length; i++) {
      const [x1, y1] = pts[i - 1];
      const [x2, y2] = pts[i];
      if (x1 === x2) d += ` L${X(x2)},${round(y2)}`;
      else d += ` C${X(x1)},${round((y1 + y2) / 2)} ${X(x2)},${round((y1 + y2) / 2)} ${X(x2)},${round(y2)}`;
    }
    out.push(`<g class="transicion" ${attrs}><path d="${d}" marker-end="url(#flecha-${id})"/></g>`);
    if (label) {
      // Labels of the edges leaving one state go on lines of their own, in the order the edges leave.
      const labelled = (outPorts.get(e.source) ?? []).filter((x) => x.labels.length > 0);
      const stagger = Math.max(0, labelled.indexOf(e)) * 11;
      const [x1, y1] = pts[0];
      const [x2, y2] = pts[1];
      const ly = y1 + 14 + stagger;
      // The curve's x at ly, roughly: it leaves vertically, so interpolate on the smoothstep of the segment.
      const tt = Math.min(1, Math.max(0, (ly - y1) / Math.max(1, y2 - y1)));
      const lx = x1 + (x2 - x1) * tt * tt * (3 - 2 * tt);
      labelsOut.push(`<g class="transicion"><text x="${X(lx + 5)}" y="${round(ly)}">${label}</text></g>`);
    }
  }

  // The initial state's entry arrow.
  const first = points.get(initial);
  if (first?.box) {
    const x0 = X(first.x);
    const y0 = round(boxY(first));
    out.push(`<circle cx="${x0}" cy="${round(y0 - 22)}" r="5" fill="#1a202c"/>`);
    out.push(`<path d="M${x0},${round(y0 - 17)} L${x0},${y0}" stroke="#1a202c" stroke-width="1.2" marker-end="url(#flecha-${id})"/>`);
  }

  for (const p of points.values()) {
    const b = p.box;
    if (!b) continue;
    const x = X(p.x - p.width / 2);
    const y = round(boxY(p));
    const on = isActive(b);
    const cls = ['estado', b.kind === 'estado' ? '' : b.kind, on ? 'activo' : ''].filter(Boolean).join(' ');
    out.push(
      `<g class="${cls}" id="estado-${id}-${escapeXml(b.key.replace(/[^A-Za-z0-9_-]/g, '-'))}" data-state="${escapeXml(b.key)}"` +
        `${on ? ' data-activo="true" aria-current="step"' : ''}>`,
    );
    out.push(`<title>${escapeXml(b.key)}</title>`);
    out.push(`<rect x="${x}" y="${y}" width="${b.width}" height="${b.height}" rx="${b.kind === 'decision' ? 14 : 6}"/>`);
    if (b.kind === 'final') {
      out.push(`<rect class="borde" x="${round(x + 3)}" y="${round(y + 3)}" width="${b.width - 6}" height="${b.height - 6}" rx="4"/>`);
    }
    b.lines.forEach((l, i) => {
      out.push(`<text class="${l.cls}" x="${round(x + b.width / 2)}" y="${round(y + 16 + i * LINE_H)}" text-anchor="middle">${escapeXml(l.text)}</text>`);
    });
    out.push('</g>');
  }
  out.push(...labelsOut);
  out.push('</svg>');
  return out.join('\n');
}
