import { createHash } from 'node:crypto';

/*
 * The Merkle tree of Certificate Transparency (RFC 9162 §2.1, same as RFC 6962): SHA-256, leaves hashed with a 0x00
 * prefix, interior nodes with 0x01. Pure: no I/O, no clock. Sizes may pass 2^31, so no bitwise operators on them.
 *
 * Storage model: the hash of every complete node is kept; node (level, index) is the root of the perfect subtree of
 * leaves [index·2^level, (index+1)·2^level). Level 0 holds the leaf hashes.
 */

const sha256 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/** MTH of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = sha256();

export const leafHash = (data: Buffer): Buffer => sha256(LEAF_PREFIX, data);
export const nodeHash = (left: Buffer, right: Buffer): Buffer => sha256(NODE_PREFIX, left, right);

export interface NodeRef {
  level: number;
  index: number;
}
export interface StoredNode extends NodeRef {
  hash: Buffer;
}

/** The roots of the perfect subtrees of a tree of `size` leaves, left to right (one per 1-bit of size), hex. */
export interface Frontier {
  size: number;
  hashes: string[];
}
export const EMPTY_FRONTIER: Frontier = { size: 0, hashes: [] };

const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** The largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Levels of the perfect subtrees of a tree of `size` leaves, left (largest) to right. */
function frontierLevels(size: number): number[] {
  const levels: number[] = [];
  for (let level = 0, rest = size; rest > 0; level++, rest = half(rest)) if (odd(rest)) levels.unshift(level);
  return levels;
}

/** Appends leaf hashes; the new frontier and every node that became complete (the leaves included), bottom-up. */
export function appendLeaves(
  frontier: Frontier,
  leafHashes: Buffer[],
): { frontier: Frontier; completed: StoredNode[] } {
  const levels = frontierLevels(frontier.size);
  if (levels.length !== frontier.hashes.length)
    throw new Error(`Frontera inválida: ${frontier.hashes.length} hashes para un árbol de ${frontier.size} hojas`);
  const stack: { level: number; hash: Buffer }[] = levels.map((level, i) => ({
    level,
    hash: Buffer.from(frontier.hashes[i], 'hex'),
  }));
  const completed: StoredNode[] = [];
  let size = frontier.size;
  for (const leaf of leafHashes) {
    let node: { level: number; hash: Buffer } = { level: 0, hash: leaf };
    let index = size;
    completed.push({ level: 0, index, hash: leaf });
    while (stack.length > 0 && stack[stack.length - 1].level === node.level) {
      const left = stack.pop()!;
      node = { level: node.level + 1, hash: nodeHash(left.hash, node.hash) };
      index = half(index);
      completed.push({ level: node.level, index, hash: node.hash });
    }
    stack.push(node);
    size++;
  }
  return { frontier: { size, hashes: stack.map((n) => n.hash.toString('hex')) }, completed };
}

/** MTH of the tree a frontier describes: its perfect-subtree roots folded right to left. */
export function frontierRoot(frontier: Frontier): Buffer {
  if (frontier.size === 0) return EMPTY_ROOT;
  const hashes = frontier.hashes.map((h) => Buffer.from(h, 'hex'));
  let acc: Buffer = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i], acc);
  return acc;
}

function walkRange(start: number, end: number, visit: (ref: NodeRef) => Buffer): Buffer {
  const n = end - start;
  if (n < 1) throw new Error(`Rango vacío del árbol: [${start}, ${end})`);
  if (n === 1) return visit({ level: 0, index: start });
  let level = 0;
  for (let p = 1; p < n; p *= 2) level++;
  if (2 ** level === n && start % n === 0) return visit({ level, index: start / n });
  const k = splitPoint(n);
  return nodeHash(walkRange(start, start + k, visit), walkRange(start + k, end, visit));
}

