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

  it('fits the same idf and embeds the same vectors as the Map-based fit did (values taken from it)', () => {
    // Surrogate pairs (𠮷) and words included; FeatureTable replaced Maps keyed by 53-bit floats.
    const corpus = ['数字化改造试点项目', '专精特新中小企业', '补助资金按进度拨付', '对通过验收的项目按投资额的30%给予最高５０万元补助', '𠮷野家 surrogate 𠮷 test'];
    const words = (t: string) => t.split(/(?<=改造|企业|项目)/);
    const idf = fitIdf(new LocalEmbedder({ dimensions: 16, words }), corpus);
    expect(idf.id).toBe('480d71f369');
    const e = new LocalEmbedder({ dimensions: 16, words, idf });
    expect(e.embedOne('数字化改造项目最高补助50万元')).toEqual([
      0.130731, 0.354782, 0, -0.039219, 0.106435, 0, -0.709564, -0.272644, 0, 0, -0.354782, -0.067215, -0.181132, 0.248348, 0.106435, 0.17365,
    ]);
    expect(e.embedOne('𠮷野家 surrogate')).toEqual([
      0, 0.71736, 0.23912, 0.23912, 0.071736, 0.167384, 0.23912, -0.071736, -0.071736, 0.288844, -0.071736, 0.23912, 0.071736, 0.23912, -0.23912, 0.071736,
    ]);
  });
});
