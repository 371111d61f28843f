/**
 * Words with a closed set of meanings: regions and industries (names and aliases come from the pack, so
 * another city's words need no code), digital levels, scale, 专精特新 status and yes/no. Each matcher
 * looks for the longest known word inside a colloquial reply ("永康的，做电钻"), and refuses to pick
 * when a reply names two different things.
 */
import type { IndustriesSection, RegionsSection } from '../pack/index.ts';
import { fail, ok, toHalfWidth, type Parsed } from './result.ts';

export interface RegionMatch {
  /** Canonical name: a region (永康市) or the city proper (金华市区). */
  name: string;
  kind: 'region' | 'cityProper';
  /** Regions it covers: itself, or the city proper's members. */
  members: string[];
  code: string | null;
}

export interface IndustryMatch {
  id: string;
  name: string;
}

interface Entry<T> {
  word: string;
  value: T;
  key: string;
}

/** Longest-match lookup of known words inside free text; two different values of equal standing → ambiguous. */
function lookup<T>(text: string, entries: Entry<T>[]): { value: T } | { ambiguous: T[] } | null {
  const s = toHalfWidth(text).replace(/\s+/g, '');
  const hits = entries.filter((e) => s.includes(e.word));
  if (hits.length === 0) return null;
  // Drop hits that are part of a longer hit ("金华市区" contains "市区"): the longer word wins.
  const maximal = hits.filter((h) => !hits.some((o) => o !== h && o.word.length > h.word.length && o.word.includes(h.word)));
  const keys = new Map(maximal.map((h) => [h.key, h.value]));
  if (keys.size === 1) return { value: maximal[0].value };
  return { ambiguous: [...keys.values()] };
}

export function regionEntries(regions: RegionsSection): Entry<RegionMatch>[] {
  const out: Entry<RegionMatch>[] = [];
  for (const r of regions.regions) {
    const value: RegionMatch = { name: r.name, kind: 'region', members: [r.name], code: r.code };
    for (const word of new Set([r.name, ...r.aliases])) out.push({ word, value, key: r.name });
  }
  const cp = regions.cityProper;
  if (cp) {
    const value: RegionMatch = { name: cp.name, kind: 'cityProper', members: [...cp.members], code: null };
    for (const word of new Set([cp.name, ...cp.aliases])) out.push({ word, value, key: cp.name });
  }
  return out;
}

export function regionNames(regions: RegionsSection): string[] {
  return [...(regions.cityProper ? [regions.cityProper.name] : []), ...regions.regions.map((r) => r.name)];
}

export function parseRegion(text: string, regions: RegionsSection): Parsed<RegionMatch> {
  const found = lookup(text, regionEntries(regions));
  if (!found) return fail(`没有识别出所在区县，请从以下选择或直接输入：${regionNames(regions).join('、')}。`);
  if ('ambiguous' in found) return fail(`您提到了${found.ambiguous.map((r) => r.name).join('、')}，请只选择企业注册所在的一个区县。`);
  return ok(found.value);
}

export function industryEntries(industries: IndustriesSection): Entry<IndustryMatch>[] {
  return industries.industries.flatMap((i) => [...new Set([i.name, ...i.aliases])].map((word) => ({ word, value: { id: i.id, name: i.name }, key: i.id })));
}

export function parseIndustry(text: string, industries: IndustriesSection): Parsed<IndustryMatch> {
  const found = lookup(text, industryEntries(industries));
  const names = industries.industries.map((i) => i.name).join('、');
  if (!found) return fail(`没有识别出所属行业。本次试点行业为：${names}，请选择或说明企业主要产品。`);
  if ('ambiguous' in found) return fail(`您提到了${found.ambiguous.map((i) => i.name).join('、')}，请选择企业主营业务所属的一个行业。`);
  return ok(found.value);
}

export type DigitalLevel = 1 | 2 | 3 | 4;
const LEVEL_DIGIT: Record<string, DigitalLevel> = { '1': 1, '2': 2, '3': 3, '4': 4, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4 };

export function parseLevel(text: string): Parsed<DigitalLevel> {
  const s = toHalfWidth(text).replace(/\s+/g, '').toLowerCase();
  const m = s.match(/([1-4一二两三四])级/) ?? s.match(/(?:level|l|lv)([1-4])/) ?? s.match(/^([1-4一二三四])$/);
  if (m) return ok(LEVEL_DIGIT[m[1]]);
  if (/[5-9五六七八九]级/.test(s)) return fail('数字化水平只分一级至四级，请选择一级、二级、三级或四级。');
  return fail('请选择数字化水平等级：一级、二级、三级或四级。');
}

export type Scale = 'aboveScale' | 'belowScale';

export function parseScale(text: string): Parsed<Scale> {
  const s = toHalfWidth(text).replace(/\s+/g, '');
  if (/规下|规模以下|不是规上|非规上|不到规上|没有规上/.test(s)) return ok('belowScale');
  if (/规上|规模以上/.test(s)) return ok('aboveScale');
  return fail('请选择：规上（年主营业务收入2000万元及以上）或规下。');
}

export type SrdiStatus = 'none' | 'srdi' | 'littleGiant';

export function parseSrdi(text: string): Parsed<SrdiStatus> {
  const s = toHalfWidth(text).replace(/\s+/g, '');
  if (/^(不是|没有|否|无|都不是|还不是|未|暂无|不)/.test(s)) return ok('none');
  if (/小巨人/.test(s)) return ok('littleGiant');
  if (/专精特新/.test(s)) return ok('srdi');
  const yn = parseYesNo(s);
  if (yn.ok) return ok(yn.value ? 'srdi' : 'none');
  return fail('请选择：专精特新“小巨人”、专精特新中小企业，或都不是。');
}

const YES = /^(是|有|对|嗯|好|行|可以|同意|确认|确定|当然|没问题|没错|ok|okay|yes|yep|y|是的|对的|好的|👍)/i;
const NO = /^(不|没|无|否|别|算了|no|nope|n)(?![a-z])/i;

export function parseYesNo(text: string): Parsed<boolean> {
  const s = toHalfWidth(text).trim().replace(/^[\s,.!?，。！？~～]+|[\s,.!?，。！？~～]+$/g, '');
  if (/^(没问题|没错)/.test(s)) return ok(true);
  if (NO.test(s)) return ok(false);
  if (YES.test(s)) return ok(true);
  return fail('请回答“是”或“否”。');
}
