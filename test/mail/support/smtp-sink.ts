import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  mailFrom: string | undefined;
  rcptTo: string[];
  user: unknown;
  secure: boolean;
  raw: Buffer;
}

export interface SmtpSink {
  port: number;
  received: ReceivedMail[];
  authAttempts: { username?: string; password?: string | null }[];
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  secure?: boolean;
  /** When set, AUTH is required and must match. */
  credentials?: { user: string; pass: string };
  /** Recipients on this domain get "550 buzón no disponible". */
  rejectDomain?: string;
  /** Makes DATA fail with this SMTP reply code. */
  dataReplyCode?: number;
}

/** A real SMTP server (smtp-server) on a free loopback port that records what arrives. */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const authAttempts: SmtpSink['authAttempts'] = [];
  const server = new SMTPServer({
    secure: options.secure ?? false,
    // The plain-text server offers no STARTTLS: nodemailer would try it and distrust the built-in test certificate.
    disabledCommands: options.secure ? [] : ['STARTTLS'],
    authOptional: options.credentials === undefined,
    allowInsecureAuth: true,
    logger: false,
    size: 1024 * 1024,
    onAuth(auth, _session, callback) {
      authAttempts.push({ username: auth.username, password: auth.password });
      const ok =
        options.credentials && auth.username === options.credentials.user && auth.password === options.credentials.pass;
      if (ok) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Credenciales incorrectas'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      if (options.rejectDomain && address.address.endsWith(`@${options.rejectDomain}`)) {
        callback(Object.assign(new Error('Buzon no disponible'), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (options.dataReplyCode !== undefined) {
          callback(Object.assign(new Error('Intente mas tarde'), { responseCode: options.dataReplyCode }));
          return;
        }
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          user: session.user,
          secure: session.secure,
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    authAttempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
