/**
 * Progress: the dashboard (targets against actuals per KPI and year, the stage funnel, the region ×
 * industry matrix, the quarterly district ranking) drawn with Chart.js served locally, and the import
 * page with its row-level validation report. Officers see their own region only; imports are admin-only.
 */
import type { Request } from 'express';
import { isAppError } from '../../../db/index.ts';
import { ADMIN_ONLY, field, type AdminCtx, type AdminRoute } from '../context.ts';
import { fmtScore, html, type SafeHtml } from '../html.ts';
import { csrfField, EMPTY, layout } from '../layout.ts';

const CHART_SCRIPTS = ['/admin/assets/vendor/chart.umd.min.js', '/admin/assets/charts.js'];
const MAX_IMPORT = 10 * 1024 * 1024;

function chart(spec: Record<string, unknown>, tall = false): SafeHtml {
  return html`<div class="chart-box${tall ? ' tall' : ''}"><canvas data-chart="${JSON.stringify(spec)}"></canvas></div>`;
}

/** The region an officer is limited to; admins pick one (or the whole city) from the query. */
function scopeRegion(ctx: AdminCtx, requested: string): string | undefined {
  if (ctx.user.role === 'officer') return ctx.user.region ?? undefined;
  return requested || undefined;
}

async function dashboard(ctx: AdminCtx, q: { region: string; industry: string; kpi: string }) {
  const progress = ctx.services.progress;
  const region = scopeRegion(ctx, q.region);
  const industry = q.industry || undefined;
  const report = await progress.report({ region, industry });
  const ranking = await progress.ranking(undefined, industry).catch(() => null);
  const kpi = report.targets.find((k) => k.id === q.kpi) ?? report.targets[0];
  const stages = Object.keys(report.reached);
  const regions = [...new Set(report.breakdown.map((c) => c.region))];
  const industries = [...new Set(report.breakdown.map((c) => c.industry))];
  const cell = (r: string, i: string) => report.breakdown.find((c) => c.region === r && c.industry === i);
  const maxCell = Math.max(1, ...report.breakdown.map((c) => c.enterprises));
  const heat = (n: number) => (n === 0 ? 0 : Math.min(3, 1 + Math.floor((n / maxCell) * 3)));
  const regionChoices = [...ctx.services.pack.regions.regions.map((r) => r.name)];
  const body = html`
<form method="get" action="/admin/progress" class="filters">
  ${ctx.user.role === 'officer'
    ? html`<span class="badge">范围：${ctx.user.region ?? '全市'}</span>`
    : html`<label>区县<select name="region"><option value="">全市</option>${regionChoices.map((r) => html`<option${r === q.region ? ' selected' : ''}>${r}</option>`)}</select></label>`}
  <label>行业<select name="industry"><option value="">全部</option>${ctx.services.pack.industries.industries.map((i) => html`<option value="${i.id}"${i.id === q.industry ? ' selected' : ''}>${i.name}</option>`)}</select></label>
  <label>指标<select name="kpi">${report.targets.map((k) => html`<option value="${k.id}"${k.id === kpi?.id ? ' selected' : ''}>${k.shortLabel}</option>`)}</select></label>
  <button class="btn" type="submit">查看</button>
  <span class="muted small">截至 ${report.asOf} · 企业 ${report.enterprises} 家</span>
</form>
<section class="card"><h2>目标完成情况（表1）</h2>
<table class="table"><thead><tr><th>指标</th><th class="num">目标</th><th class="num">实际</th><th class="num">完成率</th></tr></thead><tbody>
${report.targets.map((k) => html`<tr><td>${k.label}</td><td class="num">${k.target}${k.unit}</td><td class="num">${k.actual}${k.unit}</td><td class="num">${k.ratio === null ? '—' : `${(k.ratio * 100).toFixed(1)}%`}</td></tr>`)}
</tbody></table></section>
<div class="cols">
<section class="card"><h2>${kpi ? kpi.label : '指标'}：分年度目标与实际</h2>
${kpi
  ? chart({
      type: 'bar',
      labels: kpi.byYear.map((y) => `${y.year}年`),
      datasets: [
        { label: `目标（${kpi.unit}）`, data: kpi.byYear.map((y) => y.target) },
        { label: `实际（${kpi.unit}）`, data: kpi.byYear.map((y) => y.actual) },
        { label: '累计完成率 %', data: kpi.byYear.map((y) => (y.cumulativeRatio === null ? null : Math.round(y.cumulativeRatio * 1000) / 10)), type: 'line', yAxisID: 'pct' },
      ],
      options: { scales: { pct: { position: 'right', min: 0, grid: { drawOnChartArea: false } } } },
    })
  : EMPTY}
</section>
<section class="card"><h2>阶段漏斗（累计达到）</h2>
${chart({ type: 'bar', horizontal: true, labels: stages, datasets: [{ label: '达到该阶段的企业数', data: stages.map((s) => (report.reached as Record<string, number>)[s]) }, { label: '当前处于该阶段', data: stages.map((s) => (report.current as Record<string, number>)[s]) }] })}
</section></div>
<div class="cols">
<section class="card"><h2>区县 × 行业（企业数 / 已签约）</h2>
${regions.length === 0
  ? EMPTY
  : html`<table class="table matrix"><thead><tr><th>区县</th>${industries.map((i) => html`<th class="num">${ctx.services.progress.industryName(i)}</th>`)}</tr></thead><tbody>
${regions.map((r) => html`<tr><th>${r}</th>${industries.map((i) => {
  const c = cell(r, i);
  const n = c?.enterprises ?? 0;
  return html`<td class="num heat-${heat(n)}">${n}${c ? html` / ${(c.reached as Record<string, number>)['签约'] ?? 0}` : ''}</td>`;
})}</tr>`)}</tbody></table>`}
</section>
<section class="card"><h2>区县排名${ranking ? html`（${ranking.label}，${ranking.from} 至 ${ranking.to}）` : ''}</h2>
${ranking && ranking.rows.length
  ? html`${chart({ type: 'bar', horizontal: true, labels: ranking.rows.map((r) => r.region), datasets: [{ label: '综合得分', data: ranking.rows.map((r) => r.score) }] })}
<table class="table small wrap-head"><thead><tr><th>名次</th><th>区县</th><th class="num">得分</th>${ranking.criteria.map((c) => html`<th class="num">${c.label}（${c.weight}）</th>`)}</tr></thead><tbody>
${ranking.rows.map((r) => html`<tr><td>${r.rank}</td><td>${r.region}</td><td class="num">${fmtScore(r.score, 1)}</td>${ranking.criteria.map((c) => html`<td class="num">${r.values[c.id] ?? 0}</td>`)}</tr>`)}
</tbody></table>${ranking.pendingWeights ? html`<p class="muted small">权重待主管部门确认，当前为政策包中的暂定值。</p>` : ''}`
  : EMPTY}
</section></div>`;
  return layout(ctx.user, ctx.csrf, { title: '进度看板', nav: 'progress', body, scripts: CHART_SCRIPTS });
}

