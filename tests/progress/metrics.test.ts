// Metrics and the 晾晒 ranking on the ten-enterprise fixture, against figures worked out by hand (see the
// comments: each number is derived from fixtures.ts, not from running the code).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPack } from '../../knowledge/index.ts';
import { loadProgressPack, progressReport, quarterRanking, stageCounts, parseQuarter, quarterRange, fillReachedDates } from '../../knowledge/progress/index.ts';
import { FIXTURE_ENTERPRISES as ES, FIXTURE_OUTPUTS as OS } from './fixtures.ts';

const pack = loadPack('jinhua');
const pp = loadProgressPack(pack);
const regions = pack.regions.regions.map((r) => r.name);
const data = { enterprises: ES, outputs: OS };
const kpi = (r: ReturnType<typeof progressReport>, id: string) => r.targets.find((k) => k.id === id)!;

describe('pack targets (表1)', () => {
  it('has every 表1 row with its exact label, yearly targets and total', () => {
    const t = pp.targets;
    expect(t.kpis).toHaveLength(14);
    const above = t.kpis.find((k) => k.id === 'above-scale-retrofit')!;
    expect(above).toMatchObject({ label: '拟改造规上工业中小企业数量（家）', byYear: { 2024: 93, 2025: 242, 2026: 226 }, total: 561 });
    expect(t.kpis.find((k) => k.id === 'above-scale-level2-share')).toMatchObject({ unit: '%', total: 93, byYear: { 2024: 15, 2025: 40, 2026: 38 } });
    expect(t.kpis.find((k) => k.id === 'little-giants')).toMatchObject({ label: '拟改造企业中专精特新“小巨人”企业数量', total: 17 });
    expect(t.kpis.find((k) => k.id === 'srdi-smes')!.total).toBe(158);
    expect(t.kpis.find((k) => k.id === 'cloud')!.total).toBe(505);
    // Every label appears verbatim in the primary document.
    const text = fs.readFileSync(pack.file('documents/jinhua-sme-digital-pilot-implementation-opinions.txt'), 'utf8');
    for (const k of t.kpis) expect(text).toContain(k.label);
    expect(pp.ranking.criteria.map((c) => c.label)).toEqual(['签约数量', '实施进展', '验收数量', '获得荣誉']);
    expect(pp.ranking.pending.length).toBeGreaterThan(0);
  });
});

