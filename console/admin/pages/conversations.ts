/**
 * Conversations: a filtered list (channel, dates, abstained, 👎, waiting for a human, has an intake) and
 * the transcript of one conversation, where each bot answer shows its citations, retrieval hits with each
 * ranker's score, mode, confidence and the user's feedback. A curator can mark an answer wrong and write
 * the correct one: that becomes an FAQ pair linked to the conversation, which the answerer prefers from
 * the next question on. An open handoff can be answered and closed from here too.
 */
import type { Response } from 'express';
import { AppError, faqRepo, isAppError, type AnswerRow, type ConversationFilter, type MessageRow } from '../../../db/index.ts';
import { CURATORS, field, type AdminCtx, type AdminRoute } from '../context.ts';
import { fmtScore, fmtTime, html, type SafeHtml } from '../html.ts';
import { csrfField, EMPTY, layout } from '../layout.ts';
import { EMPTY_FAQ, faqFields, faqInput, readFaqForm, type FaqForm } from './faq.ts';
import { handoffPanel } from './handoffs.ts';

const PAGE_SIZE = 30;
export const CHANNEL_LABEL: Record<string, string> = { telegram: 'Telegram', slack: 'Slack', web: '网页', terminal: '终端', api: 'API' };

/** yyyy-mm-dd (Beijing) → the instant that day starts; invalid → undefined. */
function parseDay(v: string, endOfDay = false): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return undefined;
  const d = new Date(`${v}T00:00:00+08:00`);
  if (Number.isNaN(d.getTime())) return undefined;
  return endOfDay ? new Date(d.getTime() + 86_400_000) : d;
}

function check(name: string, label: string, on: boolean) {
  return html`<label class="check"><input type="checkbox" name="${name}" value="1"${on ? ' checked' : ''}> ${label}</label>`;
}

async function listPage(ctx: AdminCtx, query: Record<string, string>, page: number): Promise<string> {
  const transcripts = ctx.services.engine.transcripts;
  const filter: ConversationFilter = {
    channel: query.channel || undefined,
    from: parseDay(query.from),
    to: parseDay(query.to, true),
    abstained: query.abstained === '1',
    downvoted: query.downvoted === '1',
    waiting: query.waiting === '1',
    hasIntake: query.intake === '1',
    limit: PAGE_SIZE + 1,
    offset: (page - 1) * PAGE_SIZE,
  };
  const rows = await transcripts.listConversations(filter);
  const more = rows.length > PAGE_SIZE;
  const shown = rows.slice(0, PAGE_SIZE);
  const link = (p: number) => `/admin/conversations?${new URLSearchParams({ ...Object.fromEntries(Object.entries(query).filter(([, v]) => v)), page: String(p) })}`;
  const body = html`
<form method="get" action="/admin/conversations" class="filters">
  <label>渠道<select name="channel"><option value="">全部</option>${Object.entries(CHANNEL_LABEL).map(([k, v]) => html`<option value="${k}"${query.channel === k ? ' selected' : ''}>${v}</option>`)}</select></label>
  <label>从<input type="date" name="from" value="${query.from}"></label>
  <label>到<input type="date" name="to" value="${query.to}"></label>
  ${check('abstained', '有未答出', query.abstained === '1')}
  ${check('downvoted', '有 👎', query.downvoted === '1')}
  ${check('waiting', '等待人工', query.waiting === '1')}
  ${check('intake', '有申报诊断', query.intake === '1')}
  <button class="btn" type="submit">筛选</button>
</form>
<section class="card">
${shown.length === 0
  ? EMPTY
  : html`<table class="table"><thead><tr><th>最近消息</th><th>用户</th><th>渠道</th><th>最后一句</th><th class="num">消息</th><th class="num">回答</th><th class="num">未答出</th><th class="num">👍/👎</th><th>人工</th></tr></thead><tbody>
${shown.map(
  (c) => html`<tr>
<td class="nowrap"><a href="/admin/conversations/${encodeURIComponent(c.id)}">${fmtTime(c.lastMessageAt)}</a></td>
<td>${c.userName ?? c.userId}${c.role !== 'enterprise' ? html` <span class="badge">${c.role}</span>` : ''}</td>
<td>${CHANNEL_LABEL[c.channel] ?? c.channel}</td>
<td class="chunk-text">${(c.lastText ?? '').slice(0, 80)}</td>
<td class="num">${c.messages}</td><td class="num">${c.answers}</td>
<td class="num">${c.abstained ? html`<span class="badge warn">${c.abstained}</span>` : 0}</td>
<td class="num">${c.upvotes}/${c.downvotes ? html`<span class="badge bad">${c.downvotes}</span>` : 0}</td>
<td>${c.handoffStatus === 'waiting' ? html`<span class="badge bad">等待中</span>` : c.handoffStatus === 'answered' ? html`<span class="badge warn">已回复</span>` : c.handoffStatus === 'closed' ? '已结束' : ''}</td></tr>`,
)}</tbody></table>`}
<div class="pager">第 ${page} 页 ${page > 1 ? html`<a href="${link(page - 1)}">上一页</a>` : ''} ${more ? html`<a href="${link(page + 1)}">下一页</a>` : ''}</div>
</section>`;
  return layout(ctx.user, ctx.csrf, { title: '对话记录', nav: 'conversations', body });
}

