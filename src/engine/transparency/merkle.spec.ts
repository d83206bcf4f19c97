import { createHash } from 'node:crypto';
import {
  appendLeaves,
  consistencyProof,
  consistencyRanges,
  EMPTY_FRONTIER,
  EMPTY_ROOT,
  type Frontier,
  frontierRoot,
  inclusionProof,
  inclusionRanges,
  leafHash,
  type NodeRef,
  nodeHash,
  nodesFor,
  rangeHash,
  rangeNodes,
  type StoredNode,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

const hex = (b: Buffer): string => b.toString('hex');
const unhex = (h: string): Buffer => Buffer.from(h, 'hex');
const hexes = (bs: Buffer[]): string[] => bs.map(hex);
const keyOf = (r: NodeRef): string => `${r.level}:${r.index}`;

/*
 * Known answers, copied from transparency-dev/merkle (the RFC 6962 reference data shared with Trillian and
 * certificate-transparency):
 *   testonly/constants.go: LeafInputs, NodeHashes, RootHashes, CompactTrees, EmptyRootHash;
 *   proof/verify_test.go: inclusionProofs and consistencyProofs (their leaf numbers are 1-based there).
 */
const REF_LEAF_INPUTS = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];
const REF_LEAVES = REF_LEAF_INPUTS.map((h) => leafHash(unhex(h)));
const REF_EMPTY_ROOT = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** NodeHashes()[level][index]: every complete node of the 8-leaf tree. */
const REF_NODES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  [
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];
/** RootHashes()[size] for sizes 0..8. */
const REF_ROOTS = [
  REF_EMPTY_ROOT,
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
/** CompactTrees()[size]: the frontier of each size 0..8, as (level, index) into REF_NODES. */
const REF_FRONTIERS: Array<Array<[number, number]>> = [
  [],
  [[0, 0]],
  [[1, 0]],
  [
    [1, 0],
    [0, 2],
  ],
  [[2, 0]],
  [
    [2, 0],
    [0, 4],
  ],
  [
    [2, 0],
    [1, 2],
  ],
  [
    [2, 0],
    [1, 2],
    [0, 6],
  ],
  [[3, 0]],
];
/** proof/verify_test.go inclusionProofs, with the 1-based leaf number turned into a 0-based index. */
const REF_INCLUSION: { index: number; size: number; proof: string[] }[] = [
  { index: 0, size: 1, proof: [] },
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
/** proof/verify_test.go consistencyProofs. */
const REF_CONSISTENCY: { m: number; n: number; proof: string[] }[] = [
  { m: 1, n: 1, proof: [] },
  {
    m: 1,
    n: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    m: 6,
    n: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    m: 2,
    n: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    m: 6,
    n: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
/** proof/verify_test.go sha256SomeHash: an arbitrary 32-byte value. */
const SOME_HASH = unhex('abacaba000000000000000000000000000000000000000000060061e00123456');

// ---- An independent model: RFC 9162 §2.1 written as recursion over leaf arrays, sharing only the two hash functions.

function naiveRoot(d: Buffer[]): Buffer {
  if (d.length === 0) return createHash('sha256').digest();
  if (d.length === 1) return d[0];
  const k = naiveSplit(d.length);
  return nodeHash(naiveRoot(d.slice(0, k)), naiveRoot(d.slice(k)));
}
function naiveSplit(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
// The same model over ranges of POOL (below), memoised: MTH(POOL[start:end]), PATH and SUBPROOF.
const memo = new Map<string, Buffer>();
function mth(start: number, end: number): Buffer {
  const key = `${start}:${end}`;
  let h = memo.get(key);
  if (!h) {
    const k = naiveSplit(end - start);
    h = end - start === 1 ? POOL[start] : nodeHash(mth(start, start + k), mth(start + k, end));
    memo.set(key, h);
  }
  return h;
}
/** PATH(m, D[start:end]), m relative to start. */
function naivePath(m: number, start: number, end: number): Buffer[] {
  if (end - start <= 1) return [];
  const mid = start + naiveSplit(end - start);
  return m < mid - start
    ? [...naivePath(m, start, mid), mth(mid, end)]
    : [...naivePath(m - (mid - start), mid, end), mth(start, mid)];
}
/** SUBPROOF(m, D[start:end], b), m relative to start. */
function naiveSubproof(m: number, start: number, end: number, b: boolean): Buffer[] {
  if (m === end - start) return b ? [] : [mth(start, end)];
  const mid = start + naiveSplit(end - start);
  return m <= mid - start
    ? [...naiveSubproof(m, start, mid, b), mth(mid, end)]
    : [...naiveSubproof(m - (mid - start), mid, end, false), mth(start, mid)];
}

// ---- Fixtures.

const POOL = Array.from({ length: 4097 }, (_, i) => leafHash(Buffer.from(`movement ${i}`, 'utf8')));
const rootOf = (n: number): Buffer => (n === 0 ? EMPTY_ROOT : mth(0, n));
const SMALL_SIZES = Array.from({ length: 80 }, (_, i) => i + 1);
const LARGE_SIZES = [1000, 4097];

/** Deterministic pseudo-random integers in [0, bound) (Park–Miller). */
function prng(seed: number): (bound: number) => number {
  let x = seed;
  return (bound) => {
    x = (x * 48271) % 2147483647;
    return x % bound;
  };
}

function randomSplit(n: number, seed: number): number[] {
  const next = prng(seed);
  const out: number[] = [];
  for (let left = n; left > 0;) {
    const b = Math.min(left, 1 + next(Math.max(1, Math.ceil(n / 3))));
    out.push(b);
    left -= b;
  }
  return out;
}

interface Built {
  frontier: Frontier;
  completed: StoredNode[];
  nodes: Map<string, Buffer>;
  lookup: (ref: NodeRef) => Buffer;
}

function build(leaves: Buffer[], batches: number[] = [leaves.length]): Built {
  expect(batches.reduce((a, b) => a + b, 0)).toBe(leaves.length);
  let frontier: Frontier = EMPTY_FRONTIER;
  const completed: StoredNode[] = [];
  let at = 0;
  for (const b of batches) {
    // The frontier is stored as JSON between batches.
    const r = appendLeaves(JSON.parse(JSON.stringify(frontier)) as Frontier, leaves.slice(at, at + b));
    at += b;
    frontier = r.frontier;
    completed.push(...r.completed);
  }
  const nodes = new Map(completed.map((c) => [keyOf(c), c.hash]));
  const lookup = (ref: NodeRef): Buffer => {
    const h = nodes.get(keyOf(ref));
    if (!h) throw new Error(`node ${keyOf(ref)} not stored`);
    return h;
  };
  return { frontier, completed, nodes, lookup };
}

const popcount = (n: number): number => {
  let c = 0;
  for (let r = n; r > 0; r = Math.floor(r / 2)) c += r % 2;
  return c;
};

/** A copy of `b` with byte `at` changed. */
function flipped(b: Buffer, at = 0): Buffer {
  const c = Buffer.from(b);
  c[at % c.length] ^= 0x10;
  return c;
}
/** Copies of the proof with one element altered, for every element (a different byte each time). */
const alteredProofs = (proof: Buffer[]): Buffer[][] =>
  proof.map((_, i) => proof.map((p, j) => (j === i ? flipped(p, 7 * i + 3) : p)));

describe('Merkle tree (RFC 9162) — known answers', () => {
  it('has the empty root and the published roots of sizes 1..8, however the leaves are appended', () => {
    expect(hex(EMPTY_ROOT)).toBe(REF_EMPTY_ROOT);
    expect(hex(frontierRoot(EMPTY_FRONTIER))).toBe(REF_EMPTY_ROOT);
    for (let n = 1; n <= 8; n++) {
      const leaves = REF_LEAVES.slice(0, n);
      expect(hex(frontierRoot(build(leaves).frontier))).toBe(REF_ROOTS[n]);
      expect(hex(frontierRoot(build(leaves, Array<number>(n).fill(1)).frontier))).toBe(REF_ROOTS[n]);
      expect(hex(naiveRoot(leaves))).toBe(REF_ROOTS[n]);
    }
  });

  it('completes exactly the published nodes and keeps the published frontier of every size', () => {
    const { completed } = build(REF_LEAVES);
    const want = REF_NODES.flatMap((row, level) => row.map((h, index) => `${level}:${index}=${h}`));
    expect(completed.map((c) => `${keyOf(c)}=${hex(c.hash)}`).sort()).toEqual(want.sort());
    for (let n = 0; n <= 8; n++)
      expect(build(REF_LEAVES.slice(0, n)).frontier).toEqual({
        size: n,
        hashes: REF_FRONTIERS[n].map(([level, index]) => REF_NODES[level][index]),
      });
  });

  it('builds the published inclusion proofs, verifies them, and rejects their corruptions', () => {
    const { lookup } = build(REF_LEAVES);
    for (const v of REF_INCLUSION) {
      const leaf = REF_LEAVES[v.index];
      const root = unhex(REF_ROOTS[v.size]);
      const proof = v.proof.map(unhex);
      expect(hexes(inclusionProof(v.index, v.size, lookup))).toEqual(v.proof);
      expect(verifyInclusion(leaf, v.index, v.size, proof, root)).toBe(true);
      // The probes of transparency-dev/merkle's corruptInclusionProof.
      const bad: Array<[number, number, Buffer, Buffer, Buffer[]]> = [
        [v.index - 1, v.size, leaf, root, proof],
        [v.index + 1, v.size, leaf, root, proof],
        [v.index ^ 2, v.size, leaf, root, proof],
        [v.index, v.size * 2, leaf, root, proof],
        [v.index, Math.floor(v.size / 2), leaf, root, proof],
        [v.index, v.size, Buffer.from('WrongLeaf'), root, proof],
        [v.index, v.size, leaf, EMPTY_ROOT, proof],
        [v.index, v.size, leaf, SOME_HASH, proof],
        [v.index, v.size, leaf, root, [...proof, Buffer.alloc(0)]],
        [v.index, v.size, leaf, root, [...proof, root]],
        [v.index, v.size, leaf, root, [Buffer.alloc(0), ...proof]],
        [v.index, v.size, leaf, root, [root, ...proof]],
        ...alteredProofs(proof).map((p): [number, number, Buffer, Buffer, Buffer[]] => [
          v.index,
          v.size,
          leaf,
          root,
          p,
        ]),
      ];
      if (proof.length > 0) bad.push([v.index, v.size, leaf, root, proof.slice(0, -1)]);
      if (proof.length > 1) bad.push([v.index, v.size, leaf, root, [proof[0], SOME_HASH, ...proof.slice(1)]]);
      for (const [i, n, l, r, p] of bad) expect(verifyInclusion(l, i, n, p, r)).toBe(false);
    }
  });

  it('builds the published consistency proofs, verifies them, and rejects their corruptions', () => {
    const { lookup } = build(REF_LEAVES);
    for (const v of REF_CONSISTENCY) {
      const [r1, r2] = [unhex(REF_ROOTS[v.m]), unhex(REF_ROOTS[v.n])];
      const proof = v.proof.map(unhex);
      expect(hexes(consistencyProof(v.m, v.n, lookup))).toEqual(v.proof);
      expect(verifyConsistency(v.m, v.n, r1, r2, proof)).toBe(true);
      if (proof.length === 0) continue;
      // The probes of transparency-dev/merkle's corruptConsistencyProof.
      const wrong = Buffer.from('WrongRoot');
      const bad: Array<[number, number, Buffer, Buffer, Buffer[]]> = [
        [v.m - 1, v.n, r1, r2, proof],
        [v.m + 1, v.n, r1, r2, proof],
        [v.m ^ 2, v.n, r1, r2, proof],
        [v.m, v.n * 2, r1, r2, proof],
        [v.m, Math.floor(v.n / 2), r1, r2, proof],
        [v.m, v.n, wrong, r2, proof],
        [v.m, v.n, r1, wrong, proof],
        [v.m, v.n, r2, r1, proof],
        [v.m, v.n, r1, r2, []],
        [v.m, v.n, r1, r2, [...proof, Buffer.alloc(0)]],
        [v.m, v.n, r1, r2, [...proof, r1]],
        [v.m, v.n, r1, r2, [...proof, r2]],
        [v.m, v.n, r1, r2, [Buffer.alloc(0), ...proof]],
        [v.m, v.n, r1, r2, [r1, ...proof]],
        [v.m, v.n, r1, r2, [r2, ...proof]],
        [v.m, v.n, r1, r2, [proof[0], ...proof]],
        [v.m, v.n, r1, r2, proof.slice(0, -1)],
        ...alteredProofs(proof).map((p): [number, number, Buffer, Buffer, Buffer[]] => [v.m, v.n, r1, r2, p]),
      ];
      for (const [m, n, a, b, p] of bad) expect(verifyConsistency(m, n, a, b, p)).toBe(false);
    }
  });

  it('gives the audit paths and consistency proofs of the RFC 6962 §2.1.3 example (7 leaves)', () => {
    // Nodes of the example: a..f and d6 are leaves 0..6, g = [0,2), h = [2,4), i = [4,6), j = d6, k = [0,4), l = [4,7).
    expect(inclusionRanges(0, 7)).toEqual([
      [1, 2],
      [2, 4],
      [4, 7],
    ]); // [b, h, l]
    expect(inclusionRanges(3, 7)).toEqual([
      [2, 3],
      [0, 2],
      [4, 7],
    ]); // [c, g, l]
    expect(inclusionRanges(4, 7)).toEqual([
      [5, 6],
      [6, 7],
      [0, 4],
    ]); // [f, j, k]
    expect(inclusionRanges(6, 7)).toEqual([
      [4, 6],
      [0, 4],
    ]); // [i, k]
    expect(consistencyRanges(3, 7)).toEqual([
      [2, 3],
      [3, 4],
      [0, 2],
      [4, 7],
    ]); // [c, d, g, l]
    expect(consistencyRanges(4, 7)).toEqual([[4, 7]]); // [l]
    expect(consistencyRanges(6, 7)).toEqual([
      [4, 6],
      [6, 7],
      [0, 4],
    ]); // [i, j, k]
  });

  it('decides the trivial consistency cases as documented', () => {
    const [e, r1, r5, r6] = [EMPTY_ROOT, rootOf(1), rootOf(5), rootOf(6)];
    expect(verifyConsistency(0, 0, e, e, [])).toBe(true);
    expect(verifyConsistency(0, 0, e, r1, [])).toBe(false);
    expect(verifyConsistency(0, 0, e, e, [e])).toBe(false);
    expect(verifyConsistency(0, 5, e, r5, [])).toBe(true);
    expect(verifyConsistency(0, 5, e, SOME_HASH, [])).toBe(true); // The empty tree is a prefix of any tree.
    expect(verifyConsistency(0, 5, r1, r5, [])).toBe(false); // But size 0 has one root only.
    expect(verifyConsistency(0, 5, e, r5, [e])).toBe(false);
    expect(verifyConsistency(5, 5, r5, r5, [])).toBe(true);
    expect(verifyConsistency(5, 5, r5, r6, [])).toBe(false);
    expect(verifyConsistency(5, 5, r5, r5, [e])).toBe(false);
    expect(verifyConsistency(6, 5, r6, r5, [])).toBe(false);
    expect(verifyConsistency(1, 0, r1, e, [])).toBe(false);
    expect(verifyConsistency(5, 6, r5, r6, [])).toBe(false);
    expect(consistencyRanges(0, 5)).toEqual([]);
    expect(consistencyRanges(5, 5)).toEqual([]);
  });
});

describe('Merkle tree (RFC 9162) — properties', () => {
  // Thousands of cases each: they record what went wrong and assert once, with a readable list.
  let problems: string[];
  const check = (ok: boolean, what: string): void => void (ok || problems.push(what));
  beforeEach(() => (problems = []));

  it('gives the same frontier, root and completed nodes however the leaves are batched (sizes 1..80, 1000, 4097)', () => {
    for (const n of [...SMALL_SIZES, ...LARGE_SIZES]) {
      const leaves = POOL.slice(0, n);
      const whole = build(leaves);
      check(frontierRoot(whole.frontier).equals(naiveRoot(leaves)), `root of ${n}`);
      check(
        whole.frontier.hashes.every((h) => /^[0-9a-f]{64}$/.test(h)),
        `frontier of ${n} is lowercase hex`,
      );
      // n leaves and n - popcount(n) interior nodes, each once.
      check(whole.nodes.size === 2 * n - popcount(n), `${whole.nodes.size} nodes for ${n} leaves`);
      check(whole.completed.length === whole.nodes.size, `a node of ${n} completed twice`);
      const listing = whole.completed.map((c) => `${keyOf(c)}=${hex(c.hash)}`).join();
      const batchings = [Array<number>(n).fill(1), randomSplit(n, n), randomSplit(n, 7 * n + 1), randomSplit(n, 99)];
      for (const batches of batchings) {
        const other = build(leaves, batches);
        const what = `${n} leaves in batches ${batches.join('+')}`;
        check(JSON.stringify(other.frontier) === JSON.stringify(whole.frontier), `frontier of ${what}`);
        // Same nodes in the same order: the order depends on the leaves only, not on the batching.
        check(other.completed.map((c) => `${keyOf(c)}=${hex(c.hash)}`).join() === listing, `nodes of ${what}`);
      }
      for (const c of whole.completed) {
        const span = 2 ** c.level;
        check(c.hash.equals(mth(c.index * span, (c.index + 1) * span)), `hash of node ${keyOf(c)} (size ${n})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('proves and verifies every leaf of every size up to 80 (and samples of 1000 and 4097), and nothing altered', () => {
    let proved = 0;
    for (const n of [...SMALL_SIZES, ...LARGE_SIZES]) {
      const leaves = POOL.slice(0, n);
      const { lookup } = build(leaves);
      const root = rootOf(n);
      const indexes =
        n <= 80
          ? leaves.map((_, i) => i)
          : [0, 1, 2, 511, 512, 513, n - 2, n - 1, ...Array.from({ length: 8 }, prngIndexes(n))];
      for (const i of indexes) {
        const what = `leaf ${i} of ${n}`;
        const proof = inclusionProof(i, n, lookup);
        check(hexes(proof).join() === hexes(naivePath(i, 0, n)).join(), `${what}: proof differs from PATH`);
        check(proof.length <= Math.ceil(Math.log2(n)), `${what}: ${proof.length} hashes`);
        if (Number.isInteger(Math.log2(n))) check(proof.length === Math.log2(n), `${what}: ${proof.length} hashes`);
        check(verifyInclusion(leaves[i], i, n, proof, root), `${what}: does not verify`);
        proved++;

        const bad = (ok: boolean, how: string): void => check(!ok, `${what}: verifies with ${how}`);
        alteredProofs(proof).forEach((p, k) => bad(verifyInclusion(leaves[i], i, n, p, root), `proof[${k}] altered`));
        for (const j of [i - 1, i + 1, n - 1 - i].filter((j) => j !== i && j >= 0 && j < n))
          bad(verifyInclusion(leaves[i], j, n, proof, root), `index ${j}`);
        // A wrong size, even against the true root of that size.
        for (const s of [n - 1, n + 1, 2 * n].filter((s) => s > i && s <= POOL.length))
          bad(verifyInclusion(leaves[i], i, s, proof, rootOf(s)), `size ${s} and its root`);
        bad(verifyInclusion(leaves[i], i, n, proof, flipped(root)), 'an altered root');
        bad(verifyInclusion(leaves[i], i, n, proof, EMPTY_ROOT), 'the empty root');
        if (n > 1) bad(verifyInclusion(leaves[(i + 1) % n], i, n, proof, root), 'another leaf');
        bad(verifyInclusion(leaves[i], i, n, [...proof, SOME_HASH], root), 'a hash appended');
        if (proof.length > 0) bad(verifyInclusion(leaves[i], i, n, proof.slice(1), root), 'its first hash removed');
      }
    }
    expect(problems).toEqual([]);
    expect(proved).toBe(3240 + 32);
  });

  it('proves and verifies consistency for every 0 ≤ m ≤ n ≤ 80 (and samples of 1000 and 4097), and nothing altered', () => {
    const { lookup } = build(POOL);
    const cases: Array<[number, number]> = [];
    for (const n of SMALL_SIZES) for (let m = 0; m <= n; m++) cases.push([m, n]);
    for (const n of LARGE_SIZES) for (const m of [1, 2, 3, 255, 256, 257, 999, n - 1, n]) cases.push([m, n]);
    for (const [m, n] of cases) {
      const what = `${m} → ${n}`;
      const [rm, rn] = [rootOf(m), rootOf(n)];
      const proof = consistencyProof(m, n, lookup);
      if (m > 0)
        check(hexes(proof).join() === hexes(naiveSubproof(m, 0, n, true)).join(), `${what}: proof differs from PROOF`);
      check(proof.length <= Math.ceil(Math.log2(n)) + 1, `${what}: ${proof.length} hashes`);
      check(verifyConsistency(m, n, rm, rn, proof), `${what}: does not verify`);
      if (m === 0 || m === n) {
        check(proof.length === 0, `${what}: proof not empty`);
        continue;
      }
      const bad = (ok: boolean, how: string): void => check(!ok, `${what}: verifies with ${how}`);
      alteredProofs(proof).forEach((p, k) => bad(verifyConsistency(m, n, rm, rn, p), `proof[${k}] altered`));
      bad(verifyConsistency(m, n, flipped(rm), rn, proof), 'an altered first root');
      bad(verifyConsistency(m, n, rm, flipped(rn), proof), 'an altered second root');
      bad(verifyConsistency(m, n, rn, rm, proof), 'the roots swapped');
      bad(verifyConsistency(m, n, rm, rn, []), 'an empty proof');
      bad(verifyConsistency(m, n, rm, rn, proof.slice(0, -1)), 'its last hash removed');
      bad(verifyConsistency(m, n, rm, rn, [...proof, rn]), 'a hash appended');
      bad(verifyConsistency(m, n, rm, rn, [proof[0], ...proof]), 'a hash prepended');
      // Wrong sizes, even against the true roots of those sizes.
      for (const [a, b] of [
        [m - 1, n],
        [m + 1, n],
        [m, n - 1],
        [m, n + 1],
        [m, 2 * n],
      ])
        if (a > 0 && a <= b && (a !== m || b !== n) && b <= POOL.length)
          bad(verifyConsistency(a, b, rootOf(a), rootOf(b), proof), `sizes ${a} → ${b} and their roots`);
      if (n <= 80) {
        // A tree of size n that rewrote one of the first m leaves is not an extension of the tree of size m.
        const forked = POOL.slice(0, n);
        forked[m - 1] = flipped(forked[m - 1]);
        bad(verifyConsistency(m, n, rm, naiveRoot(forked), proof), `leaf ${m - 1} rewritten`);
      }
    }
    expect(problems).toEqual([]);
    expect(cases.length).toBe(3320 + 18);
  });

  it('computes MTH(D[start:end]) from stored nodes for the ranges proofs use, every prefix and every range (n ≤ 40)', () => {
    for (const n of [...SMALL_SIZES.slice(0, 40), 80, 1000]) {
      const { lookup, nodes } = build(POOL.slice(0, n));
      const ranges: Array<[number, number]> = [];
      for (let i = 0; i < n; i++) ranges.push(...inclusionRanges(i, n));
      for (let m = 0; m <= n; m++) ranges.push(...consistencyRanges(m, n));
      for (let end = 1; end <= n; end++) ranges.push([0, end]);
      if (n <= 40)
        for (let start = 0; start < n; start++) for (let end = start + 1; end <= n; end++) ranges.push([start, end]);
      const distinct = new Map(ranges.map((r) => [`${r[0]}:${r[1]}`, r]));
      for (const [start, end] of distinct.values()) {
        const what = `[${start}, ${end}) of ${n}`;
        check(rangeHash(start, end, lookup).equals(mth(start, end)), `${what}: hash`);
        // The nodes: aligned perfect subtrees, stored, left to right, covering exactly [start, end).
        let at = start;
        for (const r of rangeNodes(start, end)) {
          const span = 2 ** r.level;
          check(r.index * span === at && nodes.has(keyOf(r)), `${what}: node ${keyOf(r)}`);
          at += span;
        }
        check(at === end, `${what}: nodes end at ${at}`);
      }
      // nodesFor: the union of the ranges' nodes, each once.
      const keys = nodesFor(ranges).map(keyOf);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.sort()).toEqual([...new Set(ranges.flatMap(([s, e]) => rangeNodes(s, e).map(keyOf)))].sort());
    }
    expect(problems).toEqual([]);
  });

  it('handles sizes beyond 2^32 with the same arithmetic (a tree whose leaves are all equal)', () => {
    // Every node of level l of such a tree has the same hash, so any size can be proved and verified.
    const levels = [leafHash(Buffer.from('same'))];
    for (let l = 1; l <= 53; l++) levels.push(nodeHash(levels[l - 1], levels[l - 1]));
    const lookup = (ref: NodeRef): Buffer => levels[ref.level];
    const big = [2 ** 32 + 3, 2 ** 33 + 7, 2 ** 40, 3 * 2 ** 40 + 1, Number.MAX_SAFE_INTEGER];
    for (const n of big) {
      const root = rangeHash(0, n, lookup);
      for (const i of [0, 1, 2 ** 31, 2 ** 32 + 1, n - 2, n - 1]) {
        const ranges = inclusionRanges(i, n);
        // With the leaf itself, the audit path's ranges partition [0, n).
        const parts = [[i, i + 1], ...ranges].sort((a, b) => a[0] - b[0]);
        parts.forEach(([s], k) => expect(s).toBe(k === 0 ? 0 : parts[k - 1][1]));
        expect(parts[parts.length - 1][1]).toBe(n);
        const proof = inclusionProof(i, n, lookup);
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)));
        expect(verifyInclusion(levels[0], i, n, proof, root)).toBe(true);
        expect(verifyInclusion(levels[0], i, n, proof.slice(1), root)).toBe(false);
      }
      for (const m of [1, 3, 2 ** 31 + 1, 2 ** 32, n - 1]) {
        const proof = consistencyProof(m, n, lookup);
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)) + 1);
        expect(verifyConsistency(m, n, rangeHash(0, m, lookup), root, proof)).toBe(true);
        expect(verifyConsistency(m, n, rangeHash(0, m, lookup), root, proof.slice(0, -1))).toBe(false);
      }
    }
  });
});

describe('Merkle tree (RFC 9162) — malformed input', () => {
  it('refuses a frontier that is not one of its size, and leaves that are not hashes', () => {
    const good = build(POOL.slice(0, 3)).frontier;
    expect(() => appendLeaves({ size: 3, hashes: [] }, [])).toThrow(/frontier/);
    expect(() => appendLeaves({ size: 2, hashes: good.hashes }, [])).toThrow(/frontier/);
    expect(() => appendLeaves({ size: -1, hashes: [] }, [])).toThrow(/frontier/);
    expect(() => appendLeaves({ size: 1.5, hashes: [] }, [])).toThrow(/frontier/);
    expect(() => appendLeaves({ size: 3, hashes: [good.hashes[0].toUpperCase(), good.hashes[1]] }, [])).toThrow(
      /frontier/,
    );
    expect(() => appendLeaves({ size: 3, hashes: [good.hashes[0].slice(2), good.hashes[1]] }, [])).toThrow(/frontier/);
    expect(() => frontierRoot({ size: 1, hashes: [] })).toThrow(/frontier/);
    expect(() => appendLeaves(good, [Buffer.alloc(31)])).toThrow(/Leaf 3/);
    // The input frontier is left as it was.
    const copy = JSON.parse(JSON.stringify(good)) as Frontier;
    appendLeaves(good, POOL.slice(3, 9));
    expect(good).toEqual(copy);
  });

  it('says which node is missing, and refuses ranges and proofs that do not exist', () => {
    const { nodes } = build(POOL.slice(0, 8));
    nodes.delete('1:2');
    const lookup = (ref: NodeRef): Buffer => nodes.get(keyOf(ref)) as Buffer;
    expect(() => rangeHash(0, 8, lookup)).not.toThrow(); // Uses 3:0 only.
    expect(() => inclusionProof(0, 7, lookup)).toThrow(/node 1:2 is missing/);
    expect(() => rangeHash(3, 3, lookup)).toThrow(/range/);
    expect(() => rangeNodes(-1, 2)).toThrow(/range/);
    expect(() => inclusionRanges(5, 5)).toThrow(/leaf 5/);
    expect(() => inclusionRanges(0, 0)).toThrow(/leaf 0/);
    expect(() => consistencyRanges(6, 5)).toThrow(/from 6 to 5/);
  });

  it('never throws while verifying garbage', () => {
    const leaf = POOL[0];
    const junk = [null, undefined, 'x', 1, {}, new Uint8Array(32)] as unknown as Buffer[];
    for (const j of junk) {
      expect(verifyInclusion(j, 0, 1, [], leaf)).toBe(false);
      expect(verifyInclusion(leaf, 0, 1, [], j)).toBe(false);
      expect(verifyInclusion(leaf, 0, 2, [j], leaf)).toBe(false);
      expect(verifyInclusion(leaf, 0, 2, j as unknown as Buffer[], leaf)).toBe(false);
      expect(verifyConsistency(1, 2, j, leaf, [leaf])).toBe(false);
      expect(verifyConsistency(1, 2, leaf, j, [leaf])).toBe(false);
      expect(verifyConsistency(1, 2, leaf, leaf, [j])).toBe(false);
      expect(verifyConsistency(1, 2, leaf, leaf, j as unknown as Buffer[])).toBe(false);
    }
    for (const bad of [NaN, Infinity, -1, 0.5, 2 ** 53, '1' as unknown as number]) {
      expect(verifyInclusion(leaf, bad, 1, [], leaf)).toBe(false);
      expect(verifyInclusion(leaf, 0, bad, [], leaf)).toBe(false);
      expect(verifyConsistency(bad, 1, leaf, leaf, [])).toBe(false);
      expect(verifyConsistency(1, bad, leaf, leaf, [])).toBe(false);
    }
  });
});

function prngIndexes(n: number): () => number {
  const next = prng(n);
  return () => next(n);
}
