/**
 * Answers a parsed progress question for one viewer: figures with their 表1 targets and the share of
 * each target, small monospace tables, paginated enterprise lists with 上一页/下一页 buttons, and polite
 * refusals outside the viewer's scope (an officer of 永康 asking about 东阳, or about the whole city).
 */
import type { Button, OutgoingMessage } from '../../types.ts';
import {
  LEVEL_NAMES,
  STAGE_NAMES,
  type KpiFigure,
  type ProgressReport,
  type ProgressService,
  type StageId,
  formatRanking,
  formatReport,
  kpiLine,
  kpiTable,
  percent,
  scopeLabel,
  stageTable,
  textTable,
} from '../../../knowledge/progress/index.ts';
import type { ProgressQuestion } from './question.ts';

export const PAGE_SIZE = 10;

/** Who is asking: an admin or a city-wide officer sees everything; a district officer one region. */
export type Viewer = { kind: 'city'; label: string } | { kind: 'region'; region: string; label: string };

export type Answered = { replies: OutgoingMessage[]; refused: boolean; scope: { region?: string; industry?: string } };

const flowMessage = (text: string, buttons?: Button[][]): OutgoingMessage => ({ text, ...(buttons ? { buttons } : {}), meta: { kind: 'flow' } });

export const EXAMPLES = ['全市二级达标率', '本季度区县排名', '永康电动工具签约多少家', '东阳磁性材料还有哪些企业没验收'];

export function helpReply(viewer: Viewer): OutgoingMessage {
  const examples = viewer.kind === 'region' ? [`${viewer.region.replace(/[市县区]$/, '')}签约多少家`, `${viewer.region.replace(/[市县区]$/, '')}二级达标率`, '本季度区县排名', `${viewer.region.replace(/[市县区]$/, '')}还有哪些企业没验收`] : EXAMPLES;
  return flowMessage(
    [`**试点进度查询**（${viewer.label}）`, '直接发问题即可，例如：', ...examples.map((e) => `· ${e}`)].join('\n'),
    examples.map((e) => [{ label: e, payload: `/progress ${e}` }]),
  );
}

function refusal(text: string): Answered {
  return { replies: [{ text, meta: { kind: 'notice' } }], refused: true, scope: {} };
}

function kpisFor(report: ProgressReport, ids: (k: KpiFigure) => boolean): KpiFigure[] {
  return report.targets.filter(ids);
}

function yearTable(k: KpiFigure): string {
  const unit = k.unit === '%' ? '%' : '';
  return textTable(
    ['年份', '当年', '当年目标', '累计', '累计目标', '累计完成'],
    k.byYear.map((y) => [String(y.year), `${y.actual}${unit}`, `${y.target}${unit}`, `${y.cumulativeActual}${unit}`, `${y.cumulativeTarget}${unit}`, percent(y.cumulativeRatio)]),
  );
}

export async function answerQuestion(progress: ProgressService, viewer: Viewer, q: ProgressQuestion, questionText: string): Promise<Answered> {
  if (q.kind === 'unknownName') {
    const what = q.what === 'region' ? '区县' : '行业';
    const options = q.what === 'region' ? progress.vocab.regions : [...progress.vocab.industryNames.values()];
    const suggestions = q.suggestions.length ? q.suggestions : options;
    return {
      replies: [
        flowMessage(
          `没有找到${what}“${q.text}”。${q.suggestions.length ? '您是不是要查：' : `可查询的${what}：`}${suggestions.join('、')}`,
          suggestions.slice(0, 4).map((s) => [{ label: s, payload: `/progress ${questionText.replace(q.text, s)}` }]),
        ),
      ],
      refused: false,
      scope: {},
    };
  }
  if (q.kind === 'ranking') {
    // The 晾晒 ranking is published to every district, so any officer may see it whole.
    const r = await progress.ranking(q.quarter, q.industry);
    return { replies: [flowMessage(formatRanking(r))], refused: false, scope: q.industry ? { industry: q.industry } : {} };
  }

  let region = q.region;
  if (viewer.kind === 'region') {
    if (q.cityWide) return refusal(`您的查询范围是${viewer.region}，不能查看全市数据。可以这样问：“${viewer.region.replace(/[市县区]$/, '')}二级达标率”。`);
    if (region && region !== viewer.region) return refusal(`您的查询范围是${viewer.region}，不能查看${region}的数据。如需调整范围，请联系管理员。`);
    region = viewer.region;
  }
  const scope = { ...(region ? { region } : {}), ...(q.industry ? { industry: q.industry } : {}) };

  if (q.kind === 'list') return { replies: [await listReply(progress, q, scope, questionText)], refused: false, scope };

  const report = await progress.report({ ...scope, ...(q.year ? { year: q.year } : {}) });
  const title = scopeLabel(report, progress.vocab.city, progress.industryName);
  const note = region || q.industry ? '（表1目标为全市目标，占比为本范围对全市目标的贡献）' : '';
  const lines: string[] = [];
  switch (q.metric) {
    case 'stage': {
      const stage = q.stage!;
      const name = STAGE_NAMES[stage];
      lines.push(`**${title} ${name}情况**（截至 ${report.asOf}）`);
      lines.push(`已${name}（含之后各阶段）：${report.reached[name]} 家；当前处于${name}阶段：${report.current[name]} 家。`);
      const related = kpisFor(report, (k) => ['enterprises', 'share'].includes(kpiKind(progress, k.id)) && kpiStage(progress, k.id) === stage);
      if (related.length) lines.push('', `对照表1${note}：`, kpiTable(related));
      lines.push('', stageTable(report.reached, report.current));
      break;
    }
    case 'level2': {
      const share = report.targets.find((k) => k.id === levelShareId(progress));
      const count = kpisFor(report, (k) => kpiKind(progress, k.id) === 'enterprises' && kpiMinLevel(progress, k.id) === 2);
      lines.push(`**${title} 数字化二级及以上**（截至 ${report.asOf}）`);
      if (share) lines.push(kpiLine(share));
      if (count.length) lines.push('', `对照表1${note}：`, kpiTable(count));
      if (share && !q.year) lines.push('', '分年度（二级及以上占比）：', yearTable(share));
      break;
    }
    case 'littleGiant':
    case 'srdi': {
      const tier = q.metric === 'littleGiant' ? 'little-giant' : 'srdi';
      const cov = report.srdiCoverage.find((c) => c.tier === tier)!;
      const kpi = report.targets.find((k) => kpiSrdi(progress, k.id)?.includes(tier));
      lines.push(`**${title} ${cov.label}覆盖**（截至 ${report.asOf}）`);
      if (kpi) lines.push(kpiLine(kpi) + note);
      lines.push(`纳入试点 ${cov.enrolled} 家，已签约 ${cov.signed} 家，已达标二级及以上 ${cov.atLevel2} 家。`);
      if (kpi && !q.year) lines.push('', yearTable(kpi));
      break;
    }
    case 'cloud': {
      const kpi = report.targets.find((k) => kpiCloud(progress, k.id));
      lines.push(`**${title} 上云用云**（截至 ${report.asOf}）`);
      if (kpi) lines.push(kpiLine(kpi) + note, '', yearTable(kpi));
      break;
    }
    default:
      lines.push(formatReport(report, progress.vocab.city, progress.industryName));
  }
  return { replies: [flowMessage(lines.join('\n'))], refused: false, scope };
}

