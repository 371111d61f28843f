/**
 * Applications (申报) submitted through the intake dialogue: a filtered list, the detail with every
 * answer and the status history, status changes with a note (the enterprise is told in its own chat by
 * the application service), and CSV export. Officers see only applications from their region.
 */
import type { Response } from 'express';
import { AppError, APPLICATION_STATUSES, IntakeRepo, type ApplicationRow, type ApplicationStatus } from '../../../db/index.ts';
import { applicationAnswers, applicationFieldLabels, STATUS_LABELS } from '../../../bot/flows/intake/index.ts';
import { ALL_ROLES, field, type AdminCtx, type AdminRoute } from '../context.ts';
import { fmtTime, html } from '../html.ts';
import { csrfField, EMPTY, layout } from '../layout.ts';

const statusLabel = (s: string) => STATUS_LABELS[s] ?? s;

/** Regions an officer's scope covers: the city proper expands to its member districts. */
function officerRegions(ctx: AdminCtx): Set<string> | null {
  if (ctx.user.role !== 'officer' || !ctx.user.region) return null;
  const cp = ctx.services.pack.regions.cityProper;
  return new Set(cp && cp.name === ctx.user.region ? [cp.name, ...cp.members] : [ctx.user.region]);
}

const answer = (a: ApplicationRow, key: string): string => {
  const v = applicationAnswers(a.data)[key];
  return typeof v === 'string' ? v : '';
};
const regionOf = (a: ApplicationRow) => answer(a, 'region');
function industryOf(ctx: AdminCtx, a: ApplicationRow): string {
  const id = answer(a, 'industry');
  return ctx.services.pack.industries.industries.find((i) => i.id === id)?.name ?? id;
}

function visible(ctx: AdminCtx, a: ApplicationRow): boolean {
  const scope = officerRegions(ctx);
  return !scope || scope.has(regionOf(a));
}

interface Filter {
  status: string;
  region: string;
  industry: string;
  q: string;
}

async function filtered(ctx: AdminCtx, f: Filter): Promise<ApplicationRow[]> {
  const status = (APPLICATION_STATUSES as readonly string[]).includes(f.status) ? (f.status as ApplicationStatus) : undefined;
  const all = await new IntakeRepo(ctx.services.db).list({ pack: ctx.services.pack.id, status, limit: 10_000 });
  const q = f.q.trim().toLowerCase();
  return all.filter(
    (a) =>
      visible(ctx, a) &&
      (!f.region || regionOf(a) === f.region) &&
      (!f.industry || answer(a, 'industry') === f.industry) &&
      (!q || a.companyName.toLowerCase().includes(q) || a.reference.toLowerCase().includes(q) || a.uscc.toLowerCase().includes(q)),
  );
}

async function mustGet(ctx: AdminCtx, reference: string): Promise<ApplicationRow> {
  const app = await new IntakeRepo(ctx.services.db).getByReference(reference);
  // An officer asking for another region's application gets the same answer as for a missing one.
  if (!app || !visible(ctx, app)) throw new AppError('not_found', `application ${reference}`, { userMessage: `没有找到申请 ${reference}。` });
  return app;
}

function readFilter(query: unknown): Filter {
  return { status: field(query, 'status'), region: field(query, 'region'), industry: field(query, 'industry'), q: field(query, 'q') };
}

const send = (res: Response, status: number, page: string) => void res.status(status).type('html').send(page);

function csvCell(v: string): string {
  // Neutralise spreadsheet formulas, then quote.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function applicationRoutes(): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/applications',
      roles: ALL_ROLES,
      async handler(req, res, ctx) {
        const f = readFilter(req.query);
        const rows = await filtered(ctx, f);
        const scope = officerRegions(ctx);
        const regions = ctx.services.pack.regions.regions.map((r) => r.name).filter((r) => !scope || scope.has(r));
        const exportQs = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]).toString();
        const body = html`
<form method="get" action="/admin/applications" class="filters">
  <label>状态<select name="status"><option value="">全部</option>${APPLICATION_STATUSES.map((s) => html`<option value="${s}"${s === f.status ? ' selected' : ''}>${STATUS_LABELS[s]}</option>`)}</select></label>
  <label>区县<select name="region"><option value="">${scope ? '本辖区全部' : '全市'}</option>${regions.map((r) => html`<option${r === f.region ? ' selected' : ''}>${r}</option>`)}</select></label>
  <label>行业<select name="industry"><option value="">全部</option>${ctx.services.pack.industries.industries.map((i) => html`<option value="${i.id}"${i.id === f.industry ? ' selected' : ''}>${i.name}</option>`)}</select></label>
  <label>搜索<input name="q" value="${f.q}" placeholder="企业名称、编号或信用代码"></label>
  <button class="btn" type="submit">筛选</button>
  <a class="btn" href="/admin/applications/export.csv${exportQs ? `?${exportQs}` : ''}">导出 CSV</a>
</form>
<section class="card">
${rows.length === 0
  ? EMPTY
  : html`<table class="table" id="applications"><thead><tr><th>编号</th><th>企业</th><th>区县</th><th>行业</th><th>状态</th><th>提交时间</th><th>更新</th></tr></thead><tbody>
