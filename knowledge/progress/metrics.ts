/**
 * Progress figures against the pack's 表1 targets, as pure functions over enterprise and output records
 * (a programme has hundreds of enterprises, so computing in memory keeps every figure explainable and
 * testable by hand). Counts per stage (`reached` at least / `current`), every KPI with its target and the
 * share of the target, per year (the year's increment and the running total) and per region × industry.
 * Targets are city-wide: a district's figure is shown against the city target as its contribution.
 */
import type { EnterpriseMeasure, Kpi, TargetsSection } from './pack.ts';
import { STAGES, STAGE_NAMES, SRDI_NAMES, reached, type EnterpriseRecord, type OutputRecord, type StageName, type SrdiStatus } from './model.ts';

export interface Scope {
  region?: string;
  industry?: string;
}

export type StageCounts = Record<StageName, number>;

export function stageCounts(enterprises: readonly EnterpriseRecord[]): { reached: StageCounts; current: StageCounts } {
  const reachedCounts = Object.fromEntries(STAGES.map((s) => [STAGE_NAMES[s], 0])) as StageCounts;
  const current = { ...reachedCounts };
  for (const e of enterprises) {
    current[STAGE_NAMES[e.stage]]++;
    for (const s of STAGES) if (reached(e.stage, s)) reachedCounts[STAGE_NAMES[s]]++;
  }
  return { reached: reachedCounts, current };
}

/**
 * Stage counts as they stood at the end of `date`: an enterprise's stage then is the furthest stage it had
 * reached by that date (enterprises not yet enrolled by then are left out).
 */
export function stageCountsAsOf(enterprises: readonly EnterpriseRecord[], date: string): { reached: StageCounts; current: StageCounts } {
  const asOf: EnterpriseRecord[] = [];
  for (const e of enterprises) {
    const stage = [...STAGES].reverse().find((s) => reached(e.stage, s) && (e.reachedOn[s] ?? '9999') <= date);
    if (stage) asOf.push({ ...e, stage });
  }
  return stageCounts(asOf);
}

export function inScope<T extends { region: string | null; industry: string | null }>(rows: readonly T[], scope: Scope): T[] {
  return rows.filter((r) => (!scope.region || r.region === scope.region) && (!scope.industry || r.industry === scope.industry));
}

export function matchesMeasure(e: EnterpriseRecord, m: EnterpriseMeasure): boolean {
  if (!reached(e.stage, m.stage)) return false;
  if (m.scale && e.scale !== m.scale) return false;
  if (m.srdi && !m.srdi.includes(e.srdi)) return false;
  if (m.cloud !== undefined && e.cloud !== m.cloud) return false;
  if (m.minLevel !== undefined && (e.level === null || e.level < m.minLevel)) return false;
  return true;
}

/** The date an enterprise met the measure: the date it reached the measure's stage. */
function metOn(e: EnterpriseRecord, m: EnterpriseMeasure): string | undefined {
  return e.reachedOn[m.stage];
}

