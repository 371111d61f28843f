/**
 * Synthetic policy packs for the benchmarks: a copy of a real pack whose documents directory gains
 * generated Markdown documents with about the requested number of clauses. The text is sampled from the
 * real corpus vocabulary (jieba words with their corpus frequencies, numbers and amounts as they occur in
 * policy text), laid out as 一、 / （一） / 1. clauses, so tokenizing, chunking and index statistics behave
 * like the real corpus at a larger scale. Generation is seeded, so runs are comparable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluation, loadPack, type Pack } from '../../knowledge/index.ts';

/** mulberry32: a small, fast, seedable PRNG (seeded, so a synthetic index or a failing test reproduces). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Vocabulary {
  words: string[];
  /** Cumulative frequencies, for sampling by corpus frequency. */
  cumulative: number[];
}

const CJK = /[\u4e00-\u9fff]/;

export function corpusVocabulary(pack: Pack): Vocabulary {
  const counts = new Map<string, number>();
  for (const doc of evaluation.readPackDocuments(pack))
    for (const w of evaluation.plainJiebaTokens(doc.text)) if (CJK.test(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts.keys()].sort();
  let sum = 0;
  const cumulative = words.map((w) => (sum += counts.get(w)!));
  return { words, cumulative };
}

function sampler(vocab: Vocabulary, rand: () => number): () => string {
  const total = vocab.cumulative[vocab.cumulative.length - 1]!;
  return () => {
    const x = rand() * total;
    let lo = 0;
    let hi = vocab.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (vocab.cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return vocab.words[lo]!;
  };
}

const UNITS = ['万元', '家', '个', '%', '年', '亿元'];

function sentence(word: () => string, rand: () => number): string {
  const n = 8 + Math.floor(rand() * 14);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(word());
    if (rand() < 0.06) parts.push(String(1 + Math.floor(rand() * 500)) + UNITS[Math.floor(rand() * UNITS.length)]);
    if (i > 2 && i < n - 2 && rand() < 0.12) parts.push(rand() < 0.7 ? '，' : '、');
  }
  return parts.join('') + (rand() < 0.8 ? '。' : '；');
}

const CN = '一二三四五六七八九十';
const ordinal = (n: number) => (n <= 10 ? CN[n - 1]! : n < 20 ? '十' + CN[n - 11]! : String(n));

/** Clauses per (一) sub-section and sub-sections per document: 2 × 50 = 100 clauses per document. */
const CLAUSES_PER_SECTION = 50;
const SECTIONS_PER_DOC = 2;

export interface SyntheticPack {
  pack: Pack;
  dir: string;
  clauses: number;
  bytes: number;
  remove(): void;
}

/**
 * Writes a pack with the base pack's own documents plus `clauses` generated clauses. The base pack's
 * documents stay, so real questions still have their real answers among the generated noise.
 */
export function writeSyntheticPack(base: Pack, vocab: Vocabulary, clauses: number, seed = 42): SyntheticPack {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-bench-'));
  const dir = path.join(root, base.id);
  fs.cpSync(base.dir, dir, { recursive: true });
  const rand = prng(seed);
  const word = sampler(vocab, rand);
  let written = 0;
  let bytes = 0;
  for (let d = 0; written < clauses; d++) {
    const lines = [`---`, `title: 基准合成文档${d + 1}`, `issuer: 基准测试（合成）`, `scope: reference`, `completeness: full`, `---`, ''];
    lines.push(`一、合成章节${d + 1}`);
    for (let s = 1; s <= SECTIONS_PER_DOC && written < clauses; s++) {
      lines.push(`（${ordinal(s)}）${word()}${word()}${word()}`);
      for (let c = 1; c <= CLAUSES_PER_SECTION && written < clauses; c++, written++) {
        const k = 2 + Math.floor(rand() * 4);
        let text = `${c}.${word()}${word()}。`;
        for (let i = 0; i < k; i++) text += sentence(word, rand);
        lines.push(text);
      }
    }
    const body = lines.join('\n') + '\n';
    bytes += Buffer.byteLength(body);
    fs.writeFileSync(path.join(dir, 'documents', `zz-bench-${String(d + 1).padStart(5, '0')}.md`), body);
  }
  return { pack: loadPack(base.id, root), dir: root, clauses: written, bytes, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}
