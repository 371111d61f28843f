/**
 * The lexical ranker prunes its candidates (rare terms first, then only the term combinations that can
 * still reach the top). Pruning must never change the result: on chunks whose tokens follow a skewed,
 * corpus-like distribution, every query's top list (ids, order and scores) equals a brute-force
 * computation of the same BM25-style score over all chunks. Runs on PGlite, or pg over the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knowledgeRepo, knowledgeSearchRepo, type ChunkRow, type Queryable, type SqlParam } from '../../db/index.ts';
import { prng } from '../bench/synthetic.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

const PACK = 'prune-test';
const BM25 = { k1: 1.2, b: 0.3 };

describe('lexical ranker pruning', () => {
  let t: TestDb;
  const chunks: ChunkRow[] = [];
  const rand = prng(7);
  // Zipf-like vocabulary: a few words in most chunks, a long tail of rare ones.
  const vocab = Array.from({ length: 400 }, (_, i) => `词${i}`);
  const word = () => vocab[Math.min(vocab.length - 1, Math.floor(Math.pow(rand(), 2.5) * vocab.length))]!;

  beforeAll(async () => {
    t = await openTestDb();
    await knowledgeRepo.upsertDocument(t.db, {
      pack: PACK, id: 'doc', file: 'doc.md', format: 'markdown', title: 'doc', shortTitle: null, issuer: null, docNumber: null, date: null,
      sourceUrl: [], completeness: null, scope: 'reference', contentHash: 'x', bytes: 0, chunkCount: 0, meta: {},
    });
    for (let i = 0; i < 1200; i++) {
      const tokens = [...new Set(Array.from({ length: 5 + Math.floor(rand() * 60) }, word))];
      // Words in one to three chunks only, for the queries with a single rare term.
      if (i % 60 === 0) tokens.push(`稀${i % 180}`);
      chunks.push({ id: `c${String(i).padStart(4, '0')}`, pack: PACK, documentId: 'doc', position: i, kind: 'clause', sectionPath: [], text: tokens.join(''), tokens, industries: [], regions: [], meta: {} });
    }
    await knowledgeRepo.insertChunks(t.db, chunks);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('returns exactly the brute-force top list for every query', async () => {
    const stats = await knowledgeSearchRepo.termStats(t.db, PACK);
    const n = stats.n;
    const avg = stats.avgTokens;
    const sets = chunks.map((c) => new Set(c.tokens));
    let pruned = 0;
    // Every statement text the ranker sends, to check that their number stays small.
    const texts = new Set<string>();
    const spying = (into: Set<string>): Queryable => ({
      query: <T,>(sql: string, params?: readonly SqlParam[]) => (into.add(sql), t.db.query<T>(sql, params)),
      exec: (sql: string) => t.db.exec(sql),
      copyFrom: (table, columns, data) => t.db.copyFrom(table, columns, data),
    });
    const spy = spying(texts);
    const warmed = new Set<string>();
    expect(await knowledgeSearchRepo.warmLexical(spying(warmed))).toBe(warmed.size);
    const rare = [...stats.df.keys()].filter((w) => w.startsWith('稀'));
    const common = [...stats.df.entries()].sort((a, b) => a[1] - b[1]).map(([w]) => w).slice(-12);
    for (let q = 0; q < 80; q++) {
      // The last 20: one term in a chunk or two, the others in most chunks ("How many SMEs … in total"),
      // where too few chunks hold a rare term to bound the rest.
      const tokens =
        q < 60
          ? [...new Set(Array.from({ length: 2 + Math.floor(rand() * 9) }, word))]
          : [rare[q % rare.length]!, ...new Set(Array.from({ length: 2 + Math.floor(rand() * 4) }, () => common[Math.floor(rand() * common.length)]!))];
      const terms = tokens
        .map((token) => ({ token, df: stats.df.get(token) ?? 0 }))
        .filter((x) => x.df > 0)
        .map((x) => ({ token: x.token, weight: Math.log(1 + (n - x.df + 0.5) / (x.df + 0.5)) }))
        .sort((a, b) => b.weight - a.weight);
      const expected = chunks
        .map((c, i) => {
          const sum = terms.filter((x) => sets[i]!.has(x.token)).reduce((a, x) => a + x.weight, 0);
          return { id: c.id, score: (sum * (BM25.k1 + 1)) / (1 + BM25.k1 * (1 - BM25.b + (BM25.b * c.tokens.length) / avg)), matched: sum > 0 };
        })
        .filter((x) => x.matched)
        .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
        .slice(0, 20);
      const got = await knowledgeSearchRepo.lexical(spy, terms, { pack: PACK }, 20, { ...BM25, avgTokens: avg, df: stats.df, n });
      expect(got.map((x) => x.id)).toEqual(expected.map((x) => x.id));
      got.forEach((x, i) => expect(x.score).toBeCloseTo(expected[i]!.score, 9));
      if (terms.some((x) => (stats.df.get(x.token) ?? 0) > 0.05 * n)) pruned++;
    }
    // The queries did include common terms, so the pruned paths ran.
    expect(pruned).toBeGreaterThan(20);
    // PGlite prepares each new text (a first execution costs several repeats): questions of 2 to 10
    // terms and passes of 1 to 64 term combinations must not each bring a text of their own.
    expect(texts.size).toBeLessThanOrEqual(16);
    // …and the server's warm-up at start prepared every one of them.
    expect([...texts].filter((x) => !warmed.has(x))).toEqual([]);
  }, 120_000);
});
