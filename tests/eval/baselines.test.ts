/** The baselines over the real pack: the split keeps clauses findable and both rankers return them. */
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluation, loadPack } from '../../knowledge/index.ts';

let passages: evaluation.Passage[];

beforeAll(async () => {
  passages = await evaluation.splitDocuments(evaluation.readPackDocuments(loadPack('jinhua')));
});

/** A bag-of-characters embedding: enough to check the vector baseline ranks by cosine similarity. */
async function charEmbed(texts: string[]): Promise<number[][]> {
  return texts.map((t) => {
    const v = new Array<number>(512).fill(0);
    for (const ch of t) v[ch.codePointAt(0)! % 512]! += 1;
    return v;
  });
}

describe('baselines', () => {
  it('reads every shipped document without front matter', () => {
    const docs = evaluation.readPackDocuments(loadPack('jinhua'));
    expect(docs.length).toBe(17);
    expect(docs[0]!.id).toBe('jinhua-opinions');
    expect(docs.every((d) => !d.text.startsWith('---'))).toBe(true);
    expect(docs.find((d) => d.id.startsWith('07_'))!.title).toContain('规模以上工业企业');
  });

  it('splits into passages of bounded size', () => {
    expect(passages.length).toBeGreaterThan(50);
    expect(Math.max(...passages.map((p) => p.text.length))).toBeLessThanOrEqual(400);
  });

  it('BM25 over plain jieba tokens finds a literal clause first', async () => {
    const bm25 = evaluation.createBm25Retriever(passages);
    const hits = await bm25.search('数字化转型达标企业一次性奖励', { k: 5 });
    expect(hits.length).toBe(5);
    expect(evaluation.evidenceRank(hits.map((h) => h.text), ['对数字化转型达标企业给予30万元的一次性奖励'])).toBe(1);
    expect(hits[0]!.scores.lexical).toMatchObject({ rank: 1 });
    expect(await bm25.search('！！！', { k: 5 })).toEqual([]);
  });

  it('vector search ranks by cosine similarity over the given embedder', async () => {
    const vector = await evaluation.createVectorRetriever(passages, charEmbed);
    const target = passages.find((p) => p.text.includes('统计范围为年主营业务收入2000万元及以上'))!;
    const hits = await vector.search(target.text, { k: 3 });
    expect(hits[0]!.chunkId).toBe(target.id);
    expect(hits[0]!.scores.vector!.score).toBeCloseTo(1, 5);
    expect(hits[1]!.score).toBeLessThanOrEqual(hits[0]!.score);
  });
});
