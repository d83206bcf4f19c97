import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Stream } from 'node:stream';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import PDFDocument from 'pdfkit';
import request from 'supertest';
import { InProcessDriver } from '../../src/queue/in-process.driver';
import { QueueRuntime } from '../../src/queue/queue-runtime.service';
import { type ParsedMessage, parseMessage } from '../mail/support/mime';

/** A small real PDF standing in for the scanned oficio the Subdirección uploads. */
export function scannedOficio(text: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'LETTER' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(12).text(text);
    doc.end();
  });
}

/** Relays the outbox and waits for the in-process jobs, as the running app does by itself every RELAY_INTERVAL_MS. */
export async function settle(app: INestApplication): Promise<void> {
  const runtime = app.get(QueueRuntime);
  if (!(runtime.driver instanceof InProcessDriver))
    throw new Error('settle() es para la cola en proceso (sin REDIS_URL)');
  for (let i = 0; i < 30; i++) {
    const n = await runtime.relayOnce();
    await runtime.driver.idle();
    if (n === 0) return;
  }
  throw new Error('la cola no se vació tras 30 pasadas');
}

/** Where a test's HTTP requests go: an application in this process, or a base URL (another process, a proxy). */
export type HttpTarget = INestApplication | string;

/** supertest on an HTTP target. */
export const httpOf = (target: HttpTarget): ReturnType<typeof request> =>
  request(typeof target === 'string' ? target : target.getHttpServer());

export interface Mail {
  file: string;
  to: string[];
  subject: string;
  /** Text and HTML bodies, decoded. */
  body: string;
  raw: string;
  parsed: ParsedMessage;
}

/**
 * The .eml outbox of a DATA_DIR (or of several: one per worker process), read as a mail client would (MIME decoded),
 * with what is new since the last look. Messages of several folders come in the order of their names (the time they
 * were written comes first in them).
 */
export class OutboxReader {
  private readonly seen = new Set<string>();
  private readonly dirs: string[];
  constructor(dir: string | string[]) {
    this.dirs = typeof dir === 'string' ? [dir] : dir;
  }

  all(): Mail[] {
    const files = this.dirs.flatMap((dir) =>
      existsSync(dir)
        ? readdirSync(dir)
            .filter((f) => f.endsWith('.eml'))
            .map((f) => ({ dir, f }))
        : [],
    );
    return files
      .sort((a, b) => (a.f < b.f ? -1 : a.f > b.f ? 1 : 0))
      .map(({ dir, f }) => {
        const raw = readFileSync(join(dir, f), 'utf8');
        const parsed = parseMessage(raw);
        const to = (parsed.header('to') ?? '')
          .split(',')
          .map((a) => (/<([^>]+)>/.exec(a)?.[1] ?? a).trim().toLowerCase())
          .filter(Boolean);
        return {
          file: this.dirs.length > 1 ? join(dir, f) : f,
          to,
          subject: parsed.header('subject') ?? '',
          body: `${parsed.text ?? ''}\n${parsed.html ?? ''}`,
          raw,
          parsed,
        };
      });
  }

  /** Messages written since the previous call. */
  fresh(): Mail[] {
    const out = this.all().filter((m) => !this.seen.has(m.file));
    for (const m of out) this.seen.add(m.file);
    return out;
  }
}

/** The single-use link of a credentials mail: its token. */
export function activationToken(mail: Mail): string {
  const m = /\/activar\/([A-Za-z0-9_-]{43})/.exec(mail.body);
  if (!m) throw new Error(`El correo «${mail.subject}» no trae un enlace /activar/:\n${mail.body.slice(0, 800)}`);
  return m[1];
}

/** Sets a password through the activation page, as the holder does in the browser. */
export async function activate(app: HttpTarget, token: string, password: string): Promise<void> {
  const res = await httpOf(app)
    .post(`/activar/${token}`)
    .type('form')
    .send({ contrasena: password, confirmacion: password });
  if (res.status !== 200) throw new Error(`La página de activación respondió ${res.status}: ${res.text.slice(0, 500)}`);
}

/** supertest parser that keeps a binary body (a PDF) as a Buffer. */
export const binary = (res: Stream, cb: (err: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
