/**
 * Figures as small monospace-friendly Chinese text tables, shared by the terminal report and the chat
 * answers. Chinese characters take two columns in a monospace font, so padding counts display width.
 */
import type { KpiFigure, ProgressReport, StageCounts } from './metrics.ts';
import type { RankingResult } from './ranking.ts';

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

function pad(s: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return align === 'left' ? s + fill : fill + s;
}

/** A table: the first `leftColumns` columns left-aligned (labels), the rest right-aligned (numbers). */
export function textTable(header: string[], rows: string[][], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (r: string[]) => r.map((c, i) => pad(c ?? '', widths[i], i < leftColumns ? 'left' : 'right')).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function percent(ratio: number | null): string {
  return ratio === null ? '—' : `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`;
}

export function formatNumber(n: number, unit: string): string {
  return unit === '%' ? `${n}%` : String(n);
}

export function stageTable(reached: StageCounts, current: StageCounts): string {
  return textTable(['阶段', '累计达到', '当前在此'], Object.keys(reached).map((s) => [s, String(reached[s as keyof StageCounts]), String(current[s as keyof StageCounts])]));
}

export function kpiLine(k: KpiFigure): string {
  const share = k.unit === '%' ? `（目标 ${k.target}%，完成目标的 ${percent(k.ratio)}）` : `（目标 ${k.target}${k.unit}，完成 ${percent(k.ratio)}）`;
  const base = k.numerator !== undefined ? `${k.actual}%（${k.numerator}/${k.denominator}）` : `${formatNumber(k.actual, k.unit)}${k.unit === '%' ? '' : k.unit}`;
  return `${k.shortLabel}：${base}${share}`;
}

export function kpiTable(kpis: KpiFigure[]): string {
  return textTable(
    ['指标', '实际', '目标', '完成'],
    kpis.map((k) => [k.shortLabel, k.unit === '%' ? `${k.actual}%` : String(k.actual), k.unit === '%' ? `${k.target}%` : String(k.target), percent(k.ratio)]),
  );
}

export function scopeLabel(r: Pick<ProgressReport, 'scope'>, city: string, industryName: (id: string) => string): string {
  const parts = [r.scope.region ?? `${city}全市`];
  if (r.scope.industry) parts.push(industryName(r.scope.industry));
  if (r.scope.year) parts.push(`${r.scope.year}年`);
  return parts.join(' · ');
}

export function formatReport(r: ProgressReport, city: string, industryName: (id: string) => string): string {
  const lines = [
    `**${scopeLabel(r, city, industryName)} 试点进度**（截至 ${r.asOf}，共 ${r.enterprises} 家企业）`,
    '',
    stageTable(r.reached, r.current),
    '',
    `对照表1目标${r.scope.region || r.scope.industry ? '（目标为全市目标，此处为本范围的贡献）' : ''}${r.scope.year ? `（${r.scope.year}年当年新增）` : ''}：`,
    kpiTable(r.targets),
  ];
  return lines.join('\n');
}

export function formatRanking(r: RankingResult): string {
  const header = ['排名', '区县', ...r.criteria.map((c) => c.label), '得分'];
  const rows = r.rows.map((row) => [
    String(row.rank),
    row.region,
    ...r.criteria.map((c) => (c.unit === '%' ? `${row.values[c.id]}%` : String(row.values[c.id]))),
    row.score.toFixed(1),
  ]);
  const table = textTable(header, rows, 2);
  const weights = r.criteria.map((c) => `${c.label}${Math.round(c.weight * 100)}%`).join('、');
  return [
    `**${r.label}区县晾晒排名**（${r.from} 至 ${r.to}）`,
    '',
    table,
    '',
    `计分：各项按最高区县折算为100分后加权（${weights}）${r.pendingWeights ? '；权重为默认值，待确认' : ''}。前${r.topN}名次年授牌表彰。`,
  ].join('\n');
}
