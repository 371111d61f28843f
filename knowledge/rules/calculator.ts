/**
 * The deterministic eligibility and subsidy calculator. Given a profile and the pack's rules it says
 * whether the enterprise is in the pilot's scope, the retrofit subsidy cap — min(cap by level reached,
 * year rate × actual investment) — the one-off awards it may also compete for, and why, with the clause
 * behind every number and the arithmetic written out. Money is computed in 分 (BigInt), so the printed
 * arithmetic is exact. A missing fact yields "need more information" and the list of what is missing.
 */
import type { Citation } from '../types.ts';
import type { ClauseRef, Pack } from '../pack/index.ts';
import { fenToWanText, type Scale, type SrdiStatus } from '../parse/index.ts';
import { citationResolver, type CitationResolver } from './citations.ts';
import type { EligibilityProfile, Unlisted } from './profile.ts';
import type { Rules } from './schema.ts';

export type EligibilityStatus = 'estimate' | 'needs_info' | 'out_of_scope' | 'no_subsidy';

export interface MissingFact {
  field: 'region' | 'industry' | 'scale' | 'targetLevel' | 'investment' | 'year';
  label: string;
}

export interface AwardOption {
  id: string;
  name: string;
  /** 万元 */
  amount: number;
  upTo: boolean;
  condition: string;
  citation: Citation;
}

export interface EligibilityResult {
  status: EligibilityStatus;
  /** null while region or industry is unknown. */
  inScope: boolean | null;
  region: { name: string; focus: boolean | null } | null;
  industry: string | null;
  scale: Scale | null;
  outputTier: { id: string; label: string } | null;
  srdi: SrdiStatus | null;
  /** Retrofit subsidy cap in 万元; null when it cannot be computed yet. */
  subsidyCap: number | null;
  levelCap: number | null;
  yearPercent: number | null;
  awards: AwardOption[];
  reasons: string[];
  missing: MissingFact[];
  citations: Citation[];
  arithmetic: string | null;
  /** Funding rules and the disclaimer the user must see with any amount. */
  notes: string[];
}

export const MISSING_LABELS: Record<MissingFact['field'], string> = {
  region: '企业所在区县',
  industry: '所属行业',
  scale: '企业规模（规上/规下）或上年主营业务收入',
  targetLevel: '改造后目标数字化水平等级（二级/三级/四级）',
  investment: '数字化改造实际投入（万元）',
  year: '试点实施期第几年（自批复日起）',
};

const toFen = (wan: number): bigint => BigInt(Math.round(wan * 1_000_000));
const wan = (fen: bigint): string => `${fenToWanText(fen)}万元`;
const isUnlisted = (v: unknown): v is Unlisted => typeof v === 'object' && v !== null && 'unlisted' in v;

export interface Calculator {
  rules: Rules;
  evaluate(profile: EligibilityProfile): EligibilityResult;
  /** The ClauseRef → Citation mapping the calculator uses, for other features quoting the same rules. */
  cite: CitationResolver;
}

