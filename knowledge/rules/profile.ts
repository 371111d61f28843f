/**
 * The calculator's input: an enterprise profile as an API client, the CLI or the chat sends it. Numbers
 * may be numbers (万元) or strings as people write them ("8000万", "1.2亿"); levels may be 3 or "三级".
 * Everything is optional — a missing fact becomes "need more information", never a "no" — but a value
 * that is present and wrong is a field-level Chinese message (HTTP 400).
 */
import { AppError, type FieldErrors } from '../../db/index.ts';
import type { Pack } from '../pack/index.ts';
import type { Rules } from './schema.ts';
import {
  parseAmount,
  parseIndustry,
  parseLevel,
  parseRegion,
  parseScale,
  parseSrdi,
  toHalfWidth,
  type DigitalLevel,
  type IndustryMatch,
  type Parsed,
  type RegionMatch,
  type Scale,
  type SrdiStatus,
} from '../parse/index.ts';

export type Applicant = 'enterprise' | 'serviceProvider';

/** A place or industry named by the user that is not in the pack: kept, so the reason can name it. */
export interface Unlisted {
  unlisted: true;
  name: string;
}

export interface EligibilityProfile {
  region?: RegionMatch | Unlisted;
  industry?: IndustryMatch | Unlisted;
  scale?: Scale;
  /** 万元 */
  annualRevenue?: number;
  /** 万元 */
  annualOutput?: number;
  srdi?: SrdiStatus;
  targetLevel?: DigitalLevel;
  /** 万元 */
  investment?: number;
  year?: number;
  applicant?: Applicant;
}

export const PROFILE_FIELDS = ['region', 'industry', 'scale', 'annualRevenue', 'annualOutput', 'srdi', 'targetLevel', 'investment', 'year', 'applicant'] as const;

const empty = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function money(v: unknown, label: string, { positive }: { positive: boolean }): Parsed<number> {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return { ok: false, error: `${label}必须是数字（单位：万元）。` };
    if (v < 0 || (positive && v === 0)) return { ok: false, error: `${label}必须大于0（单位：万元）。` };
    return { ok: true, value: v };
  }
  if (typeof v !== 'string') return { ok: false, error: `${label}应为数字（万元）或“8000万”“1.2亿”这样的文字。` };
  const r = parseAmount(v, { bareUnit: 'wan' });
  if (!r.ok) return { ok: false, error: `${label}：${r.error}` };
  if (positive && r.value.wan === 0) return { ok: false, error: `${label}必须大于0。` };
  return { ok: true, value: r.value.wan };
}

/**
 * Validates and normalises raw input. Throws AppError('validation') with one Chinese message per bad
 * field; unknown fields are refused so a typo ("investmnet") is not silently "missing".
 */
export function parseProfile(input: unknown, pack: Pack, rules: Rules): EligibilityProfile {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw AppError.validation({ _: '请求体应为 JSON 对象，例如 {"region":"永康市","industry":"电动工具"}。' });
  const raw = input as Record<string, unknown>;
  const errors: FieldErrors = {};
  const profile: EligibilityProfile = {};
  for (const key of Object.keys(raw))
    if (!(PROFILE_FIELDS as readonly string[]).includes(key)) errors[key] = `不认识的字段“${key}”。可用字段：${PROFILE_FIELDS.join('、')}。`;

  const text = (key: string, label: string): string | undefined => {
    const v = raw[key];
    if (empty(v)) return undefined;
    if (typeof v !== 'string') {
      errors[key] = `${label}应为文字。`;
      return undefined;
    }
    return toHalfWidth(v).trim();
  };

  const region = text('region', '所在区县');
  if (region !== undefined) {
    const r = parseRegion(region, pack.regions);
    profile.region = r.ok ? r.value : { unlisted: true, name: region };
    if (!r.ok && /和|、|,|，/.test(region) && r.error.includes('只选择')) errors.region = r.error;
  }
  const industry = text('industry', '所属行业');
  if (industry !== undefined) {
    const r = parseIndustry(industry, pack.industries);
    profile.industry = r.ok ? r.value : { unlisted: true, name: industry };
    if (!r.ok && r.error.includes('请选择企业主营业务所属的一个行业')) errors.industry = r.error;
  }
  if (!empty(raw.scale)) {
    const v = raw.scale;
    const r: Parsed<Scale> = v === 'aboveScale' || v === 'belowScale' ? { ok: true, value: v } : typeof v === 'string' ? parseScale(v) : { ok: false, error: '' };
    if (r.ok) profile.scale = r.value;
    else errors.scale = '企业规模应为“规上”（aboveScale）或“规下”（belowScale）。';
  }
  for (const [key, label, positive] of [
    ['annualRevenue', '年主营业务收入', false],
    ['annualOutput', '年产值', false],
    ['investment', '实际投入', true],
  ] as const) {
    if (empty(raw[key])) continue;
    const r = money(raw[key], label, { positive });
    if (r.ok) profile[key] = r.value;
    else errors[key] = r.error;
  }
  if (!empty(raw.srdi)) {
    const v = raw.srdi;
    const r: Parsed<SrdiStatus> =
      typeof v === 'boolean' ? { ok: true, value: v ? 'srdi' : 'none' } : v === 'none' || v === 'srdi' || v === 'littleGiant' ? { ok: true, value: v } : typeof v === 'string' ? parseSrdi(v) : { ok: false, error: '' };
    if (r.ok) profile.srdi = r.value;
    else errors.srdi = '专精特新状态应为 true/false，或 "srdi"（专精特新中小企业）、"littleGiant"（小巨人）、"none"。';
  }
  if (!empty(raw.targetLevel)) {
    const v = raw.targetLevel;
    const r: Parsed<DigitalLevel> =
      typeof v === 'number' ? (Number.isInteger(v) && v >= 1 && v <= 4 ? { ok: true, value: v as DigitalLevel } : { ok: false, error: '' }) : typeof v === 'string' ? parseLevel(v) : { ok: false, error: '' };
    if (r.ok) profile.targetLevel = r.value;
    else errors.targetLevel = '目标数字化等级应为1—4（一级至四级）。';
  }
  if (!empty(raw.year)) {
    const v = raw.year;
    const n = typeof v === 'number' ? v : typeof v === 'string' ? parseYearOrdinal(v) : NaN;
    const years = rules.retrofitSubsidy.yearRates.map((y) => y.year);
    if (years.includes(n)) profile.year = n;
    else errors.year = `实施年度应为${years.join('或')}（试点实施期自批复日起的第几年）。`;
  }
  if (!empty(raw.applicant)) {
    if (raw.applicant === 'enterprise' || raw.applicant === 'serviceProvider') profile.applicant = raw.applicant;
    else errors.applicant = '申报主体应为 "enterprise"（企业）或 "serviceProvider"（服务商/总包商）。';
  }
  if (Object.keys(errors).length) throw AppError.validation(errors);
  return profile;
}

/** "第一年", "1", "第2年" → 1 / 2; anything else NaN. */
export function parseYearOrdinal(text: string): number {
  const s = toHalfWidth(text).replace(/\s+/g, '');
  const m = s.match(/^第?([1-9一二两三四五])年?(度)?$/);
  if (!m) return NaN;
  return { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5 }[m[1]] ?? Number(m[1]);
}
