/**
 * The eligibility calculator as a table of cases, including the boundaries (exactly 2000万 revenue,
 * level 1, year 2, tier edges), missing facts, out-of-scope answers, the rules' clause quotes, and a
 * second city's pack run through the same code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../db/index.ts';
import { loadPack } from '../../knowledge/index.ts';
import { loadEligibility, type EligibilityResult } from '../../knowledge/rules/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const pack = loadPack('jinhua');
const e = loadEligibility(pack);
const base = { region: '永康市', industry: '电动工具', scale: 'aboveScale', targetLevel: 3, investment: 120, year: 1 };

describe('subsidy cap = min(cap by level, year rate × investment)', () => {
  it.each([
    // [case, profile overrides, status, subsidyCap, arithmetic]
    ['三级, 120万, year 1 (the notes example)', {}, 'estimate', 60, 'min(80万元, 120万元 × 50% = 60万元) = 60万元'],
    ['三级, 120万, year 2 → 40%', { year: 2 }, 'estimate', 48, 'min(80万元, 120万元 × 40% = 48万元) = 48万元'],
    ['二级, 200万, year 1 → level cap binds', { targetLevel: 2, investment: 200 }, 'estimate', 50, 'min(50万元, 200万元 × 50% = 100万元) = 50万元'],
    ['四级, 500万, year 2 → level cap binds', { targetLevel: 4, investment: 500, year: 2 }, 'estimate', 100, 'min(100万元, 500万元 × 40% = 200万元) = 100万元'],
    ['四级, exactly at the cap', { targetLevel: 4, investment: 200 }, 'estimate', 100, 'min(100万元, 200万元 × 50% = 100万元) = 100万元'],
    ['decimal investment stays exact', { investment: 33.33, year: 2 }, 'estimate', 13.332, 'min(80万元, 33.33万元 × 40% = 13.332万元) = 13.332万元'],
    ['investment as text "1.2亿"', { investment: '1.2亿' }, 'estimate', 80, 'min(80万元, 12000万元 × 50% = 6000万元) = 80万元'],
    ['level 1 → no subsidy', { targetLevel: 1 }, 'no_subsidy', 0, '目标一级低于二级：补助 = 0万元'],
  ] as const)('%s', (_name, overrides, status, cap, arithmetic) => {
    const r = e.assess({ ...base, ...overrides });
    expect(r.status).toBe(status);
    expect(r.subsidyCap).toBe(cap);
    expect(r.arithmetic).toBe(arithmetic);
    expect(r.inScope).toBe(true);
    expect(r.missing).toEqual([]);
  });

  it('cites clause 17 for both caps and says the amount is not a promise', () => {
    const r = e.assess(base);
    const quotes = r.citations.map((c) => c.quote);
    expect(quotes.some((q) => q.includes('最高50万元、80万元、100万元补助'))).toBe(true);
    expect(quotes.some((q) => q.includes('第二年按照不超过实际投入总额的40%'))).toBe(true);
    expect(r.citations.every((c) => c.section.length > 0 || c.documentId !== 'jinhua-opinions')).toBe(true);
    expect(r.notes.join('')).toMatch(/先完成验收的企业先得/);
    expect(r.notes.join('')).toMatch(/1:1\.5/);
    expect(r.notes.join('')).toMatch(/不是承诺金额/);
  });

  it('level 1 needs neither investment nor year to answer "no subsidy"', () => {
    const r = e.assess({ region: '永康', industry: '电钻', scale: '规上', targetLevel: 1 });
    expect(r.status).toBe('no_subsidy');
    expect(r.subsidyCap).toBe(0);
    expect(r.reasons.join('')).toMatch(/二级及以上/);
  });
});

describe('scale, tiers and priority', () => {
  const scaleOf = (annualRevenue: number | string) => e.assess({ ...base, scale: undefined, annualRevenue }).scale;
  it('exactly 2000万 revenue is 规上; 1999.99万 is 规下', () => {
    expect(scaleOf(2000)).toBe('aboveScale');
    expect(scaleOf('2000万')).toBe('aboveScale');
    expect(scaleOf('20000000元')).toBe('aboveScale');
    expect(scaleOf(1999.99)).toBe('belowScale');
    const r = e.assess({ ...base, scale: undefined, annualRevenue: 2000 });
    expect(r.citations.some((c) => c.documentId === '07_above-scale-industrial-enterprise-definition')).toBe(true);
  });
  it('規下 enterprises stay in scope (愿改尽改)', () => {
    const r = e.assess({ ...base, scale: undefined, annualRevenue: 800 });
    expect(r.inScope).toBe(true);
    expect(r.subsidyCap).toBe(60);
    expect(r.reasons.join('')).toMatch(/规下/);
  });
  it('revenue wins over a contradicting stated scale, and says so', () => {
    const r = e.assess({ ...base, scale: '规上', annualRevenue: 1500 });
    expect(r.scale).toBe('belowScale');
    expect(r.reasons.join('')).toMatch(/以下按收入判断/);
  });
  it.each([
    [9999.99, 'below-100m'],
    [10000, '100m-200m'],
    ['1.5亿', '100m-200m'],
    [20000, '100m-200m'],
    [20000.01, 'above-200m'],
  ] as const)('output %s → tier %s', (annualOutput, tier) => {
    expect(e.assess({ ...base, annualOutput }).outputTier?.id).toBe(tier);
  });
  it('专精特新 and 小巨人 are noted as the priority, citing clause 8', () => {
    for (const srdi of [true, 'littleGiant'] as const) {
      const r = e.assess({ ...base, srdi });
      expect(r.reasons.join('')).toMatch(/重点/);
      expect(r.citations.some((c) => c.section.endsWith('8.'))).toBe(true);
    }
  });
});

describe('scope', () => {
  it('a focus region and a 同步推进 region are both in scope', () => {
    const focus = e.assess({ ...base, region: '金东区' });
    expect(focus.region).toEqual({ name: '金东区', focus: true }); // 金华市区 = 婺城区 + 金东区
    const sync = e.assess({ ...base, region: '兰溪', industry: '服装' });
    expect(sync.inScope).toBe(true);
    expect(sync.region).toEqual({ name: '兰溪市', focus: false });
    expect(sync.reasons.join('')).toMatch(/同步推进/);
    expect(sync.subsidyCap).toBe(60);
  });
  it('outside Jinhua, or outside the three industries, is a definite "not in scope" with the reason', () => {
    const city = e.assess({ ...base, region: '杭州市' });
    expect(city).toMatchObject({ status: 'out_of_scope', inScope: false, subsidyCap: 0, awards: [], missing: [] });
    expect(city.reasons[0]).toMatch(/杭州市.*不在金华市/);
    const industry = e.assess({ ...base, industry: '汽车配件' });
    expect(industry.status).toBe('out_of_scope');
    expect(industry.reasons[0]).toMatch(/电动工具、磁性材料、服装/);
  });
  it('service providers get the 小快轻准 product award, not the retrofit subsidy', () => {
    const r = e.assess({ region: '永康市', industry: '电动工具', scale: 'aboveScale', applicant: 'serviceProvider' });
    expect(r.awards.map((a) => a.id)).toEqual(['xkqz-product']);
    expect(r.awards[0]).toMatchObject({ amount: 10, upTo: true });
    expect(r.subsidyCap).toBeNull();
  });
  it('enterprises may compete for the four one-off awards, each cited', () => {
    const r = e.assess(base);
    expect(r.awards.map((a) => [a.id, a.amount, a.upTo])).toEqual([
      ['compliance', 30, false],
      ['model-enterprise', 10, true],
      ['chain-case', 30, true],
      ['new-tech', 20, true],
    ]);
    expect(r.awards.every((a) => a.citation.quote.length > 0)).toBe(true);
  });
});

describe('missing facts give "need more information", never a false no', () => {
  it('an empty profile lists everything needed', () => {
    const r = e.assess({});
    expect(r.status).toBe('needs_info');
    expect(r.inScope).toBeNull();
    expect(r.subsidyCap).toBeNull();
    expect(r.missing.map((m) => m.field)).toEqual(['region', 'industry', 'scale', 'targetLevel', 'investment', 'year']);
  });
  it.each(['investment', 'year', 'targetLevel', 'region', 'industry', 'scale'] as const)('without %s', (field) => {
    const r: EligibilityResult = e.assess({ ...base, [field]: undefined });
    expect(r.status).toBe('needs_info');
    expect(r.inScope).not.toBe(false);
    expect(r.missing.map((m) => m.field)).toEqual([field]);
  });
});

describe('validation', () => {
  it('refuses bad values with field-level Chinese messages', () => {
    try {
      e.assess({ investment: -5, year: 3, targetLevel: 5, scale: '很大', srdi: 'maybe', annualRevenue: '很多', region: 12, invesment: 1 });
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err, 'validation')).toBe(true);
      const fields = (err as { fields: Record<string, string> }).fields;
      expect(Object.keys(fields).sort()).toEqual(['annualRevenue', 'invesment', 'investment', 'region', 'scale', 'srdi', 'targetLevel', 'year']);
      for (const m of Object.values(fields)) expect(m).toMatch(/[\u4e00-\u9fff]/);
    }
  });
  it('zero investment is refused', () => {
    expect(() => e.assess({ ...base, investment: 0 })).toThrow();
  });
});

describe('the rules are data', () => {
  it('every quote in rules.json is verbatim in the cited document', () => {
    const raw = JSON.parse(fs.readFileSync(pack.file('rules.json'), 'utf8'));
    const refs: { document: string; quote: string }[] = [];
    const walk = (o: unknown): void => {
      if (Array.isArray(o)) o.forEach(walk);
      else if (o && typeof o === 'object') {
        const r = o as Record<string, unknown>;
        if (typeof r.document === 'string' && typeof r.quote === 'string') refs.push(r as { document: string; quote: string });
        else Object.values(r).forEach(walk);
      }
    };
    walk(raw);
    expect(refs.length).toBeGreaterThan(12);
    const text = (id: string) => {
      const doc = pack.manifest.documents.find((d) => d.id === id);
      return fs.readFileSync(pack.file(doc ? doc.file : `documents/${id}.md`), 'utf8');
    };
    for (const r of refs) expect(text(r.document), r.quote).toContain(r.quote);
  });

  it('a second city runs through the same code with its own numbers and words', () => {
    const other = loadEligibility(loadPack('testcity', path.join(here, 'fixtures', 'packs')));
    const r = other.assess({ region: '乙', industry: '滚珠', annualRevenue: 500, targetLevel: 3, investment: 200, year: 3 });
    expect(r).toMatchObject({ status: 'estimate', inScope: true, scale: 'aboveScale', subsidyCap: 20, region: { name: '乙县', focus: true } });
    expect(r.arithmetic).toBe('min(40万元, 200万元 × 10% = 20万元) = 20万元');
    expect(other.assess({ region: '甲区', industry: '轴承', scale: '规上', targetLevel: 2 }).status).toBe('no_subsidy');
    expect(other.assess({ region: '永康市', industry: '轴承' }).reasons[0]).toMatch(/不在测试市/);
    expect(r.citations[0].document).toBe('测试市实施办法');
  });
});
