/**
 * The quarterly district ranking (晾晒, clause 四（二）11): each region's raw figure per criterion in the
 * quarter, each criterion scaled to 0–100 against the best region (so criteria in 家 and in % can be
 * added), then weighted with the pack's weights. Equal scores share a rank (1, 2, 2, 4).
 */
import type { CriterionMeasure, RankingSection } from './pack.ts';
import { reached, type EnterpriseRecord, type OutputRecord } from './model.ts';

export interface Quarter {
  year: number;
  q: 1 | 2 | 3 | 4;
}

export function quarterOf(date: string): Quarter {
  const [y, m] = date.split('-').map(Number);
  return { year: y, q: (Math.floor((m - 1) / 3) + 1) as Quarter['q'] };
}

export function previousQuarter(q: Quarter): Quarter {
  return q.q === 1 ? { year: q.year - 1, q: 4 } : { year: q.year, q: (q.q - 1) as Quarter['q'] };
}

export function quarterRange(q: Quarter): { from: string; to: string } {
  const startMonth = (q.q - 1) * 3 + 1;
  const endMonth = startMonth + 2;
  const lastDay = new Date(Date.UTC(q.year, endMonth, 0)).getUTCDate();
  return { from: `${q.year}-${String(startMonth).padStart(2, '0')}-01`, to: `${q.year}-${String(endMonth).padStart(2, '0')}-${lastDay}` };
}

export function quarterLabel(q: Quarter): string {
  return `${q.year}年第${'一二三四'[q.q - 1]}季度`;
}

/** "2025Q3", "2025-Q3", "2025年第三季度", "2025年3季度". */
export function parseQuarter(text: string): Quarter | null {
  const m = /(\d{4})\s*(?:-?\s*[Qq]\s*([1-4])|年\s*第?\s*([一二三四1-4])\s*季度?)/.exec(text);
  if (!m) return null;
  const d = m[2] ?? m[3];
  const q = '一二三四'.includes(d) ? '一二三四'.indexOf(d) + 1 : Number(d);
  return { year: Number(m[1]), q: q as Quarter['q'] };
}

export interface RankingRow {
  region: string;
  rank: number;
  score: number;
  /** Raw figure per criterion id. */
  values: Record<string, number>;
  /** 0–100 per criterion id, against the best region. */
  normalized: Record<string, number>;
}

export interface RankingResult {
  quarter: Quarter;
  label: string;
  from: string;
  to: string;
  criteria: { id: string; label: string; weight: number; unit: string }[];
  rows: RankingRow[];
  topN: number;
  pendingWeights: boolean;
}

const within = (d: string | undefined, from: string, to: string) => !!d && d >= from && d <= to;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function measure(m: CriterionMeasure, es: readonly EnterpriseRecord[], outs: readonly OutputRecord[], from: string, to: string): number {
  switch (m.kind) {
    case 'stage-in-period':
      return es.filter((e) => reached(e.stage, m.stage) && within(e.reachedOn[m.stage], from, to)).length;
    case 'stage-rate-at-end': {
      const by = (s: typeof m.stage) => es.filter((e) => reached(e.stage, s) && (e.reachedOn[s] ?? '9999') <= to).length;
      const among = by(m.among);
      return among === 0 ? 0 : round((by(m.stage) / among) * 100);
    }
    case 'outputs-in-period':
      return outs.filter((o) => m.kpis.includes(o.kpiId) && within(o.achievedOn, from, to)).length;
  }
}

export function quarterRanking(
  data: { enterprises: readonly EnterpriseRecord[]; outputs: readonly OutputRecord[] },
  config: RankingSection,
  regions: readonly string[],
  quarter: Quarter,
  industry?: string,
): RankingResult {
  const { from, to } = quarterRange(quarter);
  const es = industry ? data.enterprises.filter((e) => e.industry === industry) : data.enterprises;
  const outs = industry ? data.outputs.filter((o) => o.industry === industry) : data.outputs;
  const raw = regions.map((region) => ({
    region,
    values: Object.fromEntries(
      config.criteria.map((c) => [c.id, measure(c.measure, es.filter((e) => e.region === region), outs.filter((o) => o.region === region), from, to)]),
    ),
  }));
  const max = Object.fromEntries(config.criteria.map((c) => [c.id, Math.max(0, ...raw.map((r) => r.values[c.id]))]));
  const scored = raw.map((r) => {
    const normalized = Object.fromEntries(config.criteria.map((c) => [c.id, max[c.id] === 0 ? 0 : round((r.values[c.id] / max[c.id]) * 100)]));
    // Score from unrounded parts, then round once, so equal inputs always tie.
    const score = round(config.criteria.reduce((sum, c) => sum + c.weight * (max[c.id] === 0 ? 0 : (r.values[c.id] / max[c.id]) * 100), 0), 2);
    return { ...r, normalized, score };
  });
  scored.sort((a, b) => b.score - a.score || regions.indexOf(a.region) - regions.indexOf(b.region));
  const rows: RankingRow[] = scored.map((r) => ({ ...r, rank: 1 + scored.filter((o) => o.score > r.score).length }));
  return {
    quarter,
    label: quarterLabel(quarter),
    from,
    to,
    criteria: config.criteria.map((c) => ({ id: c.id, label: c.label, weight: c.weight, unit: c.unit })),
    rows,
    topN: config.topN,
    pendingWeights: config.pending.some((p) => p.startsWith('criteria')),
  };
}