export function createCalculator(pack: Pack, rules: Rules): Calculator {
  const cite = citationResolver(pack);
  const city = pack.manifest.city;
  const industryNames = pack.industries.industries.map((i) => i.name).join('、');
  const cityProper = pack.regions.cityProper;

  /** A region is a focus region of an industry if it is listed, or is a member of a listed city proper. */
  const isFocus = (regionName: string, members: string[], industryId: string): boolean => {
    const focus = pack.industries.industries.find((i) => i.id === industryId)?.focusRegions ?? [];
    const expanded = new Set(focus.flatMap((f) => (cityProper && f === cityProper.name ? [f, ...cityProper.members] : [f])));
    return expanded.has(regionName) || members.length > 0 && members.every((m) => expanded.has(m));
  };

  function evaluate(p: EligibilityProfile): EligibilityResult {
    const reasons: string[] = [];
    const refs: ClauseRef[] = [];
    const missing: MissingFact[] = [];
    const need = (field: MissingFact['field']) => missing.push({ field, label: MISSING_LABELS[field] });
    const r = rules.retrofitSubsidy;

    // Scope: region and industry.
    let inScope: boolean | null = null;
    let regionOut: EligibilityResult['region'] = null;
    let industryOut: string | null = null;
    const outside: string[] = [];
    if (!p.region) need('region');
    else if (isUnlisted(p.region)) {
      outside.push(`“${p.region.name}”不在${city}的区县范围内，不属于本次${city}试点补助的范围。`);
      regionOut = { name: p.region.name, focus: false };
    } else regionOut = { name: p.region.name, focus: null };
    if (!p.industry) need('industry');
    else if (isUnlisted(p.industry)) {
      outside.push(`“${p.industry.name}”不属于本次试点行业（${industryNames}），不在试点补助范围内。`);
      industryOut = p.industry.name;
    } else industryOut = p.industry.name;
    if (outside.length) {
      inScope = false;
      reasons.push(...outside);
      refs.push(rules.scope.industriesCitation);
    } else if (p.region && p.industry && !isUnlisted(p.region) && !isUnlisted(p.industry)) {
      inScope = true;
      const focus = isFocus(p.region.name, p.region.members, p.industry.id);
      regionOut = { name: p.region.name, focus };
      if (focus) reasons.push(`${p.region.name}是${p.industry.name}行业的重点实施地区。`);
      else reasons.push(`${p.region.name}不是${p.industry.name}行业的重点实施地区，但属于“${rules.scope.otherRegions.label}”地区，同样可以申报试点。`);
      refs.push(focus ? rules.scope.industriesCitation : rules.scope.otherRegions.citation);
    }
    if (p.applicant === 'serviceProvider') {
      reasons.push(`数字化改造补助面向${rules.scope.applicant}，服务商/总包商不适用；服务商可关注下列产品奖励。`);
    }

    // Scale: revenue decides when given; a stated 规上/规下 that contradicts it is pointed out.
    let scale: Scale | null = p.scale ?? null;
    const min = rules.scale.aboveScaleMinRevenue;
    if (p.annualRevenue !== undefined) {
      const fromRevenue: Scale = p.annualRevenue >= min ? 'aboveScale' : 'belowScale';
      if (p.scale && p.scale !== fromRevenue)
        reasons.push(`您选择了“${p.scale === 'aboveScale' ? '规上' : '规下'}”，但按年主营业务收入${wan(toFen(p.annualRevenue))}应为“${fromRevenue === 'aboveScale' ? '规上' : '规下'}”，以下按收入判断。`);
      scale = fromRevenue;
      reasons.push(
        fromRevenue === 'aboveScale'
          ? `年主营业务收入${wan(toFen(p.annualRevenue))}，达到规上标准（≥${min}万元）。`
          : `年主营业务收入${wan(toFen(p.annualRevenue))}，低于规上标准（${min}万元），属于规下企业；${rules.scale.belowScaleNote}。`,
      );
      refs.push(rules.scale.citation);
      if (fromRevenue === 'belowScale') refs.push(rules.scale.belowScaleCitation);
    } else if (scale) {
      reasons.push(scale === 'aboveScale' ? `规上企业（年主营业务收入≥${min}万元）。` : `规下企业：${rules.scale.belowScaleNote}。`);
      refs.push(scale === 'aboveScale' ? rules.scale.citation : rules.scale.belowScaleCitation);
    } else need('scale');

    // Output tier (batching of pilot selection) and 专精特新 priority: informative, never exclusive.
    let outputTier: EligibilityResult['outputTier'] = null;
    if (p.annualOutput !== undefined) {
      const v = p.annualOutput;
      const t = rules.outputTiers.tiers.find(
        (t) => (t.min === undefined || (t.minInclusive ? v >= t.min : v > t.min)) && (t.max === undefined || (t.maxInclusive ? v <= t.max : v < t.max)),
      );
      if (t) {
        outputTier = { id: t.id, label: t.label };
        reasons.push(`年产值${wan(toFen(v))}，属于“${t.label}”档（试点企业按年产值分档分批遴选）。`);
        refs.push(rules.outputTiers.citation);
      }
    }
    if (p.srdi === 'srdi' || p.srdi === 'littleGiant') {
      reasons.push(`${p.srdi === 'littleGiant' ? '专精特新“小巨人”企业' : '专精特新中小企业'}：${rules.priority.srdi}。`);
      refs.push(rules.priority.citation);
    }

    // Retrofit subsidy: min(cap by level, year rate × investment); nothing below the minimum level.
    let subsidyCap: number | null = null;
    let levelCap: number | null = null;
    let yearPercent: number | null = null;
    let arithmetic: string | null = null;
    const enterprise = p.applicant !== 'serviceProvider';
    if (enterprise && inScope !== false) {
      if (p.targetLevel === undefined) need('targetLevel');
      const belowMin = p.targetLevel !== undefined && p.targetLevel < r.minLevel;
      if (p.investment === undefined && !belowMin) need('investment');
      if (p.year === undefined && !belowMin) need('year');
      if (p.targetLevel !== undefined) {
        refs.push(r.capsCitation);
        const entry = r.capsByLevel.find((c) => c.level === p.targetLevel);
        if (p.targetLevel < r.minLevel || !entry) {
          levelCap = 0;
          reasons.push(`改造后数字化水平需达到${levelName(r.minLevel)}及以上才有${r.name}；目标${levelName(p.targetLevel)}没有该项补助。`);
        } else {
          levelCap = entry.cap;
          reasons.push(`改造后达到${levelName(entry.level)}，补助最高${wan(toFen(entry.cap))}。`);
        }
      }
      const rate = p.year === undefined ? undefined : r.yearRates.find((y) => y.year === p.year);
      if (rate) {
        yearPercent = rate.percent;
        refs.push(r.yearCitation);
      }
      if (levelCap === 0) {
        subsidyCap = 0;
        arithmetic = `目标${levelName(p.targetLevel!)}低于${levelName(r.minLevel)}：补助 = 0万元`;
      } else if (levelCap !== null && rate && p.investment !== undefined) {
        const inv = toFen(p.investment);
        const byRate = (inv * BigInt(Math.round(rate.percent * 100))) / 10_000n;
        const capFen = toFen(levelCap);
        const result = byRate < capFen ? byRate : capFen;
        subsidyCap = Number(fenToWanText(result));
        reasons.push(`${rate.label}按不超过${r.basis}的${rate.percent}%：${wan(inv)} × ${rate.percent}% = ${wan(byRate)}。`);
        reasons.push(`补助上限取两者中较小的：${wan(result)}。`);
        arithmetic = `min(${wan(capFen)}, ${wan(inv)} × ${rate.percent}% = ${wan(byRate)}) = ${wan(result)}`;
      }
    }

    const awards: AwardOption[] =
      inScope === false
        ? []
        : rules.awards
            .filter((a) => a.audience === (enterprise ? 'enterprise' : 'serviceProvider'))
            .map((a) => ({ id: a.id, name: a.name, amount: a.amount, upTo: a.upTo, condition: a.condition, citation: cite(a.citation) }));

    // Out of scope is a definite answer: nothing else needs asking.
    if (inScope === false) missing.length = 0;
    const status: EligibilityStatus =
      inScope === false ? 'out_of_scope' : missing.length ? 'needs_info' : subsidyCap === 0 && enterprise ? 'no_subsidy' : 'estimate';
    if (inScope === false) subsidyCap = 0;
    const notes = [
      `资金来源：中央补助与地方资金按${rules.funding.centralToLocal[0]}:${rules.funding.centralToLocal[1]}配套。`,
      `${rules.funding.allocationNote}。`,
      rules.disclaimer,
    ];
    if (subsidyCap !== null && subsidyCap > 0) refs.push(rules.funding.ratioCitation, rules.funding.allocationCitation);
    return {
      status,
      inScope,
      region: regionOut,
      industry: industryOut,
      scale,
      outputTier,
      srdi: p.srdi ?? null,
      subsidyCap,
      levelCap,
      yearPercent,
      awards,
      reasons,
      missing,
      citations: dedupe(refs.map(cite)),
      arithmetic,
      notes,
    };
  }

  return { rules, evaluate, cite };
}

const LEVEL_NAMES = ['', '一级', '二级', '三级', '四级'];
export const levelName = (n: number): string => LEVEL_NAMES[n] ?? `${n}级`;

function dedupe(citations: Citation[]): Citation[] {
  const seen = new Set<string>();
  return citations.filter((c) => {
    const key = `${c.documentId}|${c.section}|${c.quote}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
