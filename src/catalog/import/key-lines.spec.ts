import { KeyLines } from './key-lines';

describe('KeyLines', () => {
  it('keeps the first line of each key through growth, packed keys and odd ones alike', () => {
    const keys = new KeyLines(8);
    const reference = new Map<string, number>();
    const key = (i: number): string => `K${i.toString(36).toUpperCase().padStart(9, '0')}X${i % 7}`;
    for (let i = 0; i < 50_000; i++) {
      const k = i % 10 === 9 ? key(i - 5) : key(i); // every tenth a repeat
      expect(keys.add(k, i + 2)).toBe(reference.get(k) ?? i + 2);
      if (!reference.has(k)) reference.set(k, i + 2);
    }
    for (const odd of ['', 'ÑAÑA', 'x', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'A B']) {
      expect(keys.has(odd)).toBe(false);
      expect(keys.add(odd, 7)).toBe(7);
      expect(keys.add(odd, 9)).toBe(7);
      reference.set(odd, 7);
    }
    expect(keys.size).toBe(reference.size);
    for (const [k, line] of reference) expect(keys.get(k)).toBe(line);
    // Prefixes, padding and neighbours are different keys.
    expect(keys.has('K')).toBe(false);
    expect(keys.has(key(3).slice(0, -1))).toBe(false);
    expect(keys.has(key(3) + '0')).toBe(false);
    expect(keys.get('00')).toBeUndefined();
    expect(keys.add('0', 3)).toBe(3);
    expect(keys.get('00')).toBeUndefined();
  });

  it('holds 200,000 CURP-sized keys in about 16 bytes each', () => {
    const keys = new KeyLines();
    for (let i = 0; i < 200_000; i++) keys.add(`AAAA${String(i).padStart(6, '0')}HCMRRR0${i % 10}`, i + 2);
    expect(keys.size).toBe(200_000);
    expect(keys.bytes / keys.size).toBeLessThan(32);
    expect(keys.get('AAAA000123HCMRRR03')).toBe(125);
  });
});
