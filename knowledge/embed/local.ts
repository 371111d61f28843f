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
  idf?: { id: string; table: Map<number, number> };
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
const featureKey = (h: number, alt: number) => avalanche(h) * ALT_BITS + ((alt >>> 0) % ALT_BITS);
const bucketHash = (key: number) => Math.floor(key / ALT_BITS);

const DROP = /[^\p{L}\p{N}]/gu;
const PREFIX = ['1|', '2|', '3|', 'w|'].map((p) => [step(FNV_OFFSET, p, FNV_PRIME), step(ALT_OFFSET, p, ALT_PRIME)] as const);

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

  private readonly idf?: { id: string; table: Map<number, number> };

  /**
   * Weighted features of a text, by key (featureKey): character n-grams, words and amount tokens.
   * Hashed as they are read, not built as strings: building and looking up ~400 strings per chunk was
   * most of ingestion's embedding time. Features, buckets and signs are those of "1|补", "2|补助",
   * "w|补助" … as before.
   */
  features(text: string): Map<number, { w: number; n: number }> {
    const counts = new Map<number, { w: number; n: number }>();
    const add = (key: number, w: number) => {
      const e = counts.get(key);
      if (e) e.n++;
      else counts.set(key, { w, n: 1 });
    };
    const norm = normalizeForSearch(text);
    const chars = Array.from(norm.replace(DROP, ''));
    const len = chars.length;
    const weights = this.ngramWeights;
    for (let n = 1; n <= 3; n++) {
      const w = weights[n - 1]!;
      if (!w) continue;
      const [h0, a0] = PREFIX[n - 1]!;
      for (let i = 0; i + n <= len; i++) {
        let h = h0;
        let a = a0;
        for (let j = i; j < i + n; j++) {
          h = step(h, chars[j]!, FNV_PRIME);
          a = step(a, chars[j]!, ALT_PRIME);
        }
        add(featureKey(h, a), w);
      }
    }
    const [hw, aw] = PREFIX[3]!;
    const word = (s: string, w: number) => add(featureKey(step(hw, s, FNV_PRIME), step(aw, s, ALT_PRIME)), w);
    if (this.words && this.wordWeight) for (const x of this.words(norm)) if (x.length > 1) word(x, this.wordWeight);
    for (const a of normalizeAmounts(norm)) word(amountToken(a.value), this.wordWeight || 1);
    return counts;
  }

  embedOne(text: string): number[] {
    const v = new Float64Array(this.dimensions);
    const idf = this.idf?.table;
    for (const [key, c] of this.features(text)) {
      // A feature the corpus never has can only match by hash collision: weight 0 leaves it out.
      const g = idf ? (idf.get(key) ?? 0) : 1;
      if (g === 0) continue;
      const h = bucketHash(key);
      v[h % this.dimensions] += (h & 0x80000000 ? -g : g) * c.w * (1 + Math.log(c.n)); // sublinear: a term repeated ten times is not ten times as important
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
export function fitIdf(embedder: LocalEmbedder, texts: string[]): { id: string; table: Map<number, number> } {
  const df = new Map<number, number>();
  for (const t of texts) for (const f of embedder.features(t).keys()) df.set(f, (df.get(f) ?? 0) + 1);
  const n = texts.length;
  const table = new Map<number, number>();
  for (const [f, d] of df) table.set(f, Math.log((n + 1) / (d + 0.5)));
  // The id hashes every (feature key, df) pair in key order.
  const keys = Float64Array.from(df.keys()).sort();
  const pairs = new Float64Array(keys.length * 2);
  keys.forEach((k, i) => {
    pairs[2 * i] = k;
    pairs[2 * i + 1] = df.get(k)!;
  });
  return { id: crypto.createHash('sha256').update(new Uint8Array(pairs.buffer)).digest('hex').slice(0, 10), table };
}
