/**
 * The local embedder's hashing is part of every stored vector: a query embedded differently from the
 * chunks it is compared with would silently find nothing. These pin the buckets and signs (the vector of
 * a fixed text, as the string-built features produced it before they were hashed while read) and the
 * idf fit's behaviour.
 */
import { describe, expect, it } from 'vitest';
import { fitIdf, LocalEmbedder } from '../../knowledge/index.ts';

const TEXT = '数字化改造试点项目最高补助５０万元';

describe('local embedder', () => {
  it('puts each feature in the same bucket with the same sign as before', () => {
    expect(new LocalEmbedder({ dimensions: 32 }).embedOne(TEXT)).toEqual([
      -0.198654, 0.337711, 0.139058, -0.139058, 0.059596, 0, 0.059596, 0.397307, 0, 0.198654, -0.079461, 0, 0.25825, 0.198654, 0.059596, 0.25825, 0.198654,
      0.139058, 0, -0.059596, 0, 0, 0.079461, -0.337711, 0.198654, -0.198654, -0.198654, -0.059596, -0.139058, 0, 0.278115, 0.139058,
    ]);
  });

  it('fits idf on a corpus: a stable id, features the corpus never has left out', () => {
    const base = new LocalEmbedder({ dimensions: 64 });
    const corpus = ['数字化改造试点项目', '专精特新中小企业', '补助资金按进度拨付'];
    const idf = fitIdf(base, corpus);
    expect(fitIdf(base, [...corpus]).id).toBe(idf.id);
    expect(fitIdf(base, [...corpus, '另一段文字']).id).not.toBe(idf.id);
    const e = new LocalEmbedder({ dimensions: 64, idf });
    expect(e.id).toContain(`:idf${idf.id}`);
    // Nothing of this text occurs in the corpus: no feature has a weight.
    expect(e.embedOne('天气晴朗').every((x) => x === 0)).toBe(true);
    const v = e.embedOne('数字化改造');
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
  });
});
