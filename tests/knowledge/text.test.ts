/** Number normalisation and the jieba tokenizer with the pack's dictionary and synonyms (pure). */
import { describe, expect, it } from 'vitest';
import { amountToken, formatAmount, loadPack, normalizeAmounts, packLexicon, parseChineseNumber, percentTokens, toHalfWidth, Tokenizer } from '../../knowledge/index.ts';

const value = (s: string) => {
  const r = parseChineseNumber(s);
  return r.ok ? r.value : null;
};
const amounts = (s: string) => normalizeAmounts(s).map((a) => a.value);

describe('numbers', () => {
  it('parses Chinese numerals, full-width and Arabic digits', () => {
    expect(value('五十')).toBe(50);
    expect(value('两百')).toBe(200);
    expect(value('一千二百三十')).toBe(1230);
    expect(value('十五')).toBe(15);
    expect(value('八千万')).toBe(80_000_000);
    expect(value('五十万')).toBe(500_000);
    expect(value('1.2亿')).toBe(120_000_000);
    expect(value('1,200万')).toBe(12_000_000);
    expect(value('５０')).toBe(50);
    expect(value('3千万')).toBe(30_000_000);
    expect(value('一亿二千万')).toBe(120_000_000);
    expect(parseChineseNumber('')).toEqual({ ok: false, reason: 'empty' });
    expect(parseChineseNumber('很多')).toEqual({ ok: false, reason: 'invalid' });
    expect(toHalfWidth('５０万，ＡＢ')).toBe('50万,AB');
  });

  it('finds the same amount however it is written', () => {
    for (const s of ['80万元', '80万', '八十万', '８０万元', '800000元', '800,000元', '捌拾万元']) expect(amounts(s), s).toEqual([800_000]);
    expect(amounts('八千万')).toEqual([80_000_000]);
    expect(amounts('两百万')).toEqual([2_000_000]);
    expect(amounts('1.2亿')).toEqual([120_000_000]);
    expect(amounts('12000000元')).toEqual([12_000_000]);
    expect(amounts('最高50万元、80万元、100万元补助')).toEqual([500_000, 800_000, 1_000_000]);
  });

  it('does not take years, levels, counts, decimals or idioms for amounts', () => {
    expect(amounts('2024年9月—2024年11月，达到三级，581家，2.0跃升，千万不要，万一')).toEqual([]);
    expect(amounts('1.2024年9月')).toEqual([]);
  });

  it('renders tokens and human forms', () => {
    expect(amountToken(800_000)).toBe('amt800000');
    expect(formatAmount(800_000)).toBe('80万元');
    expect(formatAmount(120_000_000)).toBe('1.2亿元');
    expect(percentTokens('不超过50%，或百分之四十，５０％')).toEqual(['pct50', 'pct40', 'pct50']);
  });
});

describe('tokenizer', () => {
  const lex = packLexicon(loadPack('jinhua'));
  const tok = new Tokenizer(lex);

  it('keeps domain words whole', () => {
    const words = tok.words('专精特新小巨人企业打造小快轻准产品，总包商进入服务商资源池，规上企业上云用云');
    for (const w of ['专精特新', '小快轻准', '总包商', '服务商资源池', '上云用云']) expect(words).toContain(w);
    const plain = new Tokenizer({ words: [], synonyms: [] }).words('总包商进入服务商资源池');
    expect(plain).not.toContain('服务商资源池');
  });

  it('adds the canonical form of synonyms on both sides', () => {
    expect(tok.tokens('电钻厂')).toContain('电动工具');
    expect(tok.tokens('角磨机')).toContain('电动工具');
    expect(tok.tokens('规模以上工业企业')).toContain('规上');
    for (const w of ['补贴', '奖补', '奖励']) expect(tok.tokens(`有多少${w}`)).toContain('补助');
    expect(tok.tokens('武义的企业')).toContain('武义县');
  });

  it('adds normalised amount and percent tokens', () => {
    expect(tok.tokens('最高八十万')).toContain('amt800000');
    expect(tok.tokens('给予最高80万元补助')).toContain('amt800000');
    expect(tok.tokens('不超过５０％')).toContain('pct50');
  });

  it('drops punctuation, emoji and stopwords', () => {
    expect(tok.tokens('？！。，…… 😀🎉')).toEqual([]);
    expect(tok.tokens('的了吗')).toEqual([]);
    expect(tok.tokens('What is the subsidy for 电动工具?')).toEqual(expect.arrayContaining(['subsidy', '电动工具']));
  });
});
