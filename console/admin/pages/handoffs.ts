/**
 * The handoff inbox: conversations waiting for a human. Staff reply from here; the engine's sender
 * registry stores the reply in the transcript and pushes it on the user's own channel (Telegram, Slack)
 * or leaves it for the web chat to pull. Closing tells the user. Both are audited.
 */
import { AppError, type HandoffRow, type HandoffStatus } from '../../../db/index.ts';
import { CURATORS, field, type AdminCtx, type AdminRoute } from '../context.ts';
import { fmtTime, html, type SafeHtml } from '../html.ts';
import { actionButton, csrfField, EMPTY, layout } from '../layout.ts';

const STATUS_LABEL: Record<HandoffStatus, string> = { waiting: '等待中', answered: '已回复', closed: '已结束' };
const CHANNEL_LABEL: Record<string, string> = { telegram: 'Telegram', slack: 'Slack', web: '网页', terminal: '终端', api: 'API' };

/** Reply + close controls for one open handoff; `back` is where to return afterwards. */
export function handoffPanel(ctx: AdminCtx, h: HandoffRow, back: string): SafeHtml {
  return html`<section class="card"><h2>人工接待 <span class="badge ${h.status === 'waiting' ? 'bad' : 'warn'}">${STATUS_LABEL[h.status]}</span></h2>
<p class="small muted">${h.reason === 'abstentions' ? '多次未答出后自动转人工' : '用户请求转人工'} · ${fmtTime(h.createdAt)} · 渠道：${CHANNEL_LABEL[h.channel] ?? h.channel}</p>
<form method="post" action="/admin/handoffs/${h.id}/reply" class="grid-form">${csrfField(ctx.csrf)}
<input type="hidden" name="back" value="${back}">
<label>回复用户<textarea name="text" required maxlength="4000" rows="4" placeholder="将通过用户所在的渠道发送"></textarea></label>
<div><button class="btn primary" type="submit">发送</button></div></form>
<p>${actionButton(`/admin/handoffs/${h.id}/close`, ctx.csrf, '结束人工接待', { confirm: '结束后会通知用户，确定吗？', hidden: { back } })}</p></section>`;
}

function safeBack(v: string): string {
  return /^\/admin\/(handoffs|conversations)(\/[\w:.%-]+)?$/.test(v) ? v : '/admin/handoffs';
}

export function handoffRoutes(): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/handoffs',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const status = (['waiting', 'answered', 'closed'] as const).find((s) => s === field(req.query, 'status'));
        const rows = await ctx.services.engine.handoffs.list({ status: status ?? ['waiting', 'answered'], limit: 200 });
        const tab = (s: string, label: string) => html`<a class="${(status ?? '') === s ? 'btn small primary' : 'btn small'}" href="/admin/handoffs${s ? `?status=${s}` : ''}">${label}</a>`;
        const body = html`
<div class="filters">${tab('', '未结束')} ${tab('waiting', '等待中')} ${tab('answered', '已回复')} ${tab('closed', '已结束')}</div>
<section class="card">
${rows.length === 0
  ? EMPTY
  : html`<table class="table"><thead><tr><th>时间</th><th>用户</th><th>渠道</th><th>原因</th><th>用户最后一句</th><th>状态</th><th></th></tr></thead><tbody>
${rows.map(
  (h) => html`<tr><td class="nowrap">${fmtTime(h.createdAt)}</td><td>${h.userName ?? h.userId}</td><td>${CHANNEL_LABEL[h.channel] ?? h.channel}</td>
<td>${h.reason === 'abstentions' ? '多次未答出' : '用户请求'}</td><td class="chunk-text">${(h.lastUserText ?? '').slice(0, 100)}</td>
<td><span class="badge ${h.status === 'waiting' ? 'bad' : h.status === 'answered' ? 'warn' : ''}">${STATUS_LABEL[h.status]}</span></td>
<td class="nowrap"><a href="/admin/conversations/${encodeURIComponent(h.conversationId)}">查看并回复</a></td></tr>`,
)}</tbody></table>`}
</section>`;
        res.type('html').send(layout(ctx.user, ctx.csrf, { title: '人工接待', nav: 'handoffs', body }, field(req.query, 'done')));
      },
    },
    {
      method: 'post',
      path: '/handoffs/:id/reply',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const id = String(req.params.id);
        const text = field(req.body, 'text').trim();
        if (!text) throw AppError.validation({ text: '回复内容不能为空。' });
        if (text.length > 4000) throw AppError.validation({ text: '回复太长（最多 4000 字）。' });
        const before = await ctx.services.engine.handoffs.get(id);
        if (!before) throw new AppError('not_found', `handoff ${id}`, { userMessage: '没有找到这条人工服务请求。' });
        const result = await ctx.services.engine.handoffs.reply(id, { text, author: ctx.user.displayName || ctx.user.username });
        await ctx.audit('handoff.reply', { type: 'handoff', id }, { before: { status: before.status }, after: { status: 'answered', text }, details: { delivery: result.status, channel: result.channel, error: result.error } });
        if (result.status === 'undeliverable')
          throw new AppError('upstream', 'no sender for channel', { userMessage: `回复已记录，但 ${CHANNEL_LABEL[result.channel] ?? result.channel} 渠道当前未连接，用户暂时收不到。${result.error ?? ''}` });
        res.redirect(303, `${safeBack(field(req.body, 'back'))}?done=sent`);
      },
    },
    {
      method: 'post',
      path: '/handoffs/:id/close',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const id = String(req.params.id);
        const before = await ctx.services.engine.handoffs.get(id);
        if (!before) throw new AppError('not_found', `handoff ${id}`, { userMessage: '没有找到这条人工服务请求。' });
        await ctx.services.engine.handoffs.close(id, { by: ctx.user.username });
        await ctx.audit('handoff.close', { type: 'handoff', id }, { before: { status: before.status }, after: { status: 'closed' } });
        res.redirect(303, `${safeBack(field(req.body, 'back'))}?done=closed`);
      },
    },
  ];
}
