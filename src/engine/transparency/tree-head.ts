import { createHash } from 'node:crypto';
import { DomainError } from '../../common/domain-error';
import { verifySello } from '../../letters/signer';

/** What signs tree heads: the institution's signing certificate, the one that signs letters (the test one on the embedded default). */
export interface HeadSigner {
  /** base64 RSA-SHA256 over the UTF-8 text. */
  sello(text: string): string;
  readonly certificateDer: Buffer;
}
export const HEAD_SIGNER = Symbol('HEAD_SIGNER');

export const HEAD_FORMAT = 'mci-tree-head-v1';

/** A signed tree head as stored, served and exported: the log had `treeSize` movements, with Merkle root `rootHash`. */
export interface SignedTreeHead {
  treeSize: number;
  /** SHA-256 Merkle root (RFC 9162), hex. */
  rootHash: string;
  /** ISO-8601 UTC with milliseconds. */
  timestamp: string;
  /** base64 RSA-SHA256 of signedText(head). */
  signature: string;
  /** SHA-256 of the signing certificate's DER, hex. */
  keyId: string;
}

/** The exact text signed: format, size, root and time, one per line. */
export function signedText(h: Pick<SignedTreeHead, 'treeSize' | 'rootHash' | 'timestamp'>): string {
  return `${HEAD_FORMAT}\n${h.treeSize}\n${h.rootHash}\n${h.timestamp}\n`;
}

export const keyIdOf = (certificateDer: Buffer): string => createHash('sha256').update(certificateDer).digest('hex');

export function signHead(signer: HeadSigner, treeSize: number, rootHash: string, at: Date): SignedTreeHead {
  const head = {
    treeSize,
    rootHash,
    timestamp: at.toISOString(),
    signature: '',
    keyId: keyIdOf(signer.certificateDer),
  };
  head.signature = signer.sello(signedText(head));
  return head;
}

export function verifyHeadSignature(head: SignedTreeHead, certificateDer: Buffer): boolean {
  return keyIdOf(certificateDer) === head.keyId && verifySello(signedText(head), head.signature, certificateDer);
}

/** The head as published (GET /api/bitacora/cabeza, the exported files): the format name first, for whoever reads it. */
export function publishedHead(h: SignedTreeHead): { format: string } & SignedTreeHead {
  return {
    format: HEAD_FORMAT,
    treeSize: h.treeSize,
    rootHash: h.rootHash,
    timestamp: h.timestamp,
    signature: h.signature,
    keyId: h.keyId,
  };
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Reads heads an auditor kept (one published head, an array of them, or one per line as in the exported .jsonl):
 * anything else is a DomainError that says what the file should hold.
 */
export function parseHeads(text: string, source: string): SignedTreeHead[] {
  const trimmed = text.trim();
  let values: unknown[];
  try {
    if (trimmed.startsWith('[')) values = JSON.parse(trimmed) as unknown[];
    else
      values = trimmed
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as unknown);
  } catch {
    throw new DomainError(
      'CABEZA_ILEGIBLE',
      `${source} no es JSON: debe contener una cabeza firmada tal como la publica GET /api/bitacora/cabeza (o una por línea).`,
      422,
    );
  }
  if (values.length === 0)
    throw new DomainError('CABEZA_ILEGIBLE', `${source} no contiene ninguna cabeza firmada.`, 422);
  return values.map((v, i) => {
    const h = v as Partial<SignedTreeHead> & { format?: unknown };
    const ok =
      h !== null &&
      typeof h === 'object' &&
      (h.format === undefined || h.format === HEAD_FORMAT) &&
      Number.isSafeInteger(h.treeSize) &&
      (h.treeSize as number) >= 0 &&
      typeof h.rootHash === 'string' &&
      HEX64.test(h.rootHash) &&
      typeof h.timestamp === 'string' &&
      !Number.isNaN(Date.parse(h.timestamp)) &&
      typeof h.signature === 'string' &&
      typeof h.keyId === 'string' &&
      HEX64.test(h.keyId);
    if (!ok)
      throw new DomainError(
        'CABEZA_ILEGIBLE',
        `La cabeza ${i + 1} de ${source} no tiene la forma de una cabeza firmada (${HEAD_FORMAT}: treeSize, rootHash, timestamp, signature, keyId).`,
        422,
      );
    return {
      treeSize: h.treeSize as number,
      rootHash: h.rootHash as string,
      timestamp: h.timestamp as string,
      signature: h.signature as string,
      keyId: h.keyId as string,
    };
  });
}
