/**
 * Reads eligibility facts out of one free-form message ("永康的，做电钻", "去年产值八千万，投入120万",
 * "规上，目标三级"). Amounts are assigned by the word before them (投入 → investment, 产值 → output,
 * 收入/营收 → revenue); an amount without such a word goes to the field the flow just asked about.
 */
import type { Pack } from '../../../knowledge/index.ts';
import { findAmounts, parseAmount, parseIndustry, parseLevel, parseRegion, parseScale, parseSrdi, toHalfWidth } from '../../../knowledge/parse/index.ts';
import { parseYearOrdinal } from '../../../knowledge/rules/index.ts';

export interface EligibilityFacts {
  region?: string;
  industry?: string;
  scale?: 'aboveScale' | 'belowScale';
  annualRevenue?: number;
  annualOutput?: number;
  srdi?: 'none' | 'srdi' | 'littleGiant';
  targetLevel?: number;
  investment?: number;
  year?: number;
}

export type MoneyField = 'annualRevenue' | 'annualOutput' | 'investment';

const MONEY_WORDS: [RegExp, MoneyField][] = [
  [/(投入|投资|花费|花|预算|改造费用|费用)[^，,。；;]{0,6}$/, 'investment'],
  [/(产值)[^，,。；;]{0,6}$/, 'annualOutput'],
  [/(营收|收入|销售额|营业额|主营)[^，,。；;]{0,6}$/, 'annualRevenue'],
];

export function extractFacts(text: string, pack: Pack, asking?: keyof EligibilityFacts): EligibilityFacts {
  const s = toHalfWidth(text);
  const facts: EligibilityFacts = {};
  const region = parseRegion(s, pack.regions);
  if (region.ok) facts.region = region.value.name;
  const industry = parseIndustry(s, pack.industries);
  if (industry.ok) facts.industry = industry.value.name;
  if (/规上|规下|规模以上|规模以下/.test(s)) {
    const r = parseScale(s);
    if (r.ok) facts.scale = r.value;
  }
  if (/专精特新|小巨人/.test(s)) {
    const r = parseSrdi(s);
    if (r.ok) facts.srdi = r.value;
  }
  if (/[一二两三四1-4]级|level|^[lL][1-4]$/.test(s)) {
    const r = parseLevel(s);
    if (r.ok) facts.targetLevel = r.value;
  }
  const yearWord = s.match(/第[一二12]年/);
  if (yearWord) facts.year = parseYearOrdinal(yearWord[0]);
  const amounts = findAmounts(s);
  for (const a of amounts) {
    const before = s.slice(Math.max(0, a.index - 12), a.index);
    const field = MONEY_WORDS.find(([re]) => re.test(before))?.[1];
    if (field) facts[field] = a.wan;
    else if (asking === 'investment' || asking === 'annualRevenue' || asking === 'annualOutput') facts[asking] ??= a.wan;
  }
  // A bare number answering a money question ("120") is read in 万元, the unit the question named.
  if ((asking === 'investment' || asking === 'annualRevenue' || asking === 'annualOutput') && facts[asking] === undefined && amounts.length === 0) {
    const r = parseAmount(s, { bareUnit: 'wan' });
    if (r.ok) facts[asking] = r.value.wan;
  }
  if (asking === 'year' && facts.year === undefined) {
    const n = parseYearOrdinal(s);
    if (!Number.isNaN(n)) facts.year = n;
  }
  if (asking === 'targetLevel' && facts.targetLevel === undefined) {
    const r = parseLevel(s);
    if (r.ok) facts.targetLevel = r.value;
  }
  return facts;
}
