import { appendFileSync } from 'node:fs';

/**
 * The fault suite's figures. Each suite reports what it did and what it found (kills survived, overlaps found, inputs
 * tried...) as one JSON line per call into the file named by FAULTS_REPORT, which `npm run test:faults`
 * (scripts/test-faults.js) sets and summarises at the end of the run. Outside that runner (a plain `jest` run of one
 * suite) the figures go to stderr, so they are never silently lost.
 */
export type Figures = Record<string, number | string | boolean>;

export function reportFigures(suite: string, figures: Figures): void {
  const line = JSON.stringify({ suite, ...figures });
  const file = process.env.FAULTS_REPORT;
  if (file) appendFileSync(file, `${line}\n`);
  else process.stderr.write(`FAULTS ${line}\n`);
}

/**
 * How big the fault runs are: `ci` (the default, sized for CI's two loaded cores) or `full` (FAULTS_SCALE=full,
 * `npm run test:faults -- --full`: the counts the issue names, e.g. 50 worker kills over 164 cases).
 */
export function faultScale(): 'ci' | 'full' {
  return process.env.FAULTS_SCALE === 'full' ? 'full' : 'ci';
}

/** `ci` or `full` value by the current scale, overridable one by one through the environment (FAULTS_<NAME>). */
export function scaled(name: string, ci: number, full: number): number {
  const own = process.env[`FAULTS_${name.toUpperCase()}`];
  if (own !== undefined && /^\d+$/.test(own)) return Number(own);
  return faultScale() === 'full' ? full : ci;
}
