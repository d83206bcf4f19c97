// @ts-check
/** @type {[string, Record<string, unknown>]} */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const common = {
  transform: { '^.+\\.ts$': swc },
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  rootDir: '.',
  setupFilesAfterEnv: ['<rootDir>/test/support/jest-timeout.ts'],
};

/** The fault suite runs on its own (npm run test:faults), not in the unit/db/e2e runs. */
const FAULTS = ['/node_modules/', '<rootDir>/test/faults/'];

/** Jest honours `testTimeout` only at the top level: a project's own goes through its globals (test/support/jest-timeout.ts). */
const timeout = (ms) => ({ globals: { TEST_TIMEOUT_MS: ms } });

/**
 * unit: pure code (machines, validators, renderers), no database.
 * db:   everything that touches the database; `npm test` runs it on SQLite and again on MariaDB (TEST_DB=mariadb).
 * e2e:  the HTTP app and real services (slapd, SMTP, Redis, Chromium, both dialects at once), run once.
 *
 * CI runs on 2 cores that other work shares: the timeouts are sized for a loaded machine (a db test that migrates a
 * fresh database and runs a whole procedure takes seconds there, not milliseconds), and the workers are bounded to
 * half the cores so the suites do not starve the MariaDB, Redis, slapd and Chromium processes they talk to.
 * @type {import('jest').Config}
 */
module.exports = {
  maxWorkers: '50%',
  projects: [
    {
      ...common,
      displayName: 'unit',
      ...timeout(30_000),
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/machines/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'db',
      ...timeout(120_000),
      testMatch: ['<rootDir>/test/**/*.db.spec.ts'],
      testPathIgnorePatterns: FAULTS,
    },
    {
      ...common,
      displayName: 'e2e',
      ...timeout(180_000),
      testMatch: ['<rootDir>/test/**/*.e2e.spec.ts'],
      testPathIgnorePatterns: FAULTS,
    },
    // The fault suite (issue 9): crashes, outages, races, fuzzing, the access matrix, secrets, load. Run by
    // `npm run test:faults` (scripts/test-faults.js), which sizes it (FAULTS_SCALE) and prints its figures.
    { ...common, displayName: 'faults', ...timeout(900_000), testMatch: ['<rootDir>/test/faults/**/*.spec.ts'] },
  ],
};
