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
};

/**
 * unit: pure code (machines, validators, renderers), no database.
 * db:   everything that touches the database; `npm test` runs it on SQLite and again on MariaDB (TEST_DB=mariadb).
 * e2e:  the HTTP app and real services (slapd, SMTP, Redis, Chromium, both dialects at once), run once.
 * @type {import('jest').Config}
 */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/machines/**/*.spec.ts'] },
    { ...common, displayName: 'db', testMatch: ['<rootDir>/test/**/*.db.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e.spec.ts'] },
  ],
};
