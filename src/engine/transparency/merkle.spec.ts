import { createHash } from 'node:crypto';
import {
  appendLeaves,
  consistencyProof,
  consistencyRanges,
  EMPTY_FRONTIER,
  EMPTY_ROOT,
  frontierRoot,
  inclusionProof,
  leafHash,
  type NodeRef,
  nodeHash,
  nodesFor,
  rangeHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

const hex = (b: Buffer): string => b.toString('hex');
const unhex = (h: string): Buffer => Buffer.from(h, 'hex');

// The RFC 6962 reference leaves and roots used by certificate-transparency, Trillian and transparency-dev/merkle
// (e.g. the `testonly` reference data of transparency-dev/merkle); found quoted identically in several public test suites.
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => leafHash(unhex(h)));
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// Published inclusion paths in the 8-leaf reference tree (leaf index 0 and 5).
const CT_INCLUSION: { index: number; proof: string[] }[] = [
  {
    index: 0,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

/** RFC 9162 MTH, recursively and with nothing shared with the code under test but the two hash functions. */
function naiveRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(naiveRoot(leaves.slice(0, k)), naiveRoot(leaves.slice(k)));
}

const leavesOf = (n: number): Buffer[] =>
  Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`movimiento ${i}`, 'utf8')));

function built(leaves: Buffer[], batches: number[] = [leaves.length]) {
  let frontier = EMPTY_FRONTIER;
  const nodes = new Map<string, Buffer>();
  let at = 0;
  for (const b of batches) {
    const r = appendLeaves(frontier, leaves.slice(at, at + b));
    at += b;
    frontier = r.frontier;
    for (const n of r.completed) nodes.set(`${n.level}:${n.index}`, n.hash);
  }
  const lookup = (ref: NodeRef): Buffer => {
    const h = nodes.get(`${ref.level}:${ref.index}`);
    if (!h) throw new Error(`falta ${ref.level}:${ref.index}`);
    return h;
  };
  return { frontier, nodes, lookup };
}

const flip = (b: Buffer): Buffer => {
  const c = Buffer.from(b);
  c[c.length - 1] ^= 1;
  return c;
};

