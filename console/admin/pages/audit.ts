/**
 * The audit log viewer (admins only): who did what and when, filterable by action prefix, actor and
 * target, with before/after shown as pretty-printed JSON (escaped like everything else).
 */
import { listAudit } from '../../../db/index.ts';
import { ADMIN_ONLY, field, type AdminRoute } from '../context.ts';
import { fmtTime, html } from '../html.ts';
import { EMPTY, layout, pager } from '../layout.ts';

const PAGE_SIZE = 50;

function pretty(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = JSON.stringify(v, null, 1);
  return s.length > 4000 ? s.slice(0, 4000) + ' …' : s;
}

export function auditRoutes(): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/audit',
      roles: ADMIN_ONLY,
      async handler(req, res, ctx) {
        const f = { action: field(req.query, 'action').trim(), actor: field(req.query, 'actor').trim(), target: field(req.query, 'target').trim() };
        const page = Math.max(1, Number.parseInt(field(req.query, 'page'), 10) || 1);
        const [targetType, targetId] = f.target.split(':');
        const { rows, total } = await listAudit(ctx.services.db, {
          action: f.action || undefined,
          actor: f.actor || undefined,
          targetType: targetType || undefined,
          targetId: targetId || undefined,
          limit: PAGE_SIZE,
          offset: (page - 1) * PAGE_SIZE,
        });
        const body = html`
<form method="get" action="/admin/audit" class="filters">
  <label>动作前缀<input name="action" value="${f.action}" placeholder="如 document. / user."></label>
  <label>操作人<input name="actor" value="${f.actor}"></label>
  <label>对象<input name="target" value="${f.target}" placeholder="类型:编号"></label>
  <button class="btn" type="submit">筛选</button>
</form>
<section class="card">
${rows.length === 0
  ? EMPTY
  : html`<table class="table audit">
<thead><tr><th>时间</th><th>操作人</th><th>动作</th><th>对象</th><th>变更前</th><th>变更后 / 详情</th><th>IP</th></tr></thead>
<tbody>${rows.map(
      (r) => html`<tr>
<td class="nowrap">${fmtTime(r.at)}</td>
<td>${r.actorName ?? r.actorId ?? ''}<div class="muted small">${r.actorKind}</div></td>
<td><code>${r.action}</code></td>
<td>${r.targetType ?? ''}${r.targetId ? html`:${r.targetId}` : ''}</td>
<td>${r.before ? html`<details><summary>查看</summary><pre>${pretty(r.before)}</pre></details>` : ''}</td>
<td>${r.after || r.details ? html`<details><summary>查看</summary><pre>${pretty(r.after)}${r.details ? '\n' + pretty(r.details) : ''}</pre></details>` : ''}</td>
<td class="small">${r.ip ?? ''}</td></tr>`,
    )}</tbody></table>`}
${pager('/admin/audit', f, page, PAGE_SIZE, total)}
</section>`;
        res.type('html').send(layout(ctx.user, ctx.csrf, { title: '审计日志', nav: 'audit', body }));
      },
    },
  ];
}
