/**
 * A light check of the step texts against the guide itself: each step's responsable appears in its table, and a step
 * that no correction touches has the guide's own activity text (layout, punctuation and case aside). The full
 * comparison of a generated guide is `npm run guia`'s job.
 */
import { guideStepsOf } from './guide';
import { PROCEDURES, type GuideStep } from './index';
import { guideResponsables, guideSection, loadGuide, normalize } from './spec-support';

const guide = loadGuide();

const corrections = (step: GuideStep): number[] => (step.correccion === undefined ? [] : [step.correccion].flat());

/** How the guide's tables name a responsable that the machines name once (`RESPONSABLES`). */
function asMachinesName(guideName: string, step: GuideStep): string {
  if (guideName === 'Sistema') return 'Sistema "Mi correo institucional"';
  if (guideName === 'Centro de Trabajo') return 'Centro de trabajo';
  if (guideName === 'Responsable del programa, fondo o servicio' && corrections(step).includes(8)) {
    return 'Responsable del programa, función o servicio';
  }
  return guideName;
}

/**
 * Where a machine names another responsable than the table's cell, on purpose. 5.3.2 paso 4 "Recibe oficio." sits
 * under the Subdirección's cell, one row before the Subjefatura's name; the sibling tables and the flow say the
 * Subjefatura receives it (see servicio-restablecer.machine.ts).
 */
const DEVIATIONS: Record<string, string> = { '5.3.2#4': 'Subjefatura de Sistemas' };

describe.each(PROCEDURES.map((def) => [def.guideSection, def] as const))('guide %s', (_section, def) => {
  const steps = guideStepsOf(def.machine).map((s) => s.step);
  const sectionOf = (step: GuideStep) =>
    normalize(guideSection(guide, step.seccion ?? def.guideTables[0].section));

  it("names each step's responsable as its table does", () => {
    for (const step of steps) {
      const section = step.seccion ?? def.guideTables[0].section;
      const printed = guideResponsables(guideSection(guide, section)).get(step.no);
      const expected = DEVIATIONS[`${section}#${step.no}`] ?? (printed && asMachinesName(printed, step));
      expect([step.no, step.responsable]).toEqual([step.no, expected]);
    }
  });

  it("keeps the guide's own text for every step no correction touches", () => {
    const untouched = steps.filter((s) => corrections(s).length === 0);
    expect(untouched.length).toBeGreaterThan(0);
    for (const step of untouched) {
      expect([step.no, sectionOf(step).includes(normalize(step.actividad))]).toEqual([step.no, true]);
    }
  });

  it('flags only corrections that ARCHITECTURE.md lists', () => {
    for (const step of steps) for (const n of corrections(step)) expect(n).toBeGreaterThanOrEqual(1);
    for (const step of steps) for (const n of corrections(step)) expect(n).toBeLessThanOrEqual(9);
  });
});
