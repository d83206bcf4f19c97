import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate, makeP12 } from '../letters/certificates';
import { testClockEnv } from '../support/clock-env';

/** Starts an entry point the way `npm start` / `npm run worker` do and collects what an operator sees. */
function start(
  entry: 'src/main.ts' | 'src/worker.ts' | 'src/cli/migrate.ts',
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // FORCE_COLOR: a terminal would get Nest's colours; the message must have none either way.
    const child = spawn(process.execPath, ['-r', './scripts/register.js', entry], {
      cwd: join(__dirname, '..', '..'),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, FORCE_COLOR: '1', ...testClockEnv(), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const ANSI = /\u001b\[/;

function expectOneCleanMessage(r: { code: number | null; stdout: string; stderr: string }, variable: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.code).not.toBeNull();
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(variable);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr + r.stdout).not.toMatch(ANSI);
  expect(r.stdout).not.toMatch(/ERROR|ExceptionHandler|Error:/);
}

describe('a start-up configuration error is one clean message naming the variable', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'startup-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = (name: string): string => join(dir, name);

  it('PORT=abc', async () => {
    const r = await start('src/main.ts', { PORT: 'abc', DATA_DIR: dataDir('port') });
    expectOneCleanMessage(r, /PORT debe ser un número entero/);
  });

  it('a SIGNING_P12 that does not exist', async () => {
    const r = await start('src/main.ts', {
      PORT: '39871',
      DATA_DIR: dataDir('p12'),
      SIGNING_P12: join(dir, 'no-existe.p12'),
      SIGNING_P12_PASSPHRASE: 'x',
    });
    expectOneCleanMessage(r, /SIGNING_P12.*no-existe\.p12/);
  });

  it('an expired certificate (web and worker)', async () => {
    const now = Date.now();
    const made = makeCertificate({
      subject: [{ shortName: 'CN', value: 'Vencido' }],
      notBefore: new Date(now - 400 * 86_400_000),
      notAfter: new Date(now - 86_400_000),
    });
    const file = join(dir, 'vencido.p12');
    writeFileSync(file, makeP12(made, 'clave'));
    const env = { PORT: '39871', DATA_DIR: dataDir('vencido'), SIGNING_P12: file, SIGNING_P12_PASSPHRASE: 'clave' };
    expectOneCleanMessage(await start('src/main.ts', env), /SIGNING_P12.*venció el/);
    // A worker only checks the schema: migrate first, as a deployment does.
    expect((await start('src/cli/migrate.ts', env)).code).toBe(0);
    const worker = await start('src/worker.ts', {
      ...env,
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `t-startup-${process.pid}`,
    });
    expectOneCleanMessage(worker, /SIGNING_P12.*venció el/);
  });
});