describe('metrics on the fixture', () => {
  it('fills undated stages from the next dated one', () => {
    expect(fillReachedDates('qualified', { signed: '2024-10-10', accepted: '2025-03-01', qualified: '2025-04-01' })).toEqual({
      enrolled: '2024-10-10', signed: '2024-10-10', diagnosed: '2025-03-01', implementing: '2025-03-01', accepted: '2025-03-01', qualified: '2025-04-01',
    });
  });

  it('counts reached-at-least and current per stage', () => {
    const c = stageCounts(ES);
    expect(c.reached).toEqual({ 入库: 10, 签约: 9, 诊断: 8, 实施: 7, 验收: 6, 达标: 4, 兑现: 1 });
    expect(c.current).toEqual({ 入库: 1, 签约: 1, 诊断: 1, 实施: 1, 验收: 2, 达标: 3, 兑现: 1 });
  });

  it('computes each KPI against 表1 for the whole city', () => {
    const r = progressReport(data, pp.targets, {}, '2026-03-01');
    // 规上 = E1 E2 E4 E5 E6 E7 E9 E10; signed among them: all but E6 → 7 of 561.
    expect(kpi(r, 'above-scale-retrofit')).toMatchObject({ actual: 7, target: 561, ratio: 0.0125 });
    // 规上, 达标, level ≥ 2: E1 (二级), E2 (三级, 兑现), E7 (四级) → 3; E5 and E10 are at 二级 but only 验收.
    expect(kpi(r, 'above-scale-level2')).toMatchObject({ actual: 3, target: 561 });
    // 3 of the 8 规上 enterprises in the programme = 37.5%, against 93% → 40.3% of the target.
    expect(kpi(r, 'above-scale-level2-share')).toMatchObject({ actual: 37.5, numerator: 3, denominator: 8, target: 93, ratio: 0.4032 });
    expect(kpi(r, 'below-scale-retrofit').actual).toBe(2); // E3, E8
    expect(kpi(r, 'below-scale-level2').actual).toBe(1); // E8
    expect(kpi(r, 'little-giants')).toMatchObject({ actual: 2, target: 17 }); // E4, E7
    expect(kpi(r, 'srdi-smes')).toMatchObject({ actual: 3, target: 158 }); // E2, E5, E10 (小巨人 not counted)
    expect(kpi(r, 'cloud')).toMatchObject({ actual: 6, target: 505 }); // E1 E3 E4 E5 E7 E9
    expect(kpi(r, 'level4-enterprises').actual).toBe(1); // E7
    expect(kpi(r, 'solutions')).toMatchObject({ actual: 2, target: 200, ratio: 0.01 });
    expect(kpi(r, 'typical-practices').actual).toBe(0);
    expect(r.srdiCoverage).toEqual([
      { tier: 'little-giant', label: '专精特新“小巨人”', enrolled: 2, signed: 2, atLevel2: 1 },
      { tier: 'srdi', label: '专精特新中小企业', enrolled: 3, signed: 3, atLevel2: 1 },
    ]);
  });

  it('breaks KPIs down by year: increments and running totals', () => {
    const r = progressReport(data, pp.targets, {}, '2026-03-01');
    // Signed dates of the 7: 2024 → E1 E2 E7; 2025 → E4 E5 E9 E10.
    expect(kpi(r, 'above-scale-retrofit').byYear).toEqual([
      { year: 2024, target: 93, actual: 3, cumulativeTarget: 93, cumulativeActual: 3, cumulativeRatio: 0.0323 },
      { year: 2025, target: 242, actual: 4, cumulativeTarget: 335, cumulativeActual: 7, cumulativeRatio: 0.0209 },
      { year: 2026, target: 226, actual: 0, cumulativeTarget: 561, cumulativeActual: 7, cumulativeRatio: 0.0125 },
    ]);
    // 达标 at ≥ 二级: E1 2025-04, E2 2025-06, E7 2026-02, over 8 → 0%, 25%, 37.5%.
    expect(kpi(r, 'above-scale-level2-share').byYear.map((y) => [y.actual, y.cumulativeActual, y.cumulativeTarget])).toEqual([
      [0, 0, 15],
      [25, 25, 55],
      [12.5, 37.5, 93],
    ]);
    const y2025 = progressReport(data, pp.targets, { year: 2025 }, '2026-03-01');
    expect(kpi(y2025, 'above-scale-retrofit')).toMatchObject({ actual: 4, target: 242 });
    // Stages as they stood at the end of 2024: E1, E2, E7 had signed; nobody else had started.
    const y2024 = progressReport(data, pp.targets, { year: 2024 }, '2026-03-01');
    expect(y2024.reached).toEqual({ 入库: 3, 签约: 3, 诊断: 0, 实施: 0, 验收: 0, 达标: 0, 兑现: 0 });
    expect(y2024.current.签约).toBe(3);
  });

  it('breaks figures down by region × industry and filters by scope', () => {
    const r = progressReport(data, pp.targets, {}, '2026-03-01');
    const yk = r.breakdown.find((b) => b.region === '永康市' && b.industry === 'power-tools')!;
    expect(yk.enterprises).toBe(4);
    expect(yk.kpis).toMatchObject({ 'above-scale-retrofit': 3, 'above-scale-level2': 2, 'above-scale-level2-share': 66.7, 'little-giants': 1, 'srdi-smes': 1, cloud: 3 });
    expect(r.breakdown.map((b) => `${b.region}/${b.industry}`).sort()).toEqual(
      ['东阳市/apparel', '东阳市/magnetic-materials', '义乌市/apparel', '武义县/power-tools', '永康市/power-tools'].sort(),
    );
    const dy = progressReport(data, pp.targets, { region: '东阳市', industry: 'magnetic-materials' }, '2026-03-01');
    expect(dy.enterprises).toBe(2);
    expect(dy.reached.签约).toBe(1);
    expect(kpi(dy, 'solutions').actual).toBe(1);
  });
});

describe('quarterly 晾晒 ranking', () => {
  it('parses quarters', () => {
    expect(parseQuarter('2025Q3')).toEqual({ year: 2025, q: 3 });
    expect(parseQuarter('2025年第三季度')).toEqual({ year: 2025, q: 3 });
    expect(quarterRange({ year: 2024, q: 1 })).toEqual({ from: '2024-01-01', to: '2024-03-31' });
  });

  it('ranks 2025Q1 by hand-computed scores', () => {
    const r = quarterRanking(data, pp.ranking, regions, { year: 2025, q: 1 });
    // Signed in Q1: E3 永康, E5 东阳, E8 义乌. Accepted: E1 永康. Implementation rate at 3-31: 永康 1/3, others 0.
    const yk = r.rows.find((x) => x.region === '永康市')!;
    expect(yk.values).toEqual({ signed: 1, implementation: 33.3, accepted: 1, honours: 0 });
    expect(yk).toMatchObject({ rank: 1, score: 90 });
    expect(r.rows.slice(0, 3).map((x) => [x.region, x.rank, x.score])).toEqual([
      ['永康市', 1, 90],
      ['义乌市', 2, 30],
      ['东阳市', 2, 30],
    ]);
    expect(r.rows[3]).toMatchObject({ rank: 4, score: 0 });
  });

  it('ranks 2025Q4 by hand-computed scores', () => {
    const r = quarterRanking(data, pp.ranking, regions, { year: 2025, q: 4 });
    // 武义: signed 1 (max), rate 100% (max), accepted 1 (max), honours 1 (max) → 100.
    // 义乌: rate 1/2 = 50% → 15, accepted E8 (filled from 达标 12-20) → 30: 45. 永康: 75% → 22.5 + honours 10 = 32.5. 东阳: 50% → 15.
    expect(r.rows.slice(0, 4).map((x) => [x.region, x.rank, x.score])).toEqual([
      ['武义县', 1, 100],
      ['义乌市', 2, 45],
      ['永康市', 3, 32.5],
      ['东阳市', 4, 15],
    ]);
    expect(r.rows.find((x) => x.region === '永康市')!.values).toEqual({ signed: 0, implementation: 75, accepted: 0, honours: 1 });
  });
});