interface HitView {
  documentTitle?: string;
  sectionPath?: string[];
  score?: number;
  scores?: { lexical?: { rank: number; score: number }; vector?: { rank: number; score: number } };
  text?: string;
}

function hitsTable(hits: HitView[]): SafeHtml {
  if (!hits.length) return html``;
  return html`<details><summary>检索结果 ${hits.length} 条（融合分 / 词法 / 向量）</summary>
<table class="table small"><thead><tr><th>#</th><th>文档 · 章节</th><th class="num">融合</th><th class="num">词法（名次）</th><th class="num">向量（名次）</th></tr></thead><tbody>
${hits.map(
  (h, i) => html`<tr><td>${i + 1}</td><td>《${h.documentTitle ?? ''}》<div class="path">${(h.sectionPath ?? []).join(' > ')}</div><div class="muted">${h.text ?? ''}</div></td>
<td class="num">${fmtScore(h.score, 4)}</td>
<td class="num">${h.scores?.lexical ? html`${fmtScore(h.scores.lexical.score)}（${h.scores.lexical.rank}）` : '—'}</td>
<td class="num">${h.scores?.vector ? html`${fmtScore(h.scores.vector.score)}（${h.scores.vector.rank}）` : '—'}</td></tr>`,
)}</tbody></table></details>`;
}

function answerMeta(a: AnswerRow): SafeHtml {
  const mode: Record<string, string> = { extractive: '摘录', generative: '生成', faq: '常见问答', abstained: '未答出' };
  return html`<div class="meta">回答 #${a.id} · ${mode[a.mode] ?? a.mode} · 置信度 ${fmtScore(a.confidence)}
${a.abstained ? html` · <span class="badge warn">未答出</span>` : ''}
${a.feedback === 1 ? html` · 👍` : a.feedback === -1 ? html` · <span class="badge bad">👎</span>${a.feedbackReason ? html` ${a.feedbackReason}` : ''}` : ''}
${a.rewrittenQuery && a.rewrittenQuery !== a.question ? html`<div>改写后的检索：${a.rewrittenQuery}</div>` : ''}</div>`;
}

function correctionForm(ctx: AdminCtx, convId: string, a: AnswerRow, form: FaqForm, errors: Record<string, string>, open: boolean): SafeHtml {
  const id = `fix-${a.id}`;
  return html`<div><a href="#" data-toggle="${id}" class="small">标记错误并更正</a>
<form id="${id}" method="post" action="/admin/conversations/${encodeURIComponent(convId)}/answers/${a.id}/correct" class="grid-form card${open ? '' : ' hidden'}">
${csrfField(ctx.csrf)}<p class="muted small">保存后生成一条常见问答（关联本对话），之后用户问同样的问题将直接得到此答复。</p>
${faqFields(form, errors)}<div><button class="btn primary" type="submit">保存更正</button></div></form></div>`;
}

function prefill(a: AnswerRow): FaqForm {
  const c = a.citations[0];
  return { ...EMPTY_FAQ, question: a.question, document: c?.document ?? '', section: c?.section ?? '', quote: c?.quote ?? '' };
}