function importPage(ctx: AdminCtx, report?: Awaited<ReturnType<AdminCtx['services']['progress']['importFile']>>, error?: string) {
  const body = html`
<section class="card"><h2>导入企业进度（CSV / XLSX）</h2>
${error ? html`<p class="error-text" role="alert">${error}</p>` : ''}
<form method="post" action="/admin/progress/import" enctype="multipart/form-data" class="grid-form" id="import-form">${csrfField(ctx.csrf)}
<label>文件（.csv 或 .xlsx，不超过 10 MB）<input type="file" name="file" required accept=".csv,.xlsx"></label>
<div><button class="btn primary" type="submit">导入</button> <a href="/admin/progress/export.csv">导出当前数据（CSV）</a></div></form>
<p class="muted small">表头可用中文或英文，至少包括：企业名称、统一社会信用代码、区县、行业、规模、专精特新、阶段、数字化等级、是否上云、签约日期、验收日期。按统一社会信用代码去重，重复导入不会产生重复记录；有问题的行不会导入，其他行照常导入。</p>
</section>
${report
  ? html`<section class="card" id="import-report"><h2>导入结果：${report.fileName}</h2>
<p>共 ${report.rowsTotal} 行：成功 <strong>${report.rowsOk}</strong>（新增 ${report.created}，更新 ${report.updated}，未变 ${report.unchanged}），失败 <strong>${report.rowsFailed}</strong>。</p>
${report.warnings.length ? html`<ul class="muted">${report.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
${report.issues.length
  ? html`<table class="table"><thead><tr><th class="num">行号</th><th>列</th><th>内容</th><th>问题</th></tr></thead><tbody>
${report.issues.map((i) => html`<tr><td class="num">${i.row}</td><td>${i.field}</td><td>${i.value ?? ''}</td><td class="error-text">${i.message}</td></tr>`)}</tbody></table>`
  : html`<p class="muted">所有行都通过了校验。</p>`}
</section>`
  : ''}`;
  return layout(ctx.user, ctx.csrf, { title: '进度导入', nav: 'import', body }, report ? 'imported' : undefined);
}

export function progressRoutes(): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/progress',
      roles: ['admin', 'officer'],
      async handler(req, res, ctx) {
        res.type('html').send(await dashboard(ctx, { region: field(req.query, 'region'), industry: field(req.query, 'industry'), kpi: field(req.query, 'kpi') }));
      },
    },
    {
      method: 'get',
      path: '/progress/export.csv',
      roles: ['admin', 'officer'],
      async handler(req, res, ctx) {
        const csv = await ctx.services.progress.exportCsv({ region: scopeRegion(ctx, field(req.query, 'region')) });
        await ctx.audit('progress.export', { type: 'progress' }, { details: { region: scopeRegion(ctx, field(req.query, 'region')) ?? null } });
        res.setHeader('Content-Disposition', `attachment; filename="progress-${ctx.services.progress.today()}.csv"`);
        res.type('text/csv; charset=utf-8').send(csv);
      },
    },
    {
      method: 'get',
      path: '/progress/import',
      roles: ADMIN_ONLY,
      async handler(_req, res, ctx) {
        res.type('html').send(importPage(ctx));
      },
    },
    {
      method: 'post',
      path: '/progress/import',
      roles: ADMIN_ONLY,
      upload: { field: 'file', maxBytes: MAX_IMPORT },
      async handler(req, res, ctx) {
        const file = (req as Request & { file?: { originalname: string; buffer: Buffer } }).file;
        if (!file) return void res.status(400).type('html').send(importPage(ctx, undefined, '请选择要导入的文件。'));
        const name = Buffer.from(file.originalname, 'latin1').toString('utf8');
        try {
          const report = await ctx.services.progress.importFile(name, new Uint8Array(file.buffer), ctx.user.username);
          await ctx.audit('progress.import', { type: 'progress_import', id: report.importId }, {
            after: { rowsTotal: report.rowsTotal, rowsOk: report.rowsOk, rowsFailed: report.rowsFailed, created: report.created, updated: report.updated },
            details: { file: name },
          });
          res.type('html').send(importPage(ctx, report));
        } catch (e) {
          if (isAppError(e) && e.httpStatus < 500) return void res.status(e.httpStatus).type('html').send(importPage(ctx, undefined, e.fields ? Object.values(e.fields).join(' ') : e.userMessage));
          throw e;
        }
      },
    },
  ];
}
