/**
 * The two reference systems the evaluation compares ours against, run in the same process over the same
 * shipped documents:
 * - `bm25`: plain BM25 (MiniSearch) over jieba tokens with jieba's stock dictionary — no domain terms,
 *   no synonyms, no number normalisation — the lexical search most RAG stacks ship;
 * - `langchain-vector`: LangChain's RecursiveCharacterTextSplitter and vector-only cosine search over
 *   whichever embedder our own index uses, kept in memory.
 * Both index the same passages (the LangChain split) so that only the ranking differs between them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import MiniSearch from 'minisearch';
import type { Pack } from '../pack/index.ts';
import type { Retriever, SearchHit, SearchOptions } from '../types.ts';

export interface BaselineDocument {
  id: string;
  title: string;
  text: string;
}

export interface Passage {
  id: string;
  documentId: string;
  documentTitle: string;
  position: number;
  text: string;
}

/** Embeds a batch of texts; the same function our own index uses, so the comparison isolates ranking. */
export type EmbedTexts = (texts: string[]) => Promise<number[][]>;

function stripFrontMatter(text: string): { title?: string; body: string } {
  if (!text.startsWith('---\n')) return { body: text };
  const end = text.indexOf('\n---\n', 4);
  if (end < 0) return { body: text };
  const head = text.slice(4, end);
  const title = /^title:\s*(.+)$/m.exec(head)?.[1]?.trim();
  return { title, body: text.slice(end + 5) };
}

/** The pack's documents as plain text: the manifest's entries plus the files matched by documentGlob. */
export function readPackDocuments(pack: Pack): BaselineDocument[] {
  const docs: BaselineDocument[] = [];
  const seen = new Set<string>();
  for (const entry of pack.manifest.documents) {
    const file = pack.file(entry.file);
    seen.add(path.resolve(file));
    docs.push({ id: entry.id, title: entry.title, text: stripFrontMatter(fs.readFileSync(file, 'utf8')).body });
  }
  const glob = pack.manifest.documentGlob;
  if (glob) {
    // The manifest's glob is a directory plus a `*.ext` pattern, e.g. documents/*.md.
    const dir = pack.file(path.dirname(glob));
    const ext = path.extname(glob);
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.resolve(dir, name);
      if (!name.endsWith(ext) || seen.has(file)) continue;
      const { title, body } = stripFrontMatter(fs.readFileSync(file, 'utf8'));
      docs.push({ id: path.basename(name, ext), title: title ?? name, text: body });
    }
  }
  return docs;
}

export interface SplitOptions {
  chunkSize?: number;
  chunkOverlap?: number;
}

/**
 * Chinese-aware separators (paragraph, line, sentence, clause, comma) as Chinese LangChain users
 * configure the splitter; with the stock English separators it would cut mid-sentence far more often.
 */
export const CHINESE_SEPARATORS = ['\n\n', '\n', '。', '；', '，', ''];

export async function splitDocuments(docs: readonly BaselineDocument[], options: SplitOptions = {}): Promise<Passage[]> {
  // Loaded on demand: @langchain/core costs ~0.5 s to import, which the server should not pay at start.
  const { RecursiveCharacterTextSplitter } = await import('@langchain/textsplitters');
  const splitter = new RecursiveCharacterTextSplitter({
    chunkSize: options.chunkSize ?? 400,
    chunkOverlap: options.chunkOverlap ?? 40,
    separators: CHINESE_SEPARATORS,
  });
  const passages: Passage[] = [];
  for (const doc of docs) {
    const pieces = await splitter.splitText(doc.text);
    pieces.forEach((text, position) => {
      if (text.trim()) passages.push({ id: `${doc.id}#${position}`, documentId: doc.id, documentTitle: doc.title, position, text });
    });
  }
  return passages;
}

function toHit(p: Passage, score: number, rank: number, ranker: 'lexical' | 'vector'): SearchHit {
  return {
    chunkId: p.id,
    documentId: p.documentId,
    documentTitle: p.documentTitle,
    sectionPath: [],
    kind: 'text',
    text: p.text,
    position: p.position,
    score,
    scores: { [ranker]: { rank, score } },
  };
}

let stockJieba: Jieba | undefined;
const WORDLIKE = /[\p{L}\p{N}]/u;

/** jieba with its stock dictionary only: the "plain" tokenizer a generic stack would use. */
export function plainJiebaTokens(text: string): string[] {
  stockJieba ??= Jieba.withDict(dict);
  return stockJieba
    .cutForSearch(text.normalize('NFKC').toLowerCase(), true)
    .map((t) => t.trim())
    .filter((t) => t && WORDLIKE.test(t));
}

export function createBm25Retriever(passages: readonly Passage[], tokenize: (text: string) => string[] = plainJiebaTokens): Retriever {
  const index = new MiniSearch<Passage>({ fields: ['text'], storeFields: [], idField: 'id', tokenize, processTerm: (t) => t });
  index.addAll(passages as Passage[]);
  const byId = new Map(passages.map((p) => [p.id, p]));
  return {
    async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
      const k = options.k ?? 10;
      return index
        .search(query, { combineWith: 'OR' })
        .slice(0, k)
        .map((r, i) => toHit(byId.get(String(r.id))!, r.score, i + 1, 'lexical'));
    },
  };
}

function normalise(v: number[]): Float32Array {
  const out = Float32Array.from(v);
  let norm = 0;
  for (const x of out) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

export async function createVectorRetriever(passages: readonly Passage[], embed: EmbedTexts, batch = 64): Promise<Retriever> {
  const vectors: Float32Array[] = [];
  for (let i = 0; i < passages.length; i += batch) {
    const slice = passages.slice(i, i + batch);
    for (const v of await embed(slice.map((p) => p.text))) vectors.push(normalise(v));
  }
  return {
    async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
      const k = options.k ?? 10;
      const [raw] = await embed([query]);
      const q = normalise(raw ?? []);
      const scored = vectors.map((v, i) => {
        let dot = 0;
        for (let j = 0; j < v.length; j++) dot += v[j]! * (q[j] ?? 0);
        return { i, dot };
      });
      scored.sort((a, b) => b.dot - a.dot);
      return scored.slice(0, k).map((s, r) => toHit(passages[s.i]!, s.dot, r + 1, 'vector'));
    },
  };
}