describe('Merkle tree (RFC 9162)', () => {
  it('gives the published roots of the RFC 6962 reference tree, and SHA-256("") for the empty tree', () => {
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(frontierRoot(EMPTY_FRONTIER))).toBe(hex(EMPTY_ROOT));
    for (let n = 1; n <= 8; n++) expect(hex(frontierRoot(built(CT_LEAVES.slice(0, n)).frontier))).toBe(CT_ROOTS[n - 1]);
  });

  it('builds the published inclusion paths, and they verify', () => {
    const { lookup } = built(CT_LEAVES);
    for (const v of CT_INCLUSION) {
      expect(inclusionProof(v.index, 8, lookup).map(hex)).toEqual(v.proof);
      expect(verifyInclusion(CT_LEAVES[v.index], v.index, 8, v.proof.map(unhex), unhex(CT_ROOTS[7]))).toBe(true);
    }
  });

  it('reaches the same frontier and stores the same nodes however the leaves are batched', () => {
    for (const n of [1, 2, 3, 7, 8, 9, 31, 64, 100]) {
      const leaves = leavesOf(n);
      const whole = built(leaves);
      const one = built(
        leaves,
        Array.from({ length: n }, () => 1),
      );
      const split: number[] = [];
      for (let left = n, s = 1; left > 0; s = (s * 7 + 3) % 11 || 1) {
        split.push(Math.min(left, s));
        left -= Math.min(left, s);
      }
      const uneven = built(leaves, split);
      expect(hex(frontierRoot(whole.frontier))).toBe(hex(naiveRoot(leaves)));
      for (const other of [one, uneven]) {
        expect(other.frontier).toEqual(whole.frontier);
        expect([...other.nodes.keys()].sort()).toEqual([...whole.nodes.keys()].sort());
      }
      // Every complete node: n leaves + (n - popcount(n)) interior nodes.
      expect(whole.nodes.size).toBe(2 * n - whole.frontier.hashes.length);
    }
  });

  it('every inclusion proof of every size up to 80 verifies, and no altered one does', () => {
    for (let n = 1; n <= 80; n++) {
      const leaves = leavesOf(n);
      const { lookup } = built(leaves);
      const root = naiveRoot(leaves);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, n, lookup);
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)));
        expect(verifyInclusion(leaves[i], i, n, proof, root)).toBe(true);
        if (n > 1) {
          expect(verifyInclusion(leaves[i], (i + 1) % n, n, proof, root)).toBe(false);
          expect(verifyInclusion(leaves[i], i, n, proof, flip(root))).toBe(false);
          expect(verifyInclusion(flip(leaves[i]), i, n, proof, root)).toBe(false);
          expect(
            verifyInclusion(
              leaves[i],
              i,
              n,
              proof.map((p, k) => (k === proof.length - 1 ? flip(p) : p)),
              root,
            ),
          ).toBe(false);
        }
      }
    }
  });

  it('every consistency proof between sizes up to 40 verifies, and no altered one does', () => {
    const all = leavesOf(40);
    const { lookup } = built(all);
    const roots = [EMPTY_ROOT, ...all.map((_, i) => naiveRoot(all.slice(0, i + 1)))];
    for (let n = 1; n <= 40; n++)
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(m, n, lookup);
        expect(verifyConsistency(m, n, roots[m], roots[n], proof)).toBe(true);
        if (m > 0 && m < n) {
          expect(verifyConsistency(m, n, flip(roots[m]), roots[n], proof)).toBe(false);
          expect(verifyConsistency(m, n, roots[m], flip(roots[n]), proof)).toBe(false);
          expect(
            verifyConsistency(m, n, roots[m], roots[n], [...proof.slice(0, -1), flip(proof[proof.length - 1])]),
          ).toBe(false);
          // A tree that is not an extension (its first m leaves differ) cannot be proved consistent.
          const forked = [...all.slice(0, n)];
          forked[m - 1] = flip(forked[m - 1]);
          expect(verifyConsistency(m, n, roots[m], naiveRoot(forked), proof)).toBe(false);
        }
      }
    expect(verifyConsistency(5, 5, roots[5], roots[5], [])).toBe(true);
    expect(verifyConsistency(5, 5, roots[5], roots[6], [])).toBe(false);
    expect(verifyConsistency(6, 5, roots[6], roots[5], [])).toBe(false);
  });

  it('computes every range a proof needs from the stored nodes only, and asks for each node once', () => {
    for (const n of [13, 64, 1000, 4097]) {
      const leaves = leavesOf(n);
      const { lookup } = built(leaves);
      expect(hex(rangeHash(0, n, lookup))).toBe(hex(naiveRoot(leaves)));
      const ranges = consistencyRanges(Math.floor(n / 3), n);
      const refs = nodesFor(ranges);
      expect(new Set(refs.map((r) => `${r.level}:${r.index}`)).size).toBe(refs.length);
      for (const [s, e] of ranges) expect(hex(rangeHash(s, e, lookup))).toBe(hex(naiveRoot(leaves.slice(s, e))));
    }
  });

  it('refuses a malformed frontier and never throws while verifying garbage', () => {
    expect(() => appendLeaves({ size: 3, hashes: [] }, [])).toThrow(/Frontera inválida/);
    const leaf = leavesOf(1)[0];
    expect(verifyInclusion(leaf, -1, 4, [], leaf)).toBe(false);
    expect(verifyInclusion(leaf, 0, 2, [Buffer.alloc(3)], leaf)).toBe(false);
    expect(verifyConsistency(2, 4, leaf, leaf, [Buffer.from('no')])).toBe(false);
  });
});
