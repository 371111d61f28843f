/**
 * Applications (申报) submitted through the intake dialogue: a filtered list, the detail with every
 * answer and the status history, status changes with a note (the enterprise is told in its own chat by
 * the application service), and CSV export. Officers see only applications from their region.
 */
import type { Response } from 'express';
import { AppError, APPLICATION_STATUSES, IntakeRepo, type ApplicationRow, type ApplicationStatus } from '../../../db/index.ts';
import { ALL_ROLES, field, type AdminCtx, type AdminRoute } from '../context.ts';
import { fmtTime, html } from '../html.ts';
import { csrfField, EMPTY, layout } from '../layout.ts';

export const STATUS_LABELS: Record<ApplicationStatus, string> = {
  submitted: '已提交，待受理',
  under_review: '审核中',
  needs_info: '需补充信息',
  accepted: '已通过（列入试点）',
  rejected: '未通过',
  withdrawn: '已撤回',
};

const FIELD_LABELS: Record<string, string> = {
  companyName: '企业名称',
  uscc: '统一社会信用代码',
  contactName: '联系人',
  phone: '手机',
  region: '区县',
  industry: '行业',
  scale: '规模',
  revenue: '上年营业收入（万元）',
  output: '上年产值（万元）',
  srdi: '专精特新',
  systems: '现有系统',
  painPoints: '痛点（N+X）',
  painNote: '其他痛点',
  assessment: '自评估',
  investment: '计划投入（万元）',
  targetLevel: '目标等级',
  consent: '数据使用同意',
};

function show(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(show).join('、');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('value' in o && Object.keys(o).length <= 3) return show(o.value);
    return JSON.stringify(v);
  }
  if (typeof v === 'boolean') return v ? '是' : '否';
  return String(v);
}

/** Regions an officer's scope covers: the city proper expands to its member districts. */
function officerRegions(ctx: AdminCtx): Set<string> | null {
  if (ctx.user.role !== 'officer' || !ctx.user.region) return null;
  const cp = ctx.services.pack.regions.cityProper;
  return new Set(cp && cp.name === ctx.user.region ? [cp.name, ...cp.members] : [ctx.user.region]);
}

function regionOf(a: ApplicationRow): string {
  return show((a.data as Record<string, unknown>).region);
}
function industryOf(ctx: AdminCtx, a: ApplicationRow): string {
  const id = show((a.data as Record<string, unknown>).industry);
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
      (!f.industry || show((a.data as Record<string, unknown>).industry) === f.industry) &&
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

/** Tells the enterprise in the conversation it applied from (stored in the transcript even if its channel is down). */
async function notifyEnterprise(ctx: AdminCtx, app: ApplicationRow, note: string): Promise<string> {
  const text = [`📋 您的申请 **${app.reference}**（${app.companyName}）状态更新为：${STATUS_LABELS[app.status] ?? app.status}`, note ? `说明：${note}` : '', '发送 /status 可查看完整进度。']
    .filter(Boolean)
    .join('\n');
  try {
    const target = app.conversationId ? { conversationId: app.conversationId } : { userId: app.userId };
    return (await ctx.services.engine.deliver(target, [{ text, meta: { kind: 'notice' } }], { author: ctx.user.username })).status;
  } catch (e) {
    // The status change stands even when the enterprise cannot be reached; the audit row records why.
    ctx.services.log.warn('application status notification failed', { reference: app.reference, err: e });
    return 'undeliverable';
  }
}

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
<td>${regionOf(a)}</td><td>${industryOf(ctx, a)}</td><td>${STATUS_LABELS[a.status] ?? a.status}</td>
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
        const keys = Object.keys(FIELD_LABELS).filter((k) => k !== 'companyName' && k !== 'uscc');
        const header = ['编号', '企业名称', '统一社会信用代码', '状态', '提交时间', '更新时间', ...keys.map((k) => FIELD_LABELS[k])];
        const lines = [header.map(csvCell).join(',')];
        for (const a of rows) {
          const d = a.data as Record<string, unknown>;
          lines.push(
            [a.reference, a.companyName, a.uscc, STATUS_LABELS[a.status] ?? a.status, new Date(a.createdAt).toISOString(), new Date(a.updatedAt).toISOString(), ...keys.map((k) => show(d[k]))]
              .map(csvCell)
              .join(','),
          );
        }
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
        const d = app.data as Record<string, unknown>;
        const keys = [...Object.keys(FIELD_LABELS).filter((k) => k in d), ...Object.keys(d).filter((k) => !(k in FIELD_LABELS))];
        const body = html`
<div class="cols-side">
<section class="card"><h2>${app.reference} · ${app.companyName}</h2>
<p>当前状态：<strong>${STATUS_LABELS[app.status] ?? app.status}</strong> · 提交于 ${fmtTime(app.createdAt)} · 渠道 ${app.channel ?? ''}
${app.conversationId && ctx.user.role !== 'officer' ? html` · <a href="/admin/conversations/${encodeURIComponent(app.conversationId)}">查看对话</a>` : ''}</p>
<table class="table"><tbody>${keys.map((k) => html`<tr><th>${FIELD_LABELS[k] ?? k}</th><td>${show(d[k])}</td></tr>`)}</tbody></table>
</section>
<aside>
<section class="card"><h2>更改状态</h2>
<form method="post" action="/admin/applications/${encodeURIComponent(app.reference)}/status" class="grid-form">${csrfField(ctx.csrf)}
<label>新状态<select name="status">${APPLICATION_STATUSES.map((s) => html`<option value="${s}"${s === app.status ? ' selected' : ''}>${STATUS_LABELS[s]}</option>`)}</select></label>
<label>说明（会发送给企业）<textarea name="note" rows="3" maxlength="1000"></textarea></label>
<div><button class="btn primary" type="submit">更新并通知企业</button></div></form></section>
<section class="card"><h2>状态记录</h2>
${history.length === 0 ? EMPTY : html`<ul>${history.map((h) => html`<li>${fmtTime(h.at)} ${STATUS_LABELS[h.status] ?? h.status} · ${h.actor}${h.note ? html`<div class="muted">${h.note}</div>` : ''}</li>`)}</ul>`}
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
        const application = await new IntakeRepo(ctx.services.db).changeStatus(before.reference, status as ApplicationStatus, note || null, actor, ctx.services.clock());
        const delivery = await notifyEnterprise(ctx, application, note);
        await ctx.audit('application.status', { type: 'application', id: before.reference }, { before: { status: before.status }, after: { status: application.status, note }, details: { delivery } });
        res.redirect(303, `/admin/applications/${encodeURIComponent(before.reference)}?done=status`);
      },
    },
  ];
}
