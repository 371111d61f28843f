/**
 * District officers (progress data, chat side): an admin creates an officer with a region scope, edits or
 * disables them, and issues one-time binding codes (`/bind CODE` in any chat channel) and API tokens for
 * GET /api/progress. Codes and tokens are shown once and stored hashed by the officer service.
 */
import type { Response } from 'express';
import { AppError, isAppError } from '../../../db/index.ts';
import { ADMIN_ONLY, field, type AdminCtx, type AdminRoute } from '../context.ts';
import { fmtTime, html, type SafeHtml } from '../html.ts';
import { actionButton, csrfField, EMPTY, fieldError, layout } from '../layout.ts';
import { regionChoices } from './users.ts';

async function page(ctx: AdminCtx, extra: { errors?: Record<string, string>; shown?: SafeHtml; flash?: string; status?: number } = {}) {
  const officers = await ctx.services.progress.officers.list();
  const body = html`
${extra.shown ?? ''}
<section class="card">
${officers.length === 0
  ? EMPTY
  : html`<table class="table" id="officers"><thead><tr><th>姓名</th><th>范围</th><th>API 令牌</th><th>创建</th><th>状态</th><th></th></tr></thead><tbody>
${officers.map(
  (o) => html`<tr class="${o.disabledAt ? 'muted' : ''}"><td>${o.name}</td><td>${o.region ?? '全市'}</td><td>${o.hasApiToken ? '已签发' : '—'}</td>
<td class="small">${o.createdBy} · ${fmtTime(o.createdAt)}</td><td>${o.disabledAt ? '已停用' : '正常'}</td>
<td class="nowrap">${o.disabledAt
    ? actionButton(`/admin/officers/${o.id}/enable`, ctx.csrf, '启用')
    : html`${actionButton(`/admin/officers/${o.id}/code`, ctx.csrf, '生成绑定码', { cls: 'btn small primary' })} ${actionButton(`/admin/officers/${o.id}/token`, ctx.csrf, '签发 API 令牌', { confirm: '新令牌会替换旧令牌，确定吗？' })} ${actionButton(`/admin/officers/${o.id}/disable`, ctx.csrf, '停用', { confirm: '停用后该专员无法再查询进度，确定吗？', cls: 'btn small danger' })}`}</td></tr>`,
)}</tbody></table>`}
</section>
<section class="card"><h2>新建区县专员</h2>
<form method="post" action="/admin/officers" class="grid-form">${csrfField(ctx.csrf)}
<label>姓名<input name="name" required maxlength="60"></label>${fieldError(extra.errors, 'name')}
<label>范围<select name="region"><option value="all">全市</option>${regionChoices(ctx.services).map((r) => html`<option>${r}</option>`)}</select></label>${fieldError(extra.errors, 'region')}
<div><button class="btn primary" type="submit">创建</button></div></form>
<p class="muted small">专员在 Telegram、Slack 或网页聊天中发送 <code>/bind 绑定码</code> 完成绑定；绑定码一次有效，过期作废。</p></section>`;
  return layout(ctx.user, ctx.csrf, { title: '区县专员', nav: 'officers', body }, extra.flash);
}

const send = (res: Response, status: number, p: string) => void res.status(status).type('html').send(p);

async function mustGet(ctx: AdminCtx, id: string) {
  const o = await ctx.services.progress.officers.get(id);
  if (!o) throw new AppError('not_found', `officer ${id}`, { userMessage: '没有这个专员。' });
  return o;
}

export function officerRoutes(): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/officers',
      roles: ADMIN_ONLY,
      async handler(req, res, ctx) {
        send(res, 200, await page(ctx, { flash: field(req.query, 'done') }));
      },
    },
    {
      method: 'post',
      path: '/officers',
      roles: ADMIN_ONLY,
      async handler(req, res, ctx) {
        const name = field(req.body, 'name').trim();
        if (!name) return send(res, 400, await page(ctx, { errors: { name: '请填写姓名。' } }));
        try {
          const o = await ctx.services.progress.officers.create({ name: name.slice(0, 60), region: field(req.body, 'region') || 'all' }, ctx.user.username);
          await ctx.audit('officer.create', { type: 'officer', id: o.id }, { after: o });
        } catch (e) {
          if (isAppError(e, 'validation')) return send(res, 400, await page(ctx, { errors: e.fields }));
          throw e;
        }
        res.redirect(303, '/admin/officers?done=created');
      },
    },
    {
      method: 'post',
      path: '/officers/:id/code',
      roles: ADMIN_ONLY,
      async handler(req, res, ctx) {
        const o = await mustGet(ctx, String(req.params.id));
        const { code, expiresAt } = await ctx.services.progress.officers.issueBindCode(o.id, ctx.user.username);
        await ctx.audit('officer.bind_code', { type: 'officer', id: o.id }, { details: { expiresAt } });
        send(res, 200, await page(ctx, { shown: html`<section class="card flash" id="bind-code"><h2>${o.name} 的绑定码</h2><p>在聊天中发送：<code class="big">/bind ${code}</code></p><p class="muted small">只显示这一次；${fmtTime(expiresAt)} 前有效，使用一次后作废。</p></section>` }));
      },
    },
    {
      method: 'post',
      path: '/officers/:id/token',
      roles: ADMIN_ONLY,
      async handler(req, res, ctx) {
        const o = await mustGet(ctx, String(req.params.id));
        const token = await ctx.services.progress.officers.issueApiToken(o.id);
        await ctx.audit('officer.api_token', { type: 'officer', id: o.id });
        send(res, 200, await page(ctx, { shown: html`<section class="card flash"><h2>${o.name} 的 API 令牌</h2><p><code>${token}</code></p><p class="muted small">只显示这一次。调用 GET /api/progress 时放在 Authorization: Bearer 头中。</p></section>` }));
      },
    },
    ...(['disable', 'enable'] as const).map(
      (verb): AdminRoute => ({
        method: 'post',
        path: `/officers/:id/${verb}`,
        roles: ADMIN_ONLY,
        async handler(req, res, ctx) {
          const before = await mustGet(ctx, String(req.params.id));
          const after = await ctx.services.progress.officers.update(before.id, { disabled: verb === 'disable' });
          await ctx.audit(`officer.${verb}`, { type: 'officer', id: before.id }, { before, after });
          res.redirect(303, '/admin/officers?done=saved');
        },
      }),
    ),
  ];
}