${rows.slice(0, 500).map(
  (a) => html`<tr><td class="nowrap"><a href="/admin/applications/${encodeURIComponent(a.reference)}">${a.reference}</a></td><td>${a.companyName}</td>
<td>${regionOf(a)}</td><td>${industryOf(ctx, a)}</td><td>${statusLabel(a.status)}</td>
<td class="nowrap small">${fmtTime(a.createdAt)}</td><td class="nowrap small">${fmtTime(a.updatedAt)}</td></tr>`,
)}</tbody></table>${rows.length > 500 ? html`<p class="muted">仅显示前 500 条，请缩小筛选范围或导出 CSV。</p>` : ''}`}
</section>`;
        send(res, 200, layout(ctx.user, ctx.csrf, { title: '申报', nav: 'applications', body }));
      },
    },
    {
      method: 'get',
      path: '/applications/export.csv',
      roles: ALL_ROLES,
      async handler(req, res, ctx) {
        const rows = await filtered(ctx, readFilter(req.query));
        const extra = applicationFieldLabels().filter((f) => f.id !== 'companyName' && f.id !== 'uscc');
        const header = ['编号', '企业名称', '统一社会信用代码', '状态', '提交时间', '更新时间', ...extra.map((f) => f.label)];
        const described = await ctx.services.applications.describe(rows.map((a) => a.data));
        const lines = [header.map(csvCell).join(',')];
        rows.forEach((a, i) => {
          const byId = new Map(described[i]!.map((r) => [r.id, r.value]));
          lines.push(
            [a.reference, a.companyName, a.uscc, statusLabel(a.status), new Date(a.createdAt).toISOString(), new Date(a.updatedAt).toISOString(), ...extra.map((f) => byId.get(f.id) ?? '')]
              .map(csvCell)
              .join(','),
          );
        });
        await ctx.audit('application.export', { type: 'application' }, { details: { rows: rows.length, filter: readFilter(req.query) } });
        res.setHeader('Content-Disposition', 'attachment; filename="applications.csv"');
        // BOM so Excel opens the Chinese text as UTF-8.
        res.type('text/csv; charset=utf-8').send('\uFEFF' + lines.join('\r\n') + '\r\n');
      },
    },
    {
      method: 'get',
      path: '/applications/:ref',
      roles: ALL_ROLES,
      async handler(req, res, ctx) {
        const app = await mustGet(ctx, String(req.params.ref));
        const history = await new IntakeRepo(ctx.services.db).history(app.id);
        const [fields] = await ctx.services.applications.describe([app.data]);
        const meta = app.data as { consentVersion?: unknown; submittedAt?: unknown };
        const body = html`
<div class="cols-side">
<section class="card"><h2>${app.reference} · ${app.companyName}</h2>
<p>当前状态：<strong>${statusLabel(app.status)}</strong> · 提交于 ${fmtTime(app.createdAt)} · 渠道 ${app.channel ?? ''}
${app.conversationId && ctx.user.role !== 'officer' ? html` · <a href="/admin/conversations/${encodeURIComponent(app.conversationId)}">查看对话</a>` : ''}</p>
<table class="table" id="application-fields"><tbody>${fields!.map((f) => html`<tr><th class="nowrap">${f.label}</th><td>${f.value || '—'}</td></tr>`)}</tbody></table>
${typeof meta.consentVersion === 'string' ? html`<p class="muted small">数据使用授权版本 ${meta.consentVersion}</p>` : ''}
</section>
<aside>
<section class="card"><h2>更改状态</h2>
<form method="post" action="/admin/applications/${encodeURIComponent(app.reference)}/status" class="grid-form">${csrfField(ctx.csrf)}
<label>新状态<select name="status">${APPLICATION_STATUSES.map((s) => html`<option value="${s}"${s === app.status ? ' selected' : ''}>${STATUS_LABELS[s]}</option>`)}</select></label>
<label>说明（会发送给企业）<textarea name="note" rows="3" maxlength="1000"></textarea></label>
<div><button class="btn primary" type="submit">更新并通知企业</button></div></form></section>
<section class="card"><h2>状态记录</h2>
${history.length === 0 ? EMPTY : html`<ul>${history.map((h) => html`<li>${fmtTime(h.at)} ${statusLabel(h.status)} · ${h.actor}${h.note ? html`<div class="muted">${h.note}</div>` : ''}</li>`)}</ul>`}
</section></aside></div>`;
        send(res, 200, layout(ctx.user, ctx.csrf, { title: '申报详情', nav: 'applications', body }, field(req.query, 'done')));
      },
    },
    {
      method: 'post',
      path: '/applications/:ref/status',
      roles: ALL_ROLES,
      async handler(req, res, ctx) {
        const before = await mustGet(ctx, String(req.params.ref));
        const status = field(req.body, 'status');
        if (!(APPLICATION_STATUSES as readonly string[]).includes(status)) throw AppError.validation({ status: '请选择有效的状态。' });
        const note = field(req.body, 'note').trim().slice(0, 1000);
        const actor = ctx.user.displayName || ctx.user.username;
        // The service records the change and tells the enterprise in the conversation it applied from.
        const { application, delivery } = await ctx.services.applications.changeStatus({ reference: before.reference, status: status as ApplicationStatus, note, actor });
        await ctx.audit('application.status', { type: 'application', id: before.reference }, { before: { status: before.status }, after: { status: application.status, note }, details: { delivery } });
        res.redirect(303, `/admin/applications/${encodeURIComponent(before.reference)}?done=status`);
      },
    },
  ];
}
