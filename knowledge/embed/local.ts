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
  idf?: { id: string; table: Map<string, number> };
}

export const LOCAL_EMBEDDER_DEFAULTS = { dimensions: 512, ngramWeights: [0.3, 1, 0.7] as [number, number, number], wordWeight: 1 };

function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche so neighbouring strings spread over the buckets.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

const DROP = /[^\p{L}\p{N}]/gu;

interface Slot {
  bucket: number;
  /** idf × the hash's sign; 0 for features to leave out. */
  weight: number;
}

const MAX_SLOTS = 2_000_000;

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

  private readonly idf?: { id: string; table: Map<string, number> };

  /** Weighted features of a text before hashing: n-grams, words and amount tokens. */
  features(text: string): Map<string, { w: number; n: number }> {
    const counts = new Map<string, { w: number; n: number }>();
    const add = (f: string, w: number) => {
      const e = counts.get(f);
      if (e) e.n++;
      else counts.set(f, { w, n: 1 });
    };
    const norm = normalizeForSearch(text);
    // Code points that carry meaning; n-grams are built by concatenation (slice/join per n-gram cost
    // a third of ingestion's embedding time). Features and their order are unchanged.
    const chars = Array.from(norm.replace(DROP, ''));
    const len = chars.length;
    const [w1, w2, w3] = this.ngramWeights;
    if (w1) for (let i = 0; i < len; i++) add('1|' + chars[i], w1);
    if (w2) for (let i = 0; i + 1 < len; i++) add('2|' + chars[i] + chars[i + 1], w2);
    if (w3) for (let i = 0; i + 2 < len; i++) add('3|' + chars[i] + chars[i + 1] + chars[i + 2], w3);
    if (this.words && this.wordWeight) for (const word of this.words(norm)) if (word.length > 1) add(`w|${word}`, this.wordWeight);
    for (const a of normalizeAmounts(norm)) add(`w|${amountToken(a.value)}`, this.wordWeight || 1);
    return counts;
  }

  /**
   * Bucket and signed idf weight of a feature, memoised: hashing and the idf lookup ran for every
   * feature of every chunk. Bounded so a long-running process does not grow without limit.
   */
  private slot(f: string): Slot {
    let s = this.slots.get(f);
    if (s) return s;
    // A feature the corpus never has can only match by hash collision: weight 0 leaves it out.
    const g = this.idf ? (this.idf.table.get(f) ?? 0) : 1;
    const h = fnv1a(f);
    s = { bucket: h % this.dimensions, weight: h & 0x80000000 ? -g : g };
    if (this.slots.size >= MAX_SLOTS) this.slots.clear();
    this.slots.set(f, s);
    return s;
  }

  private readonly slots = new Map<string, Slot>();

  embedOne(text: string): number[] {
    const v = new Float64Array(this.dimensions);
    for (const [f, c] of this.features(text)) {
      const s = this.slot(f);
      if (s.weight === 0) continue;
      v[s.bucket] += s.weight * c.w * (1 + Math.log(c.n)); // sublinear: a term repeated ten times is not ten times as important
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
export function fitIdf(embedder: LocalEmbedder, texts: string[]): { id: string; table: Map<string, number> } {
  const df = new Map<string, number>();
  for (const t of texts) for (const f of embedder.features(t).keys()) df.set(f, (df.get(f) ?? 0) + 1);
  const n = texts.length;
  const table = new Map<string, number>();
  for (const [f, d] of df) table.set(f, Math.log((n + 1) / (d + 0.5)));
  // The id hashes "f:df|f:df|…" in code-unit order of f. Fed in pieces: one joined string of every
  // feature cost more than counting them.
  const hash = crypto.createHash('sha256');
  let piece = '';
  let first = true;
  for (const f of [...df.keys()].sort()) {
    piece += (first ? '' : '|') + f + ':' + df.get(f);
    first = false;
    if (piece.length > 65536) {
      hash.update(piece);
      piece = '';
    }
  }
  hash.update(piece);
  return { id: hash.digest('hex').slice(0, 10), table };
}
