import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP relay in front of slapd that can lose one answer on purpose: armed, it forwards the next LDAP
 * AddRequest to slapd (the entry is created) and then never passes slapd's reply back, so the client hangs exactly
 * between "the directory did it" and "we know it did". Everything else passes through untouched.
 */
export interface LdapHoldProxy {
  url: string;
  /** Connections accepted so far (the ldap adapter opens one per operation). */
  accepted(): number;
  /** Framing problems seen (each one dropped its connection); a test expects none. */
  errors(): string[];
  /** Arms the trap; resolves once an AddRequest went through and its connection's replies are being held back. */
  holdNextAddResponse(): Promise<void>;
  close(): Promise<void>;
}

/** BER tag of LDAPMessage.protocolOp for an AddRequest ([APPLICATION 8], constructed). */
const ADD_REQUEST = 0x68;

/** The protocolOp tags of the complete LDAPMessages at the start of `buf`, and how many bytes they took. */
function completeMessages(buf: Buffer): { tags: number[]; used: number } {
  const tags: number[] = [];
  let at = 0;
  while (buf.length - at >= 2) {
    // ldapts writes plain LDAPMessages (no SASL layer here); anything else would be a bug in this relay's framing.
    if (buf[at] !== 0x30) throw new Error(`no es un LDAPMessage (byte 0x${buf[at].toString(16)})`);
    const first = buf[at + 1];
    let header = 2;
    let len = first;
    if (first & 0x80) {
      const n = first & 0x7f;
      if (buf.length - at < 2 + n) break;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[at + 2 + i];
      header = 2 + n;
    }
    if (buf.length - at < header + len) break;
    // messageID INTEGER (0x02, short length, value), then the protocolOp's tag.
    const idLen = buf[at + header + 1];
    tags.push(buf[at + header + 2 + idLen]);
    at += header + len;
  }
  return { tags, used: at };
}

export async function startLdapHoldProxy(upstreamPort: number): Promise<LdapHoldProxy> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let trap: (() => void) | undefined;
  const errors: string[] = [];

  const server: Server = createServer((client) => {
    accepted++;
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort });
    sockets.add(client);
    sockets.add(upstream);
    let pending = Buffer.alloc(0);
    let holding = false;
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      // Every message is framed, armed or not, so the trap never starts reading in the middle of one.
      pending = Buffer.concat([pending, chunk]);
      let tags: number[];
      try {
        const framed = completeMessages(pending);
        tags = framed.tags;
        pending = pending.subarray(framed.used);
      } catch (e) {
        errors.push((e as Error).message);
        end();
        return;
      }
      if (trap && tags.includes(ADD_REQUEST)) {
        holding = true;
        const fire = trap;
        trap = undefined;
        fire();
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!holding) client.write(chunk);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('el proxy LDAP no obtuvo puerto');
  return {
    url: `ldap://127.0.0.1:${addr.port}`,
    accepted: () => accepted,
    errors: () => [...errors],
    holdNextAddResponse: () => new Promise<void>((resolve) => (trap = resolve)),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
