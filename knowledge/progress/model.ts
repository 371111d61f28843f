/**
 * The programme's pipeline vocabulary: the seven stages an enterprise passes through (入库 → 签约 → 诊断 →
 * 实施 → 验收 → 达标 → 兑现), scale, 专精特新 tiers and digital levels, with their Chinese names and the
 * spellings people put in spreadsheets. This is the model every other progress module speaks; city facts
 * (targets, weights) are in the pack, not here.
 */
import type { OutputRow } from '../../db/index.ts';

export const STAGES = ['enrolled', 'signed', 'diagnosed', 'implementing', 'accepted', 'qualified', 'paid'] as const;
export type StageId = (typeof STAGES)[number];

export const STAGE_NAMES: Record<StageId, string> = {
  enrolled: '入库',
  signed: '签约',
  diagnosed: '诊断',
  implementing: '实施',
  accepted: '验收',
  qualified: '达标',
  paid: '兑现',
};
export type StageName = (typeof STAGE_NAMES)[StageId];

export function stageIndex(stage: StageId): number {
  return STAGES.indexOf(stage);
}

/** True when `stage` is `atLeast` or later in the pipeline. */
export function reached(stage: StageId, atLeast: StageId): boolean {
  return stageIndex(stage) >= stageIndex(atLeast);
}

export type Scale = 'above' | 'below';
export const SCALE_NAMES: Record<Scale, string> = { above: '规上', below: '规下' };

/** 专精特新 tiers, lowest first; 小巨人 is the national tier above a provincial 专精特新 SME. */
export type SrdiStatus = 'none' | 'innovative' | 'srdi' | 'little-giant';
export const SRDI_NAMES: Record<SrdiStatus, string> = {
  none: '否',
  innovative: '创新型中小企业',
  srdi: '专精特新中小企业',
  'little-giant': '专精特新“小巨人”',
};

export const LEVEL_NAMES = ['', '一级', '二级', '三级', '四级'] as const;
export type DigitalLevel = 1 | 2 | 3 | 4;

/** One enterprise as metrics see it: attributes plus the date each stage was first reached (ISO yyyy-mm-dd). */
export interface EnterpriseRecord {
  id: string;
  uscc: string;
  name: string;
  /** Region name as in the pack's regions.json. */
  region: string;
  /** Industry id as in the pack's industries.json. */
  industry: string;
  scale: Scale;
  srdi: SrdiStatus;
  cloud: boolean;
  level: DigitalLevel | null;
  stage: StageId;
  /** Date each stage up to `stage` was reached; a stage recorded without its own date takes the next dated one. */
  reachedOn: Partial<Record<StageId, string>>;
}

/**
 * One counted programme output (a 小快轻准 solution, a digital workshop, a chain model, an honour …);
 * kpiId is the 表1 KPI id, or a ranking output kind such as `honours`, it counts towards.
 */
export type OutputRecord = Pick<OutputRow, 'id' | 'kpiId' | 'name' | 'region' | 'industry' | 'achievedOn'>;

/**
 * Fills each reached stage's date from recorded dates: a stage without its own date takes the earliest
 * date recorded for a later reached stage (an enterprise that was accepted on D had signed by D).
 */
export function fillReachedDates(stage: StageId, recorded: Partial<Record<StageId, string>>): Partial<Record<StageId, string>> {
  const out: Partial<Record<StageId, string>> = {};
  let later: string | undefined;
  for (let i = stageIndex(stage); i >= 0; i--) {
    const s = STAGES[i];
    const own = recorded[s];
    if (own && (!later || own < later)) later = own;
    if (later) out[s] = later;
  }
  return out;
}