async function transcriptPage(ctx: AdminCtx, convId: string, fix?: { answerId: string; form: FaqForm; errors: Record<string, string> }, flash?: string): Promise<string> {
  const engine = ctx.services.engine;
  const conv = await engine.chat.getConversation(convId);
  if (!conv) throw new AppError('not_found', `conversation ${convId}`, { userMessage: '没有这个对话。' });
  const user = await engine.chat.getUser(conv.userId);
  const [messages, answers, handoff, faqs] = await Promise.all([
    engine.transcripts.messages(convId, { limit: 500 }),
    engine.transcripts.answers(convId),
    engine.handoffs.list({ limit: 200 }).then((hs) => hs.find((h) => h.conversationId === convId && h.status !== 'closed') ?? null),
    faqRepo(ctx.services.db).list({ conversationId: convId }),
  ]);
  const byId = new Map(answers.map((a) => [a.id, a]));
  const bubble = (m: MessageRow): SafeHtml => {
    const a = m.answerId ? byId.get(m.answerId) : undefined;
    const cls = m.direction === 'in' ? 'msg user' : m.author ? 'msg staff' : 'msg bot';
    const who = m.direction === 'in' ? (user?.displayName ?? '用户') : m.author ? `人工 · ${m.author}` : '助手';
    return html`<div class="${cls}"><div class="meta">${who} · ${fmtTime(m.createdAt)}${m.kind !== 'text' ? html` · ${m.kind}` : ''}</div>${m.text}
${m.citations?.length ? html`<div class="citations">${m.citations.map((c) => html`<div>《${c.document}》${c.section ? html` ${c.section}` : ''}${c.quote ? html`<div class="muted">“${c.quote}”</div>` : ''}</div>`)}</div>` : ''}
${a ? html`${answerMeta(a)}${hitsTable(a.hits as HitView[])}${correctionForm(ctx, convId, a, fix?.answerId === a.id ? fix.form : prefill(a), fix?.answerId === a.id ? fix.errors : {}, fix?.answerId === a.id)}` : ''}</div>`;
  };
  const body = html`
<div class="cols-side">
<section class="card">
<h2>对话 ${conv.id}</h2>
<p class="muted small">用户：${user?.displayName ?? conv.userId}（${user?.role ?? ''}）· 渠道：${CHANNEL_LABEL[conv.channel] ?? conv.channel} · 开始于 ${fmtTime(conv.createdAt)}${conv.flowId ? html` · 当前流程：${conv.flowId}` : ''}</p>
${messages.length ? messages.map(bubble) : EMPTY}
</section>
<aside>
${handoff ? handoffPanel(ctx, handoff, `/admin/conversations/${encodeURIComponent(convId)}`) : ''}
${faqs.length ? html`<section class="card"><h2>由本对话生成的问答</h2><ul>${faqs.map((p) => html`<li><a href="/admin/faq/${p.id}">${p.question}</a></li>`)}</ul></section>` : ''}
</aside>
</div>`;
  return layout(ctx.user, ctx.csrf, { title: '对话详情', nav: 'conversations', body }, flash);
}

const send = (res: Response, status: number, page: string) => void res.status(status).type('html').send(page);

export function conversationRoutes(): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/conversations',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const q: Record<string, string> = {};
        for (const k of ['channel', 'from', 'to', 'abstained', 'downvoted', 'waiting', 'intake']) q[k] = field(req.query, k);
        const page = Math.max(1, Number.parseInt(field(req.query, 'page'), 10) || 1);
        send(res, 200, await listPage(ctx, q, page));
      },
    },
    {
      method: 'get',
      path: '/conversations/:id',
      roles: CURATORS,
      async handler(req, res, ctx) {
        send(res, 200, await transcriptPage(ctx, String(req.params.id), undefined, field(req.query, 'done')));
      },
    },
    {
      method: 'post',
      path: '/conversations/:id/answers/:answerId/correct',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const convId = String(req.params.id);
        const answer = await ctx.services.engine.transcripts.getAnswer(String(req.params.answerId));
        if (!answer || answer.conversationId !== convId) throw new AppError('not_found', 'answer not in conversation', { userMessage: '没有找到这条回答。' });
        const form = readFaqForm(req.body);
        form.enabled = true;
        const messages = await ctx.services.engine.transcripts.messages(convId, { limit: 500, direction: 'out' });
        const messageId = messages.find((m) => m.answerId === answer.id)?.id ?? null;
        try {
          const pair = await faqRepo(ctx.services.db).create({ ...faqInput(ctx, form), conversationId: convId, messageId });
          await ctx.audit('answer.correct', { type: 'answer', id: answer.id }, {
            before: { question: answer.question, text: answer.text, citations: answer.citations, mode: answer.mode },
            after: pair,
            details: { conversationId: convId, faqPairId: pair.id },
          });
        } catch (e) {
          if (isAppError(e, 'validation')) return send(res, 400, await transcriptPage(ctx, convId, { answerId: answer.id, form, errors: e.fields ?? {} }));
          throw e;
        }
        res.redirect(303, `/admin/conversations/${encodeURIComponent(convId)}?done=corrected`);
      },
    },
  ];
}
