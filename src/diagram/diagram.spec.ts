import { execFileSync } from 'node:child_process';
import { setup } from 'xstate';
import { statePath, statesOf, transitionsOf } from '../../machines/guide';
import { PROCEDURES } from '../../machines/index';
import type { StepMeta } from '../../machines/types';
import { renderDiagramSvg } from './diagram';

/** Runs libxml2's xmllint on the SVG: a parse error fails the test with xmllint's own message. */
function xmllint(svg: string, ...args: string[]): string {
  try {
    return execFileSync('xmllint', [...args, '-'], { input: svg, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new Error('Falta xmllint para validar el SVG: instale libxml2-utils (apt-get install -y libxml2-utils).');
    }
    throw new Error(`El SVG no es XML válido: ${err.stderr ?? err.message}`);
  }
}
const xpath = (svg: string, expr: string): string => xmllint(svg, '--xpath', expr).trim();
const noSpace = (s: string): string => s.replace(/\s+/g, '');

interface Rect {
  state: string;
  x: number;
  y: number;
  width: number;
  height: number;
}
/** Each state's box as the SVG draws it (its group's first rect), read back from the emitted coordinates. */
function boxesOf(svg: string): Rect[] {
  return [
    ...svg.matchAll(
      /<g class="estado[^"]*"[^>]*data-state="([^"]*)"[^>]*>\n<title>[^<]*<\/title>\n<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g,
    ),
  ].map(([, state, x, y, width, height]) => ({
    state,
    x: Number(x),
    y: Number(y),
    width: Number(width),
    height: Number(height),
  }));
}
const overlap = (a: Rect, b: Rect): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (p: { x: number; y: number }, r: Rect): boolean =>
  p.x > r.x && p.x < r.x + r.width && p.y > r.y && p.y < r.y + r.height;
/**
 * On the box's top or bottom side (within rounding): arrows run between the layers, never along one. A loop back into
 * the same state is the exception: it sits on the box's right side.
 */
const onSide = (p: { x: number; y: number }, r: Rect, side: 'top-bottom' | 'right'): boolean => {
  const near = (a: number, b: number) => Math.abs(a - b) <= 0.2;
  if (side === 'right') return near(p.x, r.x + r.width) && p.y > r.y && p.y < r.y + r.height;
  return p.x >= r.x && p.x <= r.x + r.width && (near(p.y, r.y) || near(p.y, r.y + r.height));
};
/** The first and last point of an SVG path's data. */
function endsOf(d: string): [{ x: number; y: number }, { x: number; y: number }] {
  const nums = [...d.matchAll(/-?[\d.]+/g)].map((m) => Number(m[0]));
  return [
    { x: nums[0], y: nums[1] },
    { x: nums[nums.length - 2], y: nums[nums.length - 1] },
  ];
}

/** Every arrow's ends, each checked against its boxes' sides. */
function arrowEnds(svg: string, boxes: Map<string, Rect>): { source: string; target: string; ok: boolean }[] {
  return [
    ...svg.matchAll(/<g class="transicion[^"]*" data-source="([^"]*)" data-target="([^"]*)"[^>]*><path d="([^"]*)"/g),
  ].map(([, source, target, d]) => {
    const [from, to] = endsOf(d);
    const side = source === target ? 'right' : 'top-bottom';
    return { source, target, ok: onSide(from, boxes.get(source)!, side) && onSide(to, boxes.get(target)!, side) };
  });
}

describe.each(PROCEDURES.map((def) => [def.id, def] as const))('renderDiagramSvg(%s)', (_id, def) => {
  const states = statesOf(def.machine).map(statePath);
  const waiting = statesOf(def.machine).find((n) => (n.meta as StepMeta | undefined)?.task)!;
  const active = statePath(waiting);
  const svg = renderDiagramSvg(def.machine, [active]);

  it('is well-formed SVG', () => {
    xmllint(svg, '--noout');
    expect(xpath(svg, 'name(/*)')).toBe('svg');
    expect(xpath(svg, 'string(/*/@data-procedure)')).toBe(def.machine.id);
  });

  it('draws every state once, with its guide steps', () => {
    expect(Number(xpath(svg, "count(//*[local-name()='g'][@data-state])"))).toBe(states.length);
    for (const s of states) {
      expect([s, Number(xpath(svg, `count(//*[local-name()='g'][@data-state='${s}'])`))]).toEqual([s, 1]);
    }
    for (const node of statesOf(def.machine)) {
      const pasos = (node.meta as StepMeta | undefined)?.pasos ?? [];
      if (pasos.length === 0) continue;
      const text = xpath(svg, `string(//*[local-name()='g'][@data-state='${statePath(node)}'])`).replace(/\s+/g, ' ');
      for (const p of pasos)
        expect([statePath(node), text]).toEqual([statePath(node), expect.stringMatching(new RegExp(`\\b${p.no}\\b`))]);
      expect(text).toContain(pasos[0].responsable);
    }
  });

  it('draws every transition as an arrow, labelled with its event label', () => {
    for (const t of transitionsOf(def.machine)) {
      for (const target of t.targets) {
        const sel = `//*[local-name()='g'][@data-source='${t.source}'][@data-target='${target}']`;
        expect([t.source, target, Number(xpath(svg, `count(${sel})`))]).toEqual([t.source, target, 1]);
        if (t.event) expect(xpath(svg, `string(${sel}/@data-events)`).split(' ')).toContain(t.event);
      }
      // Its label is drawn (wrapped on lines of its own, so compared without the spaces).
      const label = t.meta?.label;
      for (const target of label ? t.targets : []) {
        const text = xpath(
          svg,
          `string(//*[local-name()='text'][@data-source='${t.source}'][@data-target='${target}'])`,
        );
        expect([t.source, target, noSpace(text)]).toEqual([t.source, target, expect.stringContaining(noSpace(label!))]);
      }
    }
  });

  it('lays the boxes out without overlaps, inside the drawing', () => {
    const boxes = boxesOf(svg);
    expect(boxes.map((b) => b.state).sort()).toEqual([...states].sort());
    const width = Number(xpath(svg, 'string(/*/@width)'));
    const height = Number(xpath(svg, 'string(/*/@height)'));
    for (const [i, a] of boxes.entries()) {
      expect([a.state, a.x >= 0 && a.y >= 0 && a.x + a.width <= width && a.y + a.height <= height]).toEqual([
        a.state,
        true,
      ]);
      for (const b of boxes.slice(i + 1)) expect([a.state, b.state, overlap(a, b)]).toEqual([a.state, b.state, false]);
    }
  });

  it("keeps the labels off the boxes, and starts and ends every arrow on its boxes' top or bottom side", () => {
    const boxes = new Map(boxesOf(svg).map((b) => [b.state, b]));
    for (const m of svg.matchAll(/<tspan x="([\d.]+)" y="([\d.]+)">/g)) {
      const p = { x: Number(m[1]), y: Number(m[2]) };
      for (const b of boxes.values()) expect([p, b.state, inside(p, b)]).toEqual([p, b.state, false]);
    }
    const ends = arrowEnds(svg, boxes);
    expect(ends).toHaveLength(Number(xpath(svg, "count(//*[local-name()='g'][@data-source])")));
    expect(ends.filter((a) => !a.ok)).toEqual([]);
  });

  it('highlights the current state, and only it', () => {
    expect(xpath(svg, "string(//*[@data-activo='true']/@data-state)")).toBe(active);
    expect(Number(xpath(svg, "count(//*[@data-activo='true'])"))).toBe(1);
    expect(xpath(svg, "string(//*[@data-activo='true']/@class)").split(' ')).toContain('activo');
    const plain = renderDiagramSvg(def.machine);
    expect(Number(xpath(plain, "count(//*[@data-activo='true'])"))).toBe(0);
    // The node id ("procedure.state") names the same state.
    const byId = renderDiagramSvg(def.machine, [waiting.id]);
    expect(xpath(byId, "string(//*[@data-activo='true']/@data-state)")).toBe(active);
  });

  it('gives the same bytes for the same machine and state', () => {
    expect(renderDiagramSvg(def.machine, [active])).toBe(svg);
  });
});

describe('renderDiagramSvg', () => {
  it('escapes labels and texts, and highlights several states', () => {
    const m = setup({ types: { events: {} as { type: 'A' } | { type: 'B' } } }).createMachine({
      id: 'prueba<&>',
      initial: 'uno',
      states: {
        uno: {
          meta: { pasos: [{ no: '1', responsable: 'Nivel', actividad: 'x' }] },
          on: { A: { target: 'dos', meta: { roles: ['nivel'], label: 'Sí & "no" <quizá>' } }, B: 'uno' },
        },
        dos: { type: 'final' },
      },
    });
    const svg = renderDiagramSvg(m, ['uno', 'dos']);
    xmllint(svg, '--noout');
    expect(xpath(svg, "string(//*[local-name()='text'][contains(., 'quizá')])")).toBe('Sí & "no" <quizá>');
    expect(svg).toContain('Sí &amp; &quot;no&quot; &lt;quizá&gt;');
    expect(svg).not.toContain('<quizá>');
    expect(xpath(svg, 'string(/*/@data-procedure)')).toBe('prueba<&>');
    expect(xpath(svg, "string(/*/*[local-name()='title'])")).toBe('Diagrama de estados del procedimiento prueba<&>');
    expect(Number(xpath(svg, "count(//*[@data-activo='true'])"))).toBe(2);
    // A transition back into its own state is drawn as a loop, on the box's right side.
    expect(Number(xpath(svg, "count(//*[local-name()='g'][@data-source='uno'][@data-target='uno'])"))).toBe(1);
    const ends = arrowEnds(svg, new Map(boxesOf(svg).map((b) => [b.state, b])));
    expect(ends).toEqual([
      { source: 'uno', target: 'dos', ok: true },
      { source: 'uno', target: 'uno', ok: true },
    ]);
  });
});
