import type { Config } from 'jest';

const swc: [string, Record<string, unknown>] = [
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
 * e2e:  the HTTP app, services (slapd, SMTP, Redis, Chromium) — SQLite unless TEST_DB says otherwise.
 */
const config: Config = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/machines/**/*.spec.ts'] },
    { ...common, displayName: 'db', testMatch: ['<rootDir>/test/**/*.db.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e.spec.ts'] },
  ],
};

export default config;
