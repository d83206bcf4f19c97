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
      for (const p of pasos) expect([statePath(node), text]).toEqual([statePath(node), expect.stringMatching(new RegExp(`\\b${p.no}\\b`))]);
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
      const label = (t.meta)?.label;
      if (label) expect(svg).toContain(label);
    }
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
    expect(Number(xpath(svg, "count(//*[@data-activo='true'])"))).toBe(2);
    // A transition back into its own state is drawn as a loop.
    expect(Number(xpath(svg, "count(//*[local-name()='g'][@data-source='uno'][@data-target='uno'])"))).toBe(1);
  });
});