/** The complete nodes whose hashes build MTH(D[start:end]), left to right. */
export function rangeNodes(start: number, end: number): NodeRef[] {
  const refs: NodeRef[] = [];
  walkRange(start, end, (ref) => {
    refs.push(ref);
    return EMPTY_ROOT;
  });
  return refs;
}

/** MTH(D[start:end]) from the stored complete nodes. */
export function rangeHash(start: number, end: number, lookup: (ref: NodeRef) => Buffer): Buffer {
  return walkRange(start, end, lookup);
}

/** Ranges whose MTH form the audit path of leaf `index` in a tree of `size` (RFC 9162 §2.1.3.1), leaf upwards. */
export function inclusionRanges(index: number, size: number): Array<[number, number]> {
  if (!(index >= 0 && index < size)) throw new Error(`La hoja ${index} no está en un árbol de ${size} hojas`);
  const out: Array<[number, number]> = [];
  const path = (start: number, end: number): void => {
    const n = end - start;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (index < start + k) {
      path(start, start + k);
      out.push([start + k, end]);
    } else {
      path(start + k, end);
      out.push([start, start + k]);
    }
  };
  path(0, size);
  return out;
}

/** Ranges whose MTH form the consistency proof from size m to size n (RFC 9162 §2.1.4.1). Empty for m = 0 or m = n. */
export function consistencyRanges(m: number, n: number): Array<[number, number]> {
  if (!(m >= 0 && m <= n)) throw new Error(`No hay prueba de consistencia de ${m} a ${n} hojas`);
  const out: Array<[number, number]> = [];
  if (m === 0 || m === n) return out;
  const sub = (mm: number, start: number, end: number, complete: boolean): void => {
    const size = end - start;
    if (mm === size) {
      if (!complete) out.push([start, end]);
      return;
    }
    const k = splitPoint(size);
    if (mm <= k) {
      sub(mm, start, start + k, complete);
      out.push([start + k, end]);
    } else {
      sub(mm - k, start + k, end, false);
      out.push([start, start + k]);
    }
  };
  sub(m, 0, n, true);
  return out;
}

/** Every complete node a set of ranges needs, once each, so a caller can fetch them in one go. */
export function nodesFor(ranges: Array<[number, number]>): NodeRef[] {
  const seen = new Map<string, NodeRef>();
  for (const [start, end] of ranges) for (const r of rangeNodes(start, end)) seen.set(`${r.level}:${r.index}`, r);
  return [...seen.values()];
}

export function inclusionProof(index: number, size: number, lookup: (ref: NodeRef) => Buffer): Buffer[] {
  return inclusionRanges(index, size).map(([s, e]) => rangeHash(s, e, lookup));
}

export function consistencyProof(m: number, n: number, lookup: (ref: NodeRef) => Buffer): Buffer[] {
  return consistencyRanges(m, n).map(([s, e]) => rangeHash(s, e, lookup));
}

const is32 = (b: unknown): b is Buffer => Buffer.isBuffer(b) && b.length === 32;

/** RFC 9162 §2.1.3.2. False (never an exception) on any mismatch or malformed input. */
export function verifyInclusion(leaf: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!is32(leaf) || !is32(root) || !Array.isArray(proof) || !proof.every(is32)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn))
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/**
 * RFC 9162 §2.1.4.2. m = n needs an empty proof and equal roots; m = 0 (the empty tree is a prefix of every tree)
 * needs an empty proof. False (never an exception) on any mismatch or malformed input.
 */
export function verifyConsistency(m: number, n: number, rootM: Buffer, rootN: Buffer, proof: Buffer[]): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) return false;
  if (!is32(rootM) || !is32(rootN) || !Array.isArray(proof) || !proof.every(is32)) return false;
  if (m === n) return proof.length === 0 && rootM.equals(rootN);
  if (m === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  let path = proof;
  if (2 ** frontierLevels(m)[0] === m) path = [rootM, ...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn))
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(rootM) && sr.equals(rootN);
}
