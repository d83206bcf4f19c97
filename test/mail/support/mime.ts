/**
 * A small, independent RFC 5322 / MIME reader for the tests: it decodes what nodemailer encoded (folded headers,
 * RFC 2047 encoded words, quoted-printable, base64, nested multiparts) without using nodemailer, so a test reads the
 * message the way a mail client would, not the way the writer thinks it wrote it.
 */
export interface MimePart {
  headers: Map<string, string[]>;
  contentType: string;
  params: Record<string, string>;
  /** Decoded body of a leaf part (charset applied); '' for a multipart. */
  body: string;
  children: MimePart[];
}

export interface ParsedMessage extends MimePart {
  header(name: string): string | undefined;
  /** Every leaf part, depth first. */
  leaves: MimePart[];
  text?: string;
  html?: string;
}

function decodeWords(value: string): string {
  // Whitespace between two encoded words is not part of the text (RFC 2047 6.2).
  const joined = value.replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?[^?]+\?[QqBb]\?[^?]*\?=)/g, '$1');
  return joined.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, charset: string, enc: string, data: string) => {
    const bytes =
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64')
        : Buffer.from(
            data
              .replace(/_/g, ' ')
              .replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          );
    return new TextDecoder(charset.toLowerCase()).decode(bytes);
  });
}

function parseHeaderBlock(block: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const unfolded = block.replace(/\r\n([ \t])/g, '$1');
  for (const line of unfolded.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line: ${line.slice(0, 80)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = decodeWords(line.slice(colon + 1).trim());
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  return headers;
}

function parseContentType(value: string | undefined): { type: string; params: Record<string, string> } {
  const [type, ...rest] = (value ?? 'text/plain; charset=us-ascii').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    params[p.slice(0, eq).trim().toLowerCase()] = p
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { type: (type ?? '').trim().toLowerCase(), params };
}

function decodeBody(raw: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(raw.toString('latin1').replace(/\s+/g, ''), 'base64');
    case 'quoted-printable': {
      const text = raw.toString('latin1').replace(/=\r\n/g, '');
      const bytes: number[] = [];
      for (let i = 0; i < text.length; i++) {
        if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
          bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
          i += 2;
        } else {
          bytes.push(text.charCodeAt(i));
        }
      }
      return Buffer.from(bytes);
    }
    default:
      return raw;
  }
}

function indexOf(buf: Buffer, needle: string, from = 0): number {
  return buf.indexOf(Buffer.from(needle, 'latin1'), from);
}

function parsePart(raw: Buffer): MimePart {
  const split = indexOf(raw, '\r\n\r\n');
  if (split < 0) throw new Error('no blank line between headers and body');
  const headers = parseHeaderBlock(raw.subarray(0, split).toString('latin1'));
  const bodyRaw = raw.subarray(split + 4);
  const { type, params } = parseContentType(headers.get('content-type')?.[0]);
  if (type.startsWith('multipart/')) {
    const boundary = params.boundary;
    if (!boundary) throw new Error('multipart without boundary');
    const children: MimePart[] = [];
    const delimiter = `--${boundary}`;
    let pos = indexOf(bodyRaw, delimiter);
    if (pos < 0) throw new Error(`boundary ${boundary} not found`);
    for (;;) {
      const start = pos + delimiter.length;
      if (bodyRaw.subarray(start, start + 2).toString('latin1') === '--') break;
      const next = indexOf(bodyRaw, `\r\n${delimiter}`, start);
      if (next < 0) throw new Error(`unterminated multipart ${boundary}`);
      children.push(parsePart(bodyRaw.subarray(start + 2, next)));
      pos = next + 2;
    }
    return { headers, contentType: type, params, body: '', children };
  }
  const bytes = decodeBody(bodyRaw, headers.get('content-transfer-encoding')?.[0]);
  const body = new TextDecoder((params.charset ?? 'us-ascii').toLowerCase()).decode(bytes);
  return { headers, contentType: type, params, body, children: [] };
}

function leavesOf(part: MimePart): MimePart[] {
  return part.children.length === 0 ? [part] : part.children.flatMap(leavesOf);
}

export function parseMessage(raw: Buffer | string): ParsedMessage {
  const buf = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const root = parsePart(buf);
  const leaves = leavesOf(root);
  return {
    ...root,
    header: (name: string) => root.headers.get(name.toLowerCase())?.[0],
    leaves,
    text: leaves.find((l) => l.contentType === 'text/plain')?.body,
    html: leaves.find((l) => l.contentType === 'text/html')?.body,
  };
}

/** Lines that break RFC 5322 2.1.1/2.3: a bare CR or LF, or a line longer than 998 characters. */
export function lineProblems(raw: Buffer): string[] {
  const text = raw.toString('latin1');
  const problems: string[] = [];
  if (/\r(?!\n)|(?<!\r)\n/.test(text)) problems.push('bare CR or LF');
  for (const line of text.split('\r\n')) if (line.length > 998) problems.push(`line of ${line.length} characters`);
  return problems;
}
