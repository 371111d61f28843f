/**
 * The default embedder: no network and no model. Feature hashing of character n-grams (1–3) and jieba
 * words into a fixed number of signed buckets, sublinear term weights, L2-normalised. Character n-grams
 * catch paraphrase and typos that share characters (补贴/补助 share 补, 规上/规模以上 share 规); words add
 * the precision of whole terms. Parameters were chosen on the dev set; see docs/embeddings.md.
 */
import crypto from 'node:crypto';
import type { Embedder } from '../types.ts';
import { amountToken, normalizeAmounts } from '../text/index.ts';
import { normalizeForSearch } from '../text/index.ts';

export interface LocalEmbedderOptions {
  dimensions?: number;
  /** Weights of character uni-, bi- and tri-grams. */
  ngramWeights?: [number, number, number];
  wordWeight?: number;
  /** Word segmentation (the pack's tokenizer); without it only n-grams are used. */
  words?: (text: string) => string[];
  /**
   * Inverse document frequencies fitted on the corpus (see fitIdf): common n-grams such as 数字化 or
   * 中小企业 then weigh little and the rare ones that identify a clause weigh much. `id` names the fit.
   */
  idf?: IdfWeights;
}

export const LOCAL_EMBEDDER_DEFAULTS = { dimensions: 512, ngramWeights: [0.3, 1, 0.7] as [number, number, number], wordWeight: 1 };

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
// A second, independent hash (other offset and multiplier): with the first it keys a feature in 53 bits.
const ALT_OFFSET = 0x9747b28c;
const ALT_PRIME = 0x5bd1e995;
const ALT_BITS = 2 ** 21;

/** Hash state after also reading the UTF-16 code units of `s` (FNV-1a, or the alternate hash). */
function step(h: number, s: string, prime: number): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), prime);
  return h;
}

/** Final avalanche so neighbouring strings spread over the buckets. */
function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * A feature's key: its bucket hash (FNV-1a of the feature string, as the vectors have always used) in
 * the high bits and 21 bits of the alternate hash below, so features are told apart without building
 * their strings; two of a corpus's ~10⁶ features share a key with probability ~10⁻⁴, and then only
 * their idf is merged.
 */
const featureKey = (bucket: number, alt21: number) => bucket * ALT_BITS + alt21;

const DROP = /[^\p{L}\p{N}]/gu;
const PREFIX = ['1|', '2|', '3|', 'w|'].map((p) => [step(FNV_OFFSET, p, FNV_PRIME), step(ALT_OFFSET, p, ALT_PRIME)] as const);

/**
 * An open-addressing table from feature (bucket hash, 21 alternate bits) to a number, entries kept in
 * insertion order. Feature counting, the corpus's document frequencies and the idf lookup all went
 * through Maps keyed by 53-bit floats (a heap number and an entry object per feature): two thirds of the
 * embedder's time. Iteration order is the Maps' (first insertion), so the sums — and the vectors — are
 * bit-identical.
 */
