import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './private-redis';

/**
 * Debian's nginx as the reverse proxy of a deployment, on a free loopback port: round-robin over `upstreams`
 * (host:port), the client's address passed on in X-Forwarded-For as a production proxy does, and an access log that
 * names the upstream of every request. Its own prefix in a temp folder; stopped by its own pid.
 */
export interface Nginx {
  url: string;
  /** One line per request answered: `<upstream> <status> <method> <uri>`. */
  accessLog(): { upstream: string; status: number; method: string; uri: string }[];
  stop(): Promise<void>;
}

const NGINX = process.env.NGINX_PATH ?? (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx');

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

export async function startNginx(upstreams: string[], opts: { maxBodyMb?: number } = {}): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'mci-nginx-'));
  for (const d of ['logs', 'tmp']) mkdirSync(join(dir, d));
  const port = await freePort();
  const log = join(dir, 'logs', 'access.log');
  const conf = `
${process.getuid?.() === 0 ? 'user root root;' : ''}
worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'error.log')} warn;
events { worker_connections 512; }
http {
  log_format upstream '$upstream_addr $status $request_method $uri';
  access_log ${log} upstream;
  client_body_temp_path ${join(dir, 'tmp', 'body')};
  proxy_temp_path ${join(dir, 'tmp', 'proxy')};
  fastcgi_temp_path ${join(dir, 'tmp', 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'tmp', 'uwsgi')};
  scgi_temp_path ${join(dir, 'tmp', 'scgi')};
  client_max_body_size ${opts.maxBodyMb ?? 25}m;
  upstream web {
${upstreams.map((u) => `    server ${u};`).join('\n')}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://web;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn(NGINX, ['-p', dir, '-e', join(dir, 'logs', 'error.log'), '-c', join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((r) =>
    child.once('close', () => {
      live.delete(child);
      r();
    }),
  );
  child.once('error', (e) => (output += `\n${e.message}`));
  const errors = (): string => {
    const f = join(dir, 'logs', 'error.log');
    return `${output}${existsSync(f) ? readFileSync(f, 'utf8') : ''}`.slice(-3000);
  };
  for (let i = 0; i < 100 && !(await listening(port)); i++) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`nginx terminó al iniciar (¿está instalado? apt-get install nginx):\n${errors()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!(await listening(port))) throw new Error(`nginx no escucha en ${port} tras 10 s:\n${errors()}`);

  return {
    url: `http://127.0.0.1:${port}`,
    accessLog: () =>
      (existsSync(log) ? readFileSync(log, 'utf8') : '')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [upstream, status, method, uri] = line.split(' ');
          return { upstream, status: Number(status), method, uri };
        }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
