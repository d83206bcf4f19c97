/**
 * A suite's afterAll that stops everything it started: every step runs, in order, whatever failed before; the
 * failures are reported together at the end so none hides another (a server left running would outlive the test).
 */
export type CleanupStep = [name: string, step: () => unknown];

export async function cleanUp(steps: CleanupStep[]): Promise<void> {
  const problems: string[] = [];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (e) {
      problems.push(`${name}: ${(e as Error).message}`);
    }
  }
  if (problems.length) throw new Error(`Limpieza incompleta: ${problems.join('; ')}`);
}
