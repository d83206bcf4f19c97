// The Docker deployment recipe (issue 13): compose.yaml, the Dockerfile and deploy/nginx.conf must agree with the code
// they run — the variables config.ts reads, the files the build makes, the web services the proxy balances.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../src/config/config';
import { MAX_UPLOAD_BYTES } from '../src/oficios/upload';
import { MAX_CATALOG_BYTES } from '../src/web/admin-imports.page';

const ROOT = join(__dirname, '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

interface Service {
  /** Set on the services that run this project's image (compose.yaml's x-app). */
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }>;
  secrets?: string[];
  volumes?: string[];
  networks?: Record<string, { ipv4_address?: string }>;
}
const compose = parse(read('compose.yaml'), { merge: true }) as {
  services: Record<string, Service>;
  networks?: Record<string, { ipam?: { config?: { subnet: string }[] } }>;
  secrets: Record<string, { file: string }>;
};
const dockerfile = read('Dockerfile');
const nginx = read('deploy/nginx.conf');
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

const servicesNamed = (re: RegExp): string[] => Object.keys(compose.services).filter((n) => re.test(n));
const webs = servicesNamed(/^web\d+$/);
const workers = servicesNamed(/^worker\d+$/);
const env = (service: string): Record<string, string> =>
  Object.fromEntries(Object.entries(compose.services[service].environment ?? {}).map(([k, v]) => [k, String(v ?? '')]));

/** Compose's interpolation: ${VAR}, ${VAR-default}, ${VAR:-default}, ${VAR?message}, ${VAR:?message}. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g, (_m, name: string, op: string | undefined, arg: string) => {
    const v = vars[name];
    if (op?.startsWith(':') ? v !== undefined && v !== '' : v !== undefined) return v;
    if (op?.endsWith('?')) throw new Error(`${name}: ${arg}`);
    return op ? arg : '';
  });
}

/** What an operator's .env holds (made-up values of the right shape). */
const DOT_ENV: Record<string, string> = {
  MARIADB_PASSWORD: 'f'.repeat(48),
  MARIADB_ROOT_PASSWORD: 'r'.repeat(32),
  SECRET_KEY: 'ab'.repeat(32),
  PUBLIC_BASE_URL: 'https://correo.example.gob.mx',
  MAIL_DOMAIN: 'example.gob.mx',
  SMTP_URL: 'smtp://mci:clave@smtp.example.gob.mx:587',
  LDAP_URL: 'ldaps://ldap.example.gob.mx',
  LDAP_BIND_DN: 'cn=mci,dc=example,dc=gob,dc=mx',
  LDAP_BIND_PASSWORD: 'clave-ldap',
  LDAP_BASE_DN: 'ou=personas,dc=example,dc=gob,dc=mx',
  SIGNING_P12_PASSPHRASE: 'clave-p12',
  SIGNING_P12_FILE: '/srv/mci/firma.p12',
};

/** The image's default environment (ENV lines of the Dockerfile). */
const imageEnv: Record<string, string> = Object.fromEntries(
  [...dockerfile.matchAll(/^\s*(?:ENV\s+)?(\w+)=(\S+?)(?:\s*\\)?$/gm)].map((m) => [m[1], m[2]]),
);

