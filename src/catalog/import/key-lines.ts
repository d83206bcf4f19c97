/**
 * The keys (CURP, CCT) a catalog file brings, each with the line where it first appears: what the import needs to
 * reject a repeated key and, once the whole file was read, to tell which active rows it does not bring. A national
 * export has 2,000,000 CURPs; as a Map of strings that is ≈ 150 MB of heap, here ≈ 16 bytes a key: a key of up to 18
 * characters of [0-9A-Z] is packed into three 32-bit words (six base-37 digits each, 37⁶ < 2³²) in an open-addressing
 * table (linear probing, grown ×1.5 at 75 % load). Any other key (a rejected row's odd CURP) goes to a plain Map.
 */
export class KeyLines {
  /** Four words a slot: the packed key (three words) and line + 1 (0 = empty). */
  private slots: Uint32Array;
  private capacity: number;
  private packedCount = 0;
  private readonly other = new Map<string, number>();
  private readonly scratch = new Uint32Array(3);

  constructor(initialCapacity = 1 << 14) {
    this.capacity = initialCapacity;
    this.slots = new Uint32Array(initialCapacity * 4);
  }

  get size(): number {
    return this.packedCount + this.other.size;
  }

  /** Memory held by the table (the packed part). */
  get bytes(): number {
    return this.slots.byteLength;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Line where the key was first set, if it was. */
  get(key: string): number | undefined {
    if (!this.pack(key)) return this.other.get(key);
    const i = this.find(this.slots, this.capacity);
    const line = this.slots[i * 4 + 3];
    return line === 0 ? undefined : line - 1;
  }

  /** Records the key at this line unless it is already there; returns the line it was first seen at. */
  add(key: string, line: number): number {
    if (!this.pack(key)) {
      const first = this.other.get(key);
      if (first !== undefined) return first;
      this.other.set(key, line);
      return line;
    }
    let i = this.find(this.slots, this.capacity);
    if (this.slots[i * 4 + 3] !== 0) return this.slots[i * 4 + 3] - 1;
    if ((this.packedCount + 1) * 4 > this.capacity * 3) {
      this.grow();
      i = this.find(this.slots, this.capacity);
    }
    this.slots.set(this.scratch, i * 4);
    this.slots[i * 4 + 3] = line + 1;
    this.packedCount++;
    return line;
  }

  /** Packs the key into scratch; false when it is not up to 18 characters of [0-9A-Z]. */
  private pack(key: string): boolean {
    if (key.length > 18 || key.length === 0) return false;
    for (let w = 0; w < 3; w++) {
      let v = 0;
      for (let j = w * 6; j < w * 6 + 6; j++) {
        let d = 0;
        if (j < key.length) {
          const c = key.charCodeAt(j);
          if (c >= 48 && c <= 57) d = c - 47;
          else if (c >= 65 && c <= 90) d = c - 54;
          else return false;
        }
        v = v * 37 + d;
      }
      this.scratch[w] = v;
    }
    return true;
  }

  /** Slot of the scratch key in `slots`: where it is, or the empty slot where it would go. */
  private find(slots: Uint32Array, capacity: number): number {
    const [a, b, c] = this.scratch;
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ (a >>> 15), 0x85ebca6b) ^ Math.imul(c ^ (b >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    let i = (h >>> 0) % capacity;
    for (;;) {
      const o = i * 4;
      if (slots[o + 3] === 0 || (slots[o] === a && slots[o + 1] === b && slots[o + 2] === c)) return i;
      i = i + 1 === capacity ? 0 : i + 1;
    }
  }

  private grow(): void {
    const old = this.slots;
    const oldCapacity = this.capacity;
    this.capacity = Math.ceil(oldCapacity * 1.5);
    this.slots = new Uint32Array(this.capacity * 4);
    const saved = Uint32Array.from(this.scratch);
    for (let s = 0; s < oldCapacity; s++) {
      const o = s * 4;
      if (old[o + 3] === 0) continue;
      this.scratch.set(old.subarray(o, o + 3));
      this.slots.set(old.subarray(o, o + 4), this.find(this.slots, this.capacity) * 4);
    }
    this.scratch.set(saved);
  }
}
