// npm run test:faults — the fault suite (test/faults/): crashes, services going away, races, fuzzed input, the access
// matrix, secrets, load. Every suite starts its own MariaDB, Redis, slapd and SMTP server on loopback ports.
//
//   npm run test:faults              CI's size (the default: fewer kills and cases, short load runs)
//   npm run test:faults -- --full    the full counts (50 worker kills over 164 cases, longer load runs)
//   FAULTS_SOAK_MIN=10 npm run test:faults -- --full   adds the 10-minute memory soak
//
// Any other argument goes to jest (a path to run one suite). At the end it prints what the suites measured and found,
// from the JSON lines they write to FAULTS_REPORT (test/faults/report.ts).
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, existsSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const args = process.argv.slice(2);
const full = args.includes('--full');
const jestArgs = args.filter((a) => a !== '--full');
const dir = mkdtempSync(join(tmpdir(), 'mci-faults-'));
const report = join(dir, 'figures.jsonl');
const env = { ...process.env, FAULTS_REPORT: report, FAULTS_SCALE: full ? 'full' : process.env.FAULTS_SCALE || 'ci' };
console.error(`Suite de fallas (${env.FAULTS_SCALE === 'full' ? 'completa' : 'tamaño de CI'}).`);
const started = Date.now();
const jest = require.resolve('jest/bin/jest');
// One suite at a time: each starts its own servers and kills processes; two at once on two cores would measure the
// machine, not the product.
const r = spawnSync(process.execPath, [jest, '--selectProjects', 'faults', '--runInBand', ...jestArgs], {
  stdio: 'inherit',
  env,
});

/** What the suites reported, one line per report, grouped by suite in the order they came. */
const lines = existsSync(report)
  ? readFileSync(report, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];
rmSync(dir, { recursive: true, force: true });
const bySuite = new Map();
for (const { suite, ...figures } of lines) bySuite.set(suite, { ...(bySuite.get(suite) || {}), ...figures });

const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log('');
console.log(
  `=== Suite de fallas: cifras (${env.FAULTS_SCALE}, ${minutes} min, jest ${r.status === 0 ? 'sin fallas' : `código ${r.status}`}) ===`,
);
if (bySuite.size === 0) console.log('(ninguna suite informó cifras)');
for (const [suite, figures] of bySuite) {
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${v}`);
  console.log(`- ${suite}: ${parts.join(', ')}`);
}
process.exit(r.status ?? 1);