describe('deployment recipe (compose.yaml, Dockerfile, deploy/nginx.conf)', () => {
  it('runs two web processes and two workers', () => {
    expect(webs).toHaveLength(2);
    expect(workers).toHaveLength(2);
    for (const w of webs) expect(compose.services[w].command).toBeUndefined(); // the image's CMD: the web process
    for (const w of workers) expect(compose.services[w].command).toEqual(['node', 'dist/src/worker.js']);
  });

  it('names only variables that src/config/config.ts reads', () => {
    const config = read('src/config/config.ts');
    const unknown = [...webs, ...workers, 'migrate'].flatMap((s) =>
      Object.keys(env(s))
        .filter((name) => !config.includes(`'${name}'`))
        .map((name) => `${s}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it("gives every web process and worker a production configuration that config.ts accepts, on compose's services", () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mci-deploy-'));
    try {
      for (const s of [...webs, ...workers]) {
        const vars = Object.fromEntries(Object.entries(env(s)).map(([k, v]) => [k, interpolate(v, DOT_ENV)]));
        const config = loadConfig({ ...imageEnv, ...vars, DATA_DIR: dataDir });
        expect({
          service: s,
          env: config.env,
          directory: config.directoryProvider,
          store: config.documentStore,
        }).toEqual({ service: s, env: 'production', directory: 'ldap', store: 'base' });
        expect(compose.services[new URL(config.databaseUrl ?? 'x:').hostname]).toBeDefined();
        expect(compose.services[new URL(config.redisUrl ?? 'x:').hostname]).toBeDefined();
        expect(config.smtpUrl).toBe(DOT_ENV.SMTP_URL);
        // The certificate is a compose secret of this service, mounted where SIGNING_P12 points.
        expect(config.signing.p12Passphrase).toBe(DOT_ENV.SIGNING_P12_PASSPHRASE);
        const secret = /^\/run\/secrets\/(\w+)$/.exec(vars.SIGNING_P12)?.[1] ?? '(none)';
        expect(compose.services[s].secrets).toContain(secret);
        expect(compose.secrets[secret]).toBeDefined();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps no secret in the file: each comes from the environment, required or empty', () => {
    const secrets: [string, string][] = [...webs, ...workers, 'migrate', 'mariadb'].flatMap((s) =>
      Object.entries(env(s)).filter(([name]) => /PASSWORD|PASSPHRASE|SECRET|TOKEN|API_KEY|_URL$/.test(name)),
    );
    const written = secrets
      .filter(([name]) => !/^(REDIS_URL|LDAP_URL|PUBLIC_BASE_URL)$/.test(name)) // addresses, no credentials
      .filter(([, raw]) => {
        try {
          return interpolate(raw, {}) !== ''; // a value of its own, without any variable set
        } catch {
          return false; // ${VAR:?…}: required from the environment
        }
      });
    expect(written).toEqual([]);
  });

  it('starts the web processes and workers after the migrate one-shot succeeded', () => {
    expect(compose.services.migrate.command).toEqual(['node', 'dist/src/cli/migrate.js']);
    for (const s of [...webs, ...workers])
      expect(compose.services[s].depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
  });

  it("balances exactly the web services in the proxy, on the port they listen on, with the app's upload limits", () => {
    const proxy = Object.values(compose.services).find((s) =>
      s.volumes?.some((v) => v.startsWith('./deploy/nginx.conf:')),
    );
    expect(proxy).toBeDefined();
    const [, upstream, body] = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(nginx) ?? [];
    const servers = [...(body ?? '').matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(servers.sort()).toEqual(webs.map((w) => `${w}:${env(w).PORT ?? imageEnv.PORT}`).sort());
    const targets = [...nginx.matchAll(/proxy_pass\s+([^;]+);/g)].map((m) => m[1]);
    expect(targets.length).toBeGreaterThan(0);
    expect(new Set(targets)).toEqual(new Set([`http://${upstream}`]));

    const mb = (s: string | undefined): number => Number(/^(\d+)m$/.exec(s ?? '')?.[1] ?? 0) * 1024 * 1024;
    expect(mb(/^ {4}client_max_body_size\s+(\S+);/m.exec(nginx)?.[1])).toBeGreaterThan(MAX_UPLOAD_BYTES);
    const imports = /location\s+\/admin\/importaciones\s*\{[^}]*client_max_body_size\s+(\S+);/.exec(nginx)?.[1];
    expect(mb(imports)).toBeGreaterThan(MAX_CATALOG_BYTES);
  });

  it("believes X-Forwarded-For from the proxy's fixed address only", () => {
    const proxy = Object.entries(compose.services).find(([, s]) =>
      s.volumes?.some((v) => v.startsWith('./deploy/nginx.conf:')),
    )!;
    const address = proxy[1].networks?.default?.ipv4_address;
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const subnet = compose.networks?.default?.ipam?.config?.[0]?.subnet ?? '';
    const toInt = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
    const [net, bits] = subnet.split('/');
    const block = 2 ** (32 - Number(bits));
    expect(Math.floor(toInt(address!) / block)).toBe(Math.floor(toInt(net) / block));
    for (const s of [...webs, ...workers]) {
      expect({ s, trust: env(s).TRUST_PROXY }).toEqual({ s, trust: address });
    }
  });

  it('runs only npm scripts that exist and files that `npm run build` makes from existing sources', () => {
    const base = JSON.parse(read('tsconfig.json')) as { compilerOptions: { outDir: string; rootDir: string } };
    const build = JSON.parse(read('tsconfig.build.json')) as { include: string[] };
    const { outDir, rootDir } = base.compilerOptions;
    const commands = [
      ...[...dockerfile.matchAll(/^CMD\s+(\[.*\])$/gm)].map((m) => JSON.parse(m[1]) as string[]),
      ...[...dockerfile.matchAll(/^RUN\s+(npm run \S+)/gm)].map((m) => m[1].split(' ')),
      ...Object.values(compose.services).flatMap((s) => (s.build !== undefined && s.command ? [s.command] : [])),
      ...['start:prod', 'worker:prod', 'migration:run:prod'].map((name) => (scripts[name] ?? name).split(' ')),
    ];
    const problems: string[] = [];
    for (const [program, ...args] of commands) {
      if (program === 'npm') {
        if (!(args[1] in scripts)) problems.push(`npm script «${args[1]}» does not exist`);
      } else if (program === 'node') {
        const out = args[0];
        const source = join(rootDir, out.replace(new RegExp(`^${outDir}/`), '').replace(/\.js$/, '.ts'));
        if (!out.startsWith(`${outDir}/`) || !existsSync(join(ROOT, source)))
          problems.push(`${out}: no source ${source} for the build to compile`);
        else if (!build.include.some((dir) => source.startsWith(`${dir}/`)))
          problems.push(`${source} is outside tsconfig.build.json's include`);
      } else problems.push(`unexpected command ${program}`);
    }
    expect(problems).toEqual([]);
  });

  it('puts in the image what the compiled code reads from disk, none of it left out by .dockerignore', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    const copies = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].map((m) => m[1].split(/\s+/));
    const copied = new Map(copies.flatMap((args) => args.slice(0, -1).map((src) => [src, args[args.length - 1]])));
    for (const src of copied.keys()) {
      expect({ src, exists: existsSync(join(ROOT, src)) }).toEqual({ src, exists: true });
      expect({ src, ignoredBy: ignored.filter((i) => src === i || src.startsWith(`${i}/`)) }).toEqual({
        src,
        ignoredBy: [],
      });
    }
    // Pages, mails and letters, the self-service assets (both found from /app, the folder of package.json), and the
    // password blocklist that tsc does not copy beside dist/src/security/password-policy.js.
    expect(copied.get('package.json')).toBe('./');
    expect(copied.get('templates')).toBe('./templates');
    expect(copied.get('public')).toBe('./public');
    expect(copied.get('src/security/blocklist.txt')).toBe('./dist/src/security/blocklist.txt');
  });
});
