import { createHash } from 'node:crypto';

/*
 * The Merkle tree of Certificate Transparency (RFC 9162 §2.1, the same tree as RFC 6962 §2.1): SHA-256, leaves hashed
 * with a 0x00 prefix, interior nodes with 0x01, a tree of n > 1 leaves split at the largest power of two below n.
 * Pure: no I/O, no clock. Sizes are safe integers (up to 2^53): no bitwise operators on them, and recursion only over
 * the tree's height.
 *
 * Storage model: the hash of every complete node is kept. Node (level, index) is the root of the perfect subtree of
 * leaves [index·2^level, (index+1)·2^level); level 0 holds the leaf hashes. A complete node never changes once the
 * tree has grown past it, so every proof of every tree size can be built from these nodes.
 */

const HASH_BYTES = 32;
const HEX_HASH = /^[0-9a-f]{64}$/;
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

function sha256(...parts: Buffer[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** MTH of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = sha256();

/** Hash of a leaf: SHA-256(0x00 || data). */
export function leafHash(data: Buffer): Buffer {
  return sha256(LEAF_PREFIX, data);
}

/** Hash of an interior node: SHA-256(0x01 || left || right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return sha256(NODE_PREFIX, left, right);
}

/** A complete node: the root of leaves [index·2^level, (index+1)·2^level). */
export interface NodeRef {
  level: number;
  index: number;
}
export interface StoredNode extends NodeRef {
  hash: Buffer;
}

/** The roots of the perfect subtrees of a tree of `size` leaves, left to right (one per 1-bit of size), lowercase hex. */
export interface Frontier {
  size: number;
  hashes: string[];
}
const NO_HASHES: string[] = [];
Object.freeze(NO_HASHES);
export const EMPTY_FRONTIER: Frontier = Object.freeze({ size: 0, hashes: NO_HASHES });

const half = (n: number): number => Math.floor(n / 2);
const isOdd = (n: number): boolean => n % 2 === 1;
const isHash = (b: unknown): b is Buffer => Buffer.isBuffer(b) && b.length === HASH_BYTES;
const isSize = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const key = (ref: NodeRef): string => `${ref.level}:${ref.index}`;

/** The largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** log2(n) if n is a power of two, otherwise -1. */
function exactLog2(n: number): number {
  let level = 0;
  let p = 1;
  while (p < n) {
    p *= 2;
    level++;
  }
  return p === n ? level : -1;
}

/** Levels of the perfect subtrees of a tree of `size` leaves, left (highest) to right. */
function frontierLevels(size: number): number[] {
  const levels: number[] = [];
  for (let level = 0, rest = size; rest > 0; level++, rest = half(rest)) if (isOdd(rest)) levels.push(level);
  return levels.reverse();
}

/** The frontier as (level, hash) pairs, left to right; throws if it is not one of a tree of its size. */
function decodeFrontier(frontier: Frontier): { level: number; hash: Buffer }[] {
  if (!isSize(frontier.size)) throw new Error(`Invalid Merkle frontier: size ${String(frontier.size)}`);
  const levels = frontierLevels(frontier.size);
  const { hashes } = frontier;
  if (!Array.isArray(hashes) || hashes.length !== levels.length)
    throw new Error(
      `Invalid Merkle frontier: a tree of ${frontier.size} leaves has ${levels.length} subtree roots, ` +
        `not ${Array.isArray(hashes) ? hashes.length : 'none'}`,
    );
  return levels.map((level, i) => {
    if (typeof hashes[i] !== 'string' || !HEX_HASH.test(hashes[i]))
      throw new Error(`Invalid Merkle frontier: hash ${i} is not 64 lowercase hex digits`);
    return { level, hash: Buffer.from(hashes[i], 'hex') };
  });
}

/**
 * Appends leaf hashes; returns the new frontier and every node that became complete (the leaves themselves
 * included). Order: for each leaf in turn, the leaf and then the nodes it completes, bottom-up.
 */
export function appendLeaves(
  frontier: Frontier,
  leafHashes: Buffer[],
): { frontier: Frontier; completed: StoredNode[] } {
  const stack = decodeFrontier(frontier);
  const completed: StoredNode[] = [];
  let size = frontier.size;
  for (const leaf of leafHashes) {
    if (!isHash(leaf)) throw new Error(`Leaf ${size} is not a ${HASH_BYTES}-byte hash`);
    let node = { level: 0, hash: leaf };
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

/** MTH of the tree the frontier describes (its perfect-subtree roots folded right to left). */
export function frontierRoot(frontier: Frontier): Buffer {
  const roots = decodeFrontier(frontier);
  if (roots.length === 0) return EMPTY_ROOT;
  let acc = roots[roots.length - 1].hash;
  for (let i = roots.length - 2; i >= 0; i--) acc = nodeHash(roots[i].hash, acc);
  return acc;
}

function checkRange(start: number, end: number): void {
  if (!isSize(start) || !isSize(end) || start >= end) throw new Error(`Invalid Merkle range [${start}, ${end})`);
}

/**
 * Folds MTH(D[start:end]) over the complete nodes it is made of: a range that is an aligned perfect subtree is one
 * node, any other is split as RFC 9162 splits it. Recursion depth ≤ log2(end - start) + 1.
 */
function foldRange<T>(start: number, end: number, node: (ref: NodeRef) => T, join: (left: T, right: T) => T): T {
  const n = end - start;
  const level = exactLog2(n);
  if (level >= 0 && start % n === 0) return node({ level, index: start / n });
  const k = splitPoint(n);
  return join(foldRange(start, start + k, node, join), foldRange(start + k, end, node, join));
}

/** The complete nodes whose hashes build MTH(D[start:end]) (aligned perfect subtrees covering the range, left to right). */
export function rangeNodes(start: number, end: number): NodeRef[] {
  checkRange(start, end);
  const refs: NodeRef[] = [];
  foldRange(
    start,
    end,
    (ref) => void refs.push(ref),
    () => undefined,
  );
  return refs;
}

/** MTH(D[start:end]) from the stored complete nodes; throws if `lookup` gives anything but a 32-byte hash. */
export function rangeHash(start: number, end: number, lookup: (ref: NodeRef) => Buffer): Buffer {
  checkRange(start, end);
  return foldRange(
    start,
    end,
    (ref) => {
      const h: unknown = lookup(ref);
      if (!isHash(h)) throw new Error(`Merkle node ${key(ref)} is missing or is not a ${HASH_BYTES}-byte hash`);
      return h;
    },
    nodeHash,
  );
}

/** Ranges whose MTH form the audit path of leaf `index` in a tree of `size` (RFC 9162 §2.1.3.1 PATH), in proof order. */
export function inclusionRanges(index: number, size: number): Array<[number, number]> {
  if (!isSize(index) || !isSize(size) || index >= size)
    throw new Error(`No inclusion proof for leaf ${index} in a tree of ${size} leaves`);
  // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) or PATH(m - k, D[k:n]) : MTH(D[0:k]): collected root-down.
  const outer: Array<[number, number]> = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const mid = start + splitPoint(end - start);
    if (index < mid) {
      outer.push([mid, end]);
      end = mid;
    } else {
      outer.push([start, mid]);
      start = mid;
    }
  }
  return outer.reverse();
}

/**
 * Ranges whose MTH form the consistency proof from size m to size n (RFC 9162 §2.1.4.1 PROOF / SUBPROOF), in proof
 * order. Empty for m = 0 and for m = n.
 */
export function consistencyRanges(m: number, n: number): Array<[number, number]> {
  if (!isSize(m) || !isSize(n) || m > n) throw new Error(`No consistency proof from ${m} to ${n} leaves`);
  if (m === 0 || m === n) return [];
  // SUBPROOF(m, D[n], b): descend until the old tree is the whole subtree, collecting the siblings root-down.
  const outer: Array<[number, number]> = [];
  let start = 0;
  let end = n;
  let old = m; // Leaves of the old tree within [start, end).
  let known = true; // b: the verifier already knows MTH of this subtree (it is the old root itself).
  while (start + old !== end) {
    const mid = start + splitPoint(end - start);
    if (start + old <= mid) {
      outer.push([mid, end]);
      end = mid;
    } else {
      outer.push([start, mid]);
      old -= mid - start;
      start = mid;
      known = false;
    }
  }
  const inner: Array<[number, number]> = known ? [] : [[start, end]];
  return [...inner, ...outer.reverse()];
}

/** Every complete node a set of ranges needs (deduplicated, in first-use order), so a caller can fetch them at once. */
export function nodesFor(ranges: Array<[number, number]>): NodeRef[] {
  const seen = new Map<string, NodeRef>();
  for (const [start, end] of ranges)
    for (const ref of rangeNodes(start, end)) if (!seen.has(key(ref))) seen.set(key(ref), ref);
  return [...seen.values()];
}

/** The audit path of leaf `index` in the tree of `size` leaves, from the stored complete nodes. */
export function inclusionProof(index: number, size: number, lookup: (ref: NodeRef) => Buffer): Buffer[] {
  return inclusionRanges(index, size).map(([start, end]) => rangeHash(start, end, lookup));
}

/** The consistency proof from size m to size n, from the stored complete nodes. */
export function consistencyProof(m: number, n: number, lookup: (ref: NodeRef) => Buffer): Buffer[] {
  return consistencyRanges(m, n).map(([start, end]) => rangeHash(start, end, lookup));
}

/** RFC 9162 §2.1.3.2 verification; returns false (never throws) on any mismatch or malformed input. */
export function verifyInclusion(leaf: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): boolean {
  try {
    if (!isSize(index) || !isSize(size) || index >= size) return false;
    if (!isHash(leaf) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) return false;
    let fn = index;
    let sn = size - 1;
    let r = leaf;
    for (const p of proof) {
      if (sn === 0) return false;
      if (isOdd(fn) || fn === sn) {
        r = nodeHash(p, r);
        while (!isOdd(fn) && fn !== 0) {
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
  } catch {
    return false;
  }
}

/**
 * RFC 9162 §2.1.4.2 verification; returns false (never throws) on any mismatch or malformed input.
 * m = n needs an empty proof and equal roots. m = 0: the empty tree is a prefix of every tree, so any 32-byte rootN
 * is accepted with an empty proof, but rootM must be the empty tree's root (EMPTY_ROOT), the only root of size 0.
 */
export function verifyConsistency(m: number, n: number, rootM: Buffer, rootN: Buffer, proof: Buffer[]): boolean {
  try {
    if (!isSize(m) || !isSize(n) || m > n) return false;
    if (!isHash(rootM) || !isHash(rootN) || !Array.isArray(proof) || !proof.every(isHash)) return false;
    if (m === 0 && !rootM.equals(EMPTY_ROOT)) return false;
    if (m === n) return proof.length === 0 && rootM.equals(rootN);
    if (m === 0) return proof.length === 0;
    if (proof.length === 0) return false;
    const path = exactLog2(m) >= 0 ? [rootM, ...proof] : proof;
    let fn = m - 1;
    let sn = n - 1;
    while (isOdd(fn)) {
      fn = half(fn);
      sn = half(sn);
    }
    let fr = path[0];
    let sr = path[0];
    for (const c of path.slice(1)) {
      if (sn === 0) return false;
      if (isOdd(fn) || fn === sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        while (!isOdd(fn) && fn !== 0) {
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
  } catch {
    return false;
  }
}