async function listReply(progress: ProgressService, q: Extract<ProgressQuestion, { kind: 'list' }>, scope: { region?: string; industry?: string }, questionText: string): Promise<OutgoingMessage> {
  const all = await progress.enterprises({ ...scope, ...(q.reached ? { reached: q.reached } : {}), ...(q.notReached ? { notReached: q.notReached } : {}) });
  const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
  const page = Math.min(q.page, pages);
  const what = q.notReached ? `尚未${STAGE_NAMES[q.notReached]}的企业` : q.reached ? `已${STAGE_NAMES[q.reached]}的企业` : '试点企业';
  const where = [scope.region ?? `${progress.vocab.city}全市`, scope.industry ? progress.industryName(scope.industry) : ''].filter(Boolean).join(' · ');
  if (all.length === 0) return flowMessage(`**${where} ${what}**：没有符合条件的企业。`);
  const rows = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((e, i) => {
    const n = (page - 1) * PAGE_SIZE + i + 1;
    const since = e.reachedOn[e.stage];
    const level = e.level ? ` · ${LEVEL_NAMES[e.level]}` : '';
    return `${n}. ${e.name}\n   ${STAGE_NAMES[e.stage]}${since ? `（${since}）` : ''}${level}${scope.region ? '' : ` · ${e.region}`}`;
  });
  const base = questionText.replace(/第\d+页$/, '').trim();
  const nav: Button[] = [];
  if (page > 1) nav.push({ label: '上一页', payload: `/progress ${base} 第${page - 1}页` });
  if (page < pages) nav.push({ label: '下一页', payload: `/progress ${base} 第${page + 1}页` });
  return flowMessage([`**${where} ${what}**（共 ${all.length} 家，第 ${page}/${pages} 页）`, ...rows].join('\n'), nav.length ? [nav] : undefined);
}

// How each KPI is measured lives in the pack; these read it so no KPI id is hard-coded here.
function kpiOf(progress: ProgressService, id: string) {
  return progress.pack.targets.kpis.find((k) => k.id === id)!;
}
function kpiKind(progress: ProgressService, id: string): string {
  return kpiOf(progress, id).measure.kind;
}
function enterpriseMeasure(progress: ProgressService, id: string) {
  const m = kpiOf(progress, id).measure;
  return m.kind === 'enterprises' ? m : m.kind === 'share' ? m.numerator : undefined;
}
function kpiStage(progress: ProgressService, id: string): StageId | undefined {
  return enterpriseMeasure(progress, id)?.stage;
}
function kpiMinLevel(progress: ProgressService, id: string): number | undefined {
  return enterpriseMeasure(progress, id)?.minLevel;
}
function kpiSrdi(progress: ProgressService, id: string) {
  const m = kpiOf(progress, id).measure;
  return m.kind === 'enterprises' ? m.srdi : undefined;
}
function kpiCloud(progress: ProgressService, id: string): boolean {
  const m = kpiOf(progress, id).measure;
  return m.kind === 'enterprises' && m.cloud === true;
}
function levelShareId(progress: ProgressService): string | undefined {
  return progress.pack.targets.kpis.find((k) => k.measure.kind === 'share' && k.measure.numerator.minLevel === 2 && k.measure.numerator.scale === 'above')?.id;
}
