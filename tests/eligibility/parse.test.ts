/** The pure parsers: amounts in 万元, 统一社会信用代码, mobile numbers, dates, and the pack's words. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPack } from '../../knowledge/index.ts';
import {
  findAmounts,
  parseAmount,
  parseDate,
  parseIndustry,
  parseLevel,
  parseMobile,
  parseRegion,
  parseScale,
  parseSrdi,
  parseUscc,
  parseYesNo,
  USCC_ALPHABET,
  usccCheckChar,
} from '../../knowledge/parse/index.ts';

const pack = loadPack('jinhua');
const wan = (text: string, bareUnit?: 'wan' | 'yuan') => {
  const r = parseAmount(text, { bareUnit });
  return r.ok ? r.value.wan : r.error;
};

describe('parseAmount (result in 万元)', () => {
  it.each([
    ['八千万', 8000],
    ['1.2亿', 12000],
    ['1,200万', 1200],
    ['12000000元', 1200],
    ['５０万', 50],
    ['两百万', 200],
    ['五十万元', 50],
    ['投入120万', 120],
    ['0.8亿', 8000],
    ['一亿二', 12000],
    ['一亿二千万', 12000],
    ['1亿2000万', 12000],
    ['三千五百万', 3500],
    ['三千五', '请带上单位，例如“120万”“1.2亿”或“1200000元”。'],
    ['一千零五万', 1005],
    ['一点五亿', 15000],
    ['1.5千万', 1500],
    ['120w', 120],
    ['１，２００万元', 1200],
    ['12,000,000元', 1200],
    ['大概八千多万', 8000],
    ['123456元', 12.3456],
    ['0.07亿', 700],
    ['去年产值八千万', 8000],
  ])('%s → %s', (text, expected) => {
    expect(wan(text)).toBe(expected);
  });

  it('keeps exact decimals (no binary drift)', () => {
    const r = parseAmount('0.3亿');
    expect(r.ok && r.value.wanText).toBe('3000');
    const s = parseAmount('1.23456789亿');
    expect(s.ok && s.value.wanText).toBe('12345.6789');
    const t = parseAmount('0.1万');
    expect(t.ok && t.value.wanText).toBe('0.1');
  });

  it('flags hedged amounts as approximate', () => {
    const r = parseAmount('八千多万');
    expect(r.ok && r.value.approximate).toBe(true);
    const s = parseAmount('8000万');
    expect(s.ok && s.value.approximate).toBe(false);
  });

  it('asks for a unit when a bare number is ambiguous, unless the caller gives one', () => {
    const r = parseAmount('120');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/单位/);
    expect(wan('120', 'wan')).toBe(120);
    expect(wan('120000', 'yuan')).toBe(12);
  });

  it('refuses what is not one amount, with a Chinese message', () => {
    for (const text of ['', '不知道', '二级', '万一不行', '100万-150万', '1亿2000', '-5万']) {
      const r = parseAmount(text);
      expect(r.ok, text).toBe(false);
      expect(!r.ok && r.error).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('finds every amount with a unit in a sentence', () => {
    expect(findAmounts('去年产值八千万，今年投入120万，目标二级').map((a) => a.wan)).toEqual([8000, 120]);
    expect(findAmounts('2024年成立，员工50人')).toEqual([]);
  });
});

describe('parseUscc (GB 32100-2015)', () => {
  // Independent re-statement of the rule from the domain notes, to check the implementation against.
  const W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const check = (s: string) => USCC_ALPHABET[(31 - ([...s].reduce((a, c, i) => a + USCC_ALPHABET.indexOf(c) * W[i], 0) % 31)) % 31];

  it('accepts the standard worked example and real-format 金华 codes', () => {
    for (const code of ['91350100M000100Y43', '91330784MA2E12345C', '91330784147512345L', '91330702MA28DT0N4W', '91330783609761234X']) {
      const r = parseUscc(code);
      expect(r.ok, code).toBe(true);
      expect(check(code.slice(0, 17))).toBe(code[17]);
    }
    const r = parseUscc('91330784MA2E12345C');
    expect(r.ok && r.value.divisionCode).toBe('330784');
  });

  it('normalises lower case, full-width characters, spaces and dashes', () => {
    for (const input of ['91350100m000100y43', '９１３５０１００Ｍ０００１００Ｙ４３', '9135 0100 M000 100Y 43', '91350100-M000100Y4-3']) {
      const r = parseUscc(input);
      expect(r.ok && r.value.code, input).toBe('91350100M000100Y43');
    }
  });

  it('rejects a wrong check character, wrong length and forbidden letters, saying which', () => {
    const bad = parseUscc('91350100M000100Y44');
    expect(!bad.ok && bad.error).toMatch(/校验位/);
    const short = parseUscc('91350100M000100Y4');
    expect(!short.ok && short.error).toMatch(/18位.*17位/);
    const letterO = parseUscc('91330784MO2E12345C');
    expect(!letterO.ok && letterO.error).toMatch(/O/);
    const division = parseUscc('91ABCDEFMA2E12345C');
    expect(!division.ok && division.error).toMatch(/行政区划/);
  });

  it('detects every single-character substitution (weights are units mod 31)', () => {
    const base = '91330784MA2E12345C';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 30 }), (pos, shift) => {
        const c = USCC_ALPHABET[(USCC_ALPHABET.indexOf(base[pos]) + shift) % 31];
        const mutated = base.slice(0, pos) + c + base.slice(pos + 1);
        if (pos >= 2 && pos <= 7 && !/\d/.test(c)) return true; // rejected earlier as a division-code error
        expect(parseUscc(mutated).ok).toBe(false);
        return true;
      }),
    );
    expect(usccCheckChar('91330784MA2E12345')).toBe('C');
  });
});

describe('parseMobile', () => {
  it.each(['13812345678', '+86 138 1234 5678', '+86-138-1234-5678', '0086 13812345678', '138-1234-5678', '１３８１２３４５６７８', '(+86) 13812345678'])('%s', (input) => {
    expect(parseMobile(input)).toEqual({ ok: true, value: '13812345678' });
  });
  it.each([
    ['12812345678', /13—19/],
    ['1381234567', /11位.*10位/],
    ['138123456789', /11位/],
    ['138abc45678', /数字/],
    ['', /手机/],
  ])('rejects %s', (input, message) => {
    const r = parseMobile(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(message);
  });
});

describe('parseDate', () => {
  // 00:30 on 1 January in Beijing is still 31 December in UTC: the year must be read in the pack's zone.
  const now = new Date('2025-12-31T16:30:00Z');
  it('reads absolute and relative dates against the injected clock', () => {
    expect(parseDate('2024年9月', { now })).toMatchObject({ ok: true, value: { year: 2024, month: 9, precision: 'month', iso: '2024-09' } });
    expect(parseDate('2024-09-30', { now })).toMatchObject({ ok: true, value: { iso: '2024-09-30', precision: 'day' } });
    expect(parseDate('2024/9/3', { now })).toMatchObject({ ok: true, value: { iso: '2024-09-03' } });
    expect(parseDate('去年', { now })).toMatchObject({ ok: true, value: { year: 2025, precision: 'year' } });
    expect(parseDate('今年3月', { now })).toMatchObject({ ok: true, value: { iso: '2026-03' } });
    expect(parseDate('前年', { now })).toMatchObject({ ok: true, value: { year: 2024 } });
  });
  it('rejects impossible dates', () => {
    expect(parseDate('2024-02-30', { now }).ok).toBe(false);
    expect(parseDate('2024年13月', { now }).ok).toBe(false);
    expect(parseDate('不记得了', { now }).ok).toBe(false);
  });
});

describe('pack words: regions, industries, levels, scale, yes/no', () => {
  it('finds regions by alias inside colloquial text', () => {
    expect(parseRegion('永康的', pack.regions)).toMatchObject({ ok: true, value: { name: '永康市', code: '330784' } });
    expect(parseRegion('我们在市区', pack.regions)).toMatchObject({ ok: true, value: { name: '金华市区', kind: 'cityProper', members: ['婺城区', '金东区'] } });
    expect(parseRegion('婺城', pack.regions)).toMatchObject({ ok: true, value: { name: '婺城区' } });
    expect(parseRegion('杭州', pack.regions).ok).toBe(false);
    const both = parseRegion('东阳和义乌都有厂', pack.regions);
    expect(!both.ok && both.error).toMatch(/一个/);
  });
  it('finds industries by product words', () => {
    expect(parseIndustry('永康的，做电钻', pack.industries)).toMatchObject({ ok: true, value: { id: 'power-tools', name: '电动工具' } });
    expect(parseIndustry('钕铁硼', pack.industries)).toMatchObject({ ok: true, value: { name: '磁性材料' } });
    expect(parseIndustry('童装', pack.industries)).toMatchObject({ ok: true, value: { name: '服装' } });
    expect(parseIndustry('汽车配件', pack.industries).ok).toBe(false);
  });
  it('reads levels, scale, 专精特新 and yes/no', () => {
    for (const [t, v] of [['二级', 2], ['2级', 2], ['三级', 3], ['level 3', 3], ['L4', 4], ['达到四级', 4], ['1', 1]] as const) expect(parseLevel(t)).toEqual({ ok: true, value: v });
    expect(parseLevel('五级').ok).toBe(false);
    expect(parseScale('规上')).toEqual({ ok: true, value: 'aboveScale' });
    expect(parseScale('规模以下')).toEqual({ ok: true, value: 'belowScale' });
    expect(parseScale('不是规上')).toEqual({ ok: true, value: 'belowScale' });
    expect(parseSrdi('国家级小巨人')).toEqual({ ok: true, value: 'littleGiant' });
    expect(parseSrdi('是专精特新')).toEqual({ ok: true, value: 'srdi' });
    expect(parseSrdi('不是')).toEqual({ ok: true, value: 'none' });
    for (const t of ['是', '有', '对', '嗯', '好的', '同意', 'OK', '没问题']) expect(parseYesNo(t), t).toEqual({ ok: true, value: true });
    for (const t of ['否', '不是', '没有', '不同意', 'no', '无']) expect(parseYesNo(t), t).toEqual({ ok: true, value: false });
    expect(parseYesNo('也许').ok).toBe(false);
  });
});
