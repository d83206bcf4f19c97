/**
 * A light check of the step texts against the guide itself: each step's responsable appears in its table, and a step
 * that no correction touches has the guide's own activity text (layout, punctuation and case aside). The full
 * comparison of a generated guide is `npm run guia`'s job.
 */
import { CORRECTIONS } from '../src/guia/corrections';
import { guideStepsOf } from './guide';
import { PROCEDURES, type GuideStep } from './index';
import { guideResponsables, guideSection, loadGuide, normalize } from '../test/support/machine-drive';

const guide = loadGuide();
/** The catalog's corrections (src/guia/corrections.ts): 1-9 of ARCHITECTURE.md and those added since. */
const HIGHEST_CORRECTION = Math.max(...CORRECTIONS.map((c) => c.numero));

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
 * Where a machine names another responsable than the table's cell, and the correction that says why. 5.3.2 paso 4
 * "Recibe oficio." sits under the Subdirección's cell, one row before the Subjefatura's name; the sibling tables and
 * the flow say the Subjefatura receives it (correction 10, see servicio-restablecer.machine.ts).
 */
const DEVIATIONS: Record<string, { responsable: string; correccion: number }> = {
  '5.3.2#4': { responsable: 'Subjefatura de Sistemas', correccion: 10 },
};

describe.each(PROCEDURES.map((def) => [def.guideSection, def] as const))('guide %s', (_section, def) => {
  const steps = guideStepsOf(def.machine).map((s) => s.step);
  const sectionOf = (step: GuideStep) => normalize(guideSection(guide, step.seccion ?? def.guideTables[0].section));

  it("names each step's responsable as its table does", () => {
    for (const step of steps) {
      const section = step.seccion ?? def.guideTables[0].section;
      const printed = guideResponsables(guideSection(guide, section)).get(step.no);
      const deviation = DEVIATIONS[`${section}#${step.no}`];
      if (deviation)
        expect([step.no, corrections(step)]).toEqual([step.no, expect.arrayContaining([deviation.correccion])]);
      const expected = deviation?.responsable ?? (printed && asMachinesName(printed, step));
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

  it('flags only corrections the catalog defines (1 to the highest in src/guia/corrections.ts)', () => {
    expect(HIGHEST_CORRECTION).toBeGreaterThanOrEqual(11);
    for (const step of steps) {
      for (const n of corrections(step)) {
        expect([step.no, Number.isInteger(n) && n >= 1 && n <= HIGHEST_CORRECTION]).toEqual([step.no, true]);
      }
    }
  });

  it('never has a password e-mailed, written in a letter or handed over (correction 11)', () => {
    for (const step of steps) {
      expect([step.no, normalize(step.actividad)]).not.toEqual([
        step.no,
        expect.stringMatching(/credenciales|datos de acceso/),
      ]);
      // Where the guide had the Servicio send access data, the catalog sends a single-use link, except 5.2.3 paso 9
      // (the school chose its password in 5.2.2: the mail confirms it without repeating it).
      if (!corrections(step).includes(11) || step.responsable !== 'Servicio') continue;
      const text = normalize(step.actividad);
      if (step.seccion === '5.2.3')
        expect([step.no, text]).toEqual([step.no, expect.stringContaining('sin repetir la contraseña')]);
      else expect([step.no, text]).toEqual([step.no, expect.stringContaining('enlace de un solo uso válido 24 horas')]);
    }
  });
});