const yearEnd = (y: number) => `${y}-12-31`;
const inYear = (date: string | undefined, y: number) => !!date && date.startsWith(`${y}-`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export interface YearFigure {
  year: number;
  /** The year's target (表1 column) and what was achieved in that year. */
  target: number;
  actual: number;
  /** Running totals through the end of the year. */
  cumulativeTarget: number;
  cumulativeActual: number;
  /** cumulativeActual / cumulativeTarget, 0–1 (null when the target is 0). */
  cumulativeRatio: number | null;
}

export interface KpiFigure {
  id: string;
  label: string;
  shortLabel: string;
  unit: string;
  clause: Kpi['clause'];
  /** Targets are set for the whole city (表1). */
  targetScope: 'city';
  /** The total target, or the year's when a year is asked. */
  target: number;
  /** A count, or a percentage (0–100) for share KPIs. */
  actual: number;
  /** actual / target, 0–1 and above; null when the target is 0. */
  ratio: number | null;
  numerator?: number;
  denominator?: number;
  byYear: YearFigure[];
}

interface Counter {
  /** Total now, and through the end of a year. */
  total(): { value: number; numerator?: number; denominator?: number };
  through(year: number): number;
}

function counterFor(kpi: Kpi, enterprises: readonly EnterpriseRecord[], outputs: readonly OutputRecord[]): Counter {
  const m = kpi.measure;
  if (m.kind === 'enterprises') {
    const hits = enterprises.filter((e) => matchesMeasure(e, m));
    return { total: () => ({ value: hits.length }), through: (y) => hits.filter((e) => (metOn(e, m) ?? '9999') <= yearEnd(y)).length };
  }
  if (m.kind === 'share') {
    const den = enterprises.filter((e) => matchesMeasure(e, m.denominator)).length;
    const num = enterprises.filter((e) => matchesMeasure(e, m.numerator));
    const pct = (n: number) => (den === 0 ? 0 : round((n / den) * 100));
    return {
      total: () => ({ value: pct(num.length), numerator: num.length, denominator: den }),
      through: (y) => pct(num.filter((e) => (metOn(e, m.numerator) ?? '9999') <= yearEnd(y)).length),
    };
  }
  const hits = outputs.filter((o) => o.kpiId === kpi.id);
  return { total: () => ({ value: hits.length }), through: (y) => hits.filter((o) => o.achievedOn <= yearEnd(y)).length };
}

const ratioOf = (actual: number, target: number) => (target === 0 ? null : round(actual / target, 4));

export function kpiFigure(kpi: Kpi, years: readonly number[], enterprises: readonly EnterpriseRecord[], outputs: readonly OutputRecord[], year?: number): KpiFigure {
  const c = counterFor(kpi, enterprises, outputs);
  let cumTarget = 0;
  const byYear: YearFigure[] = years.map((y, i) => {
    const target = kpi.byYear[String(y)] ?? 0;
    cumTarget += target;
    const cumulativeActual = c.through(y);
    const before = i === 0 ? 0 : c.through(years[i - 1]);
    return { year: y, target, actual: round(cumulativeActual - before), cumulativeTarget: round(cumTarget), cumulativeActual, cumulativeRatio: ratioOf(cumulativeActual, cumTarget) };
  });
  const total = c.total();
  const base = { id: kpi.id, label: kpi.label, shortLabel: kpi.shortLabel, unit: kpi.unit, clause: kpi.clause, targetScope: 'city' as const, byYear };
  if (year !== undefined) {
    const y = byYear.find((b) => b.year === year);
    const target = y?.target ?? 0;
    const actual = y?.actual ?? 0;
    return { ...base, target, actual, ratio: ratioOf(actual, target) };
  }
  return {
    ...base,
    target: kpi.total,
    actual: total.value,
    ratio: ratioOf(total.value, kpi.total),
    ...(total.numerator !== undefined ? { numerator: total.numerator, denominator: total.denominator } : {}),
  };
}

export interface SrdiCoverage {
  tier: SrdiStatus;
  label: string;
  /** In the programme (入库 or later), signed, and at 二级 or above after 达标. */
  enrolled: number;
  signed: number;
  atLevel2: number;
}

export function srdiCoverage(enterprises: readonly EnterpriseRecord[]): SrdiCoverage[] {
  return (['little-giant', 'srdi'] as const).map((tier) => {
    const es = enterprises.filter((e) => e.srdi === tier);
    return {
      tier,
      label: SRDI_NAMES[tier],
      enrolled: es.length,
      signed: es.filter((e) => reached(e.stage, 'signed')).length,
      atLevel2: es.filter((e) => reached(e.stage, 'qualified') && (e.level ?? 0) >= 2).length,
    };
  });
}

export interface BreakdownCell {
  region: string;
  industry: string;
  enterprises: number;
  reached: StageCounts;
  current: StageCounts;
  /** Actual figure per enterprise-based KPI id (outputs are not tied to one enterprise). */
  kpis: Record<string, number>;
}

export interface ProgressReport {
  scope: { region: string | null; industry: string | null; year: number | null };
  asOf: string;
  enterprises: number;
  reached: StageCounts;
  current: StageCounts;
  targets: KpiFigure[];
  srdiCoverage: SrdiCoverage[];
  breakdown: BreakdownCell[];
}

export function breakdown(enterprises: readonly EnterpriseRecord[], targets: TargetsSection, year?: number): BreakdownCell[] {
  const cells = new Map<string, EnterpriseRecord[]>();
  for (const e of enterprises) {
    const key = `${e.region}\u0000${e.industry}`;
    if (!cells.has(key)) cells.set(key, []);
    cells.get(key)!.push(e);
  }
  const enterpriseKpis = targets.kpis.filter((k) => k.measure.kind !== 'outputs');
  return [...cells.entries()]
    .map(([key, es]) => {
      const [region, industry] = key.split('\u0000');
      const counts = stageCounts(es);
      return {
        region,
        industry,
        enterprises: es.length,
        ...counts,
        kpis: Object.fromEntries(enterpriseKpis.map((k) => [k.id, kpiFigure(k, targets.years, es, [], year).actual])),
      };
    })
    .sort((a, b) => a.region.localeCompare(b.region, 'zh') || a.industry.localeCompare(b.industry));
}

export function progressReport(
  all: { enterprises: readonly EnterpriseRecord[]; outputs: readonly OutputRecord[] },
  targets: TargetsSection,
  scope: Scope & { year?: number },
  asOf: string,
): ProgressReport {
  const enterprises = inScope(all.enterprises, scope);
  const outputs = inScope(all.outputs, scope);
  return {
    scope: { region: scope.region ?? null, industry: scope.industry ?? null, year: scope.year ?? null },
    asOf,
    enterprises: enterprises.length,
    // For a year, the stages as they stood at its end; otherwise as they stand now.
    ...(scope.year === undefined ? stageCounts(enterprises) : stageCountsAsOf(enterprises, yearEnd(scope.year))),
    targets: targets.kpis.map((k) => kpiFigure(k, targets.years, enterprises, outputs, scope.year)),
    srdiCoverage: srdiCoverage(enterprises),
    breakdown: breakdown(enterprises, targets, scope.year),
  };
}