export class FeatureTable {
  private slots!: Int32Array;
  private mask!: number;
  /** Entries, in insertion order. */
  buckets!: Uint32Array;
  alts!: Int32Array;
  values!: Float64Array;
  counts!: Int32Array;
  size = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.allocate(cap);
  }

  /** Fresh arrays of `slots` slots (half as many entries, so probes stay short); entries are dropped. */
  private allocate(slots: number): void {
    this.slots = new Int32Array(slots);
    this.mask = slots - 1;
    this.buckets = new Uint32Array(slots >> 1);
    this.alts = new Int32Array(slots >> 1);
    this.values = new Float64Array(slots >> 1);
    this.counts = new Int32Array(slots >> 1);
  }

  private static slotOf(bucket: number, alt: number, mask: number): number {
    return (Math.imul(bucket ^ alt, 0x9e3779b1) >>> 7) & mask;
  }

  /** The entry index of a feature, or -1. */
  find(bucket: number, alt: number): number {
    for (let s = FeatureTable.slotOf(bucket, alt, this.mask); ; s = (s + 1) & this.mask) {
      const e = this.slots[s]! - 1;
      if (e < 0) return -1;
      if (this.buckets[e] === bucket && this.alts[e] === alt) return e;
    }
  }

  /** Counts one occurrence; a new feature keeps `value` (the first occurrence's). Returns the entry. */
  add(bucket: number, alt: number, value: number): number {
    let s = FeatureTable.slotOf(bucket, alt, this.mask);
    for (; ; s = (s + 1) & this.mask) {
      const e = this.slots[s]! - 1;
      if (e < 0) break;
      if (this.buckets[e] === bucket && this.alts[e] === alt) {
        this.counts[e]!++;
        return e;
      }
    }
    if (this.size >= this.buckets.length) {
      this.grow();
      return this.add(bucket, alt, value);
    }
    const e = this.size++;
    this.slots[s] = e + 1;
    this.buckets[e] = bucket;
    this.alts[e] = alt;
    this.values[e] = value;
    this.counts[e] = 1;
    return e;
  }

  key(e: number): number {
    return featureKey(this.buckets[e]!, this.alts[e]!);
  }

  /** Empties the table, keeping its memory (one table serves every text of a corpus). */
  clear(): void {
    for (let e = 0; e < this.size; e++) {
      let s = FeatureTable.slotOf(this.buckets[e]!, this.alts[e]!, this.mask);
      while (this.slots[s] !== e + 1) s = (s + 1) & this.mask;
      this.slots[s] = 0;
    }
    this.size = 0;
  }

  private grow(): void {
    const old = { buckets: this.buckets, alts: this.alts, values: this.values, counts: this.counts, size: this.size };
    this.allocate(this.slots.length * 2);
    this.buckets.set(old.buckets.subarray(0, old.size));
    this.alts.set(old.alts.subarray(0, old.size));
    this.values.set(old.values.subarray(0, old.size));
    this.counts.set(old.counts.subarray(0, old.size));
    for (let e = 0; e < old.size; e++) {
      let s = FeatureTable.slotOf(this.buckets[e]!, this.alts[e]!, this.mask);
      while (this.slots[s] !== 0) s = (s + 1) & this.mask;
      this.slots[s] = e + 1;
    }
  }
}

/** Fitted idf weights by feature, with the id that names the fit (see fitIdf). */
export interface IdfWeights {
  id: string;
  table: FeatureTable;
}

export class LocalEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  /**
   * A sparser, cheaper graph than pgvector's default (16, 64): on 10k chunks the dev set's hit@1/hit@5
   * were the same (0.701/0.866 against 0.701/0.862; exact scan 0.716/0.870) — the lexical ranker leads and
   * these vectors re-order ties — while the build took 6.6 s instead of 21.8 and a query 1.8 ms instead
   * of 3.0 (docs/benchmarks.md).
   */
  readonly hnsw = { m: 8, efConstruction: 32 };
  private readonly ngramWeights: [number, number, number];
  private readonly wordWeight: number;
  private readonly words?: (text: string) => string[];

  constructor(options: LocalEmbedderOptions = {}) {
    this.dimensions = options.dimensions ?? LOCAL_EMBEDDER_DEFAULTS.dimensions;
    this.ngramWeights = options.ngramWeights ?? LOCAL_EMBEDDER_DEFAULTS.ngramWeights;
    this.wordWeight = options.words ? (options.wordWeight ?? LOCAL_EMBEDDER_DEFAULTS.wordWeight) : 0;
    this.words = options.words;
    const w = this.ngramWeights.join('-');
    this.idf = options.idf;
    this.id = `local-hash:v1:d${this.dimensions}:n${w}:w${this.wordWeight}` + (this.idf ? `:idf${this.idf.id}` : '');
  }

  private readonly idf?: IdfWeights;
  /** Reused for every text (embedOne is synchronous, so one per embedder suffices). */
  private readonly scratch = new FeatureTable();
  /** Character boundaries of the text being read, reused likewise. */
  private starts = new Int32Array(1024);

  /**
   * Adds the weighted features of a text to `into` (character n-grams, words and amount tokens), hashed
   * as they are read, never built as strings. Features, buckets and signs are those of the strings
   * "1|补", "2|补助", "w|补助" … as they have always been.
   */
  collectFeatures(text: string, into: FeatureTable): void {
    const norm = normalizeForSearch(text);
    const kept = norm.replace(DROP, '');
    const units = kept.length;
    if (this.starts.length < units + 1) this.starts = new Int32Array(2 * units + 2);
    const starts = this.starts;
    // Code points, as Array.from(string) splits them (a surrogate pair is one character).
    let len = 0;
    for (let i = 0; i < units; ) {
      starts[len++] = i;
      const c = kept.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff && i + 1 < units && (kept.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    }
    starts[len] = units;
    const weights = this.ngramWeights;
    for (let n = 1; n <= 3; n++) {
      const w = weights[n - 1]!;
      if (!w) continue;
      const [h0, a0] = PREFIX[n - 1]!;
      for (let i = 0; i + n <= len; i++) {
        let h = h0;
        let a = a0;
        for (let u = starts[i]!, end = starts[i + n]!; u < end; u++) {
          const c = kept.charCodeAt(u);
          h = Math.imul(h ^ c, FNV_PRIME);
          a = Math.imul(a ^ c, ALT_PRIME);
        }
        into.add(avalanche(h), (a >>> 0) & (ALT_BITS - 1), w);
      }
    }
    const [hw, aw] = PREFIX[3]!;
    const word = (x: string, w: number) => into.add(avalanche(step(hw, x, FNV_PRIME)), (step(aw, x, ALT_PRIME) >>> 0) & (ALT_BITS - 1), w);
    if (this.words && this.wordWeight) for (const x of this.words(norm)) if (x.length > 1) word(x, this.wordWeight);
    for (const a of normalizeAmounts(norm)) word(amountToken(a.value), this.wordWeight || 1);
  }

  /** Weighted features of a text by key, in the order first read (for inspection and tests). */
  features(text: string): Map<number, { w: number; n: number }> {
    const t = new FeatureTable();
    this.collectFeatures(text, t);
    const out = new Map<number, { w: number; n: number }>();
    for (let e = 0; e < t.size; e++) out.set(t.key(e), { w: t.values[e]!, n: t.counts[e]! });
    return out;
  }

  embedOne(text: string): number[] {
    const f = this.scratch;
    f.clear();
    this.collectFeatures(text, f);
    const v = new Float64Array(this.dimensions);
    const idf = this.idf?.table;
    for (let e = 0; e < f.size; e++) {
      const h = f.buckets[e]!;
      let g = 1;
      if (idf) {
        const k = idf.find(h, f.alts[e]!);
        // A feature the corpus never has can only match by hash collision: weight 0 leaves it out.
        g = k < 0 ? 0 : idf.values[k]!;
      }
      if (g === 0) continue;
      v[h % this.dimensions] += (h & 0x80000000 ? -g : g) * f.values[e]! * (1 + Math.log(f.counts[e]!)); // sublinear: a term repeated ten times is not ten times as important
    }
    let norm2 = 0;
    for (const x of v) norm2 += x * x;
    const inv = norm2 > 0 ? 1 / Math.sqrt(norm2) : 0;
    return Array.from(v, (x) => Math.round(x * inv * 1e6) / 1e6);
  }

  async embed(texts: string[]): Promise<number[][]> {
    return texts.map((t) => this.embedOne(t));
  }
}

/** Fits smoothed idf weights of the embedder's features on a corpus (one text per chunk). */
export function fitIdf(embedder: LocalEmbedder, texts: string[]): IdfWeights {
  const table = new FeatureTable(1 << 16);
  const f = new FeatureTable();
  for (const t of texts) {
    f.clear();
    embedder.collectFeatures(t, f);
    for (let e = 0; e < f.size; e++) table.add(f.buckets[e]!, f.alts[e]!, 0);
  }
  // counts are now document frequencies.
  const n = texts.length;
  for (let e = 0; e < table.size; e++) table.values[e] = Math.log((n + 1) / (table.counts[e]! + 0.5));
  // The id hashes every (feature key, df) pair in key order.
  const keys = new Float64Array(table.size);
  for (let e = 0; e < table.size; e++) keys[e] = table.key(e);
  keys.sort();
  const pairs = new Float64Array(keys.length * 2);
  keys.forEach((k, i) => {
    pairs[2 * i] = k;
    pairs[2 * i + 1] = table.counts[table.find(Math.floor(k / ALT_BITS), k % ALT_BITS)]!;
  });
  return { id: crypto.createHash('sha256').update(new Uint8Array(pairs.buffer)).digest('hex').slice(0, 10), table };
}
