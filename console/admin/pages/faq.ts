/**
 * FAQ pairs (curated answers): list, create, edit, enable/disable and delete. A pair has question
 * variants, the approved answer and the clause it rests on; pairs created by correcting a chat answer
 * show a link back to that conversation. Validation messages come from the FAQ repository.
 */
import type { Response } from 'express';
import { faqRepo, isAppError, type FaqInput, type FaqPair } from '../../../db/index.ts';
import { CURATORS, field, type AdminCtx, type AdminRoute } from '../context.ts';
import { fmtTime, html } from '../html.ts';
import { actionButton, csrfField, EMPTY, fieldError, layout } from '../layout.ts';

export interface FaqForm {
  question: string;
  variants: string;
  answer: string;
  answerEn: string;
  document: string;
  section: string;
  quote: string;
  enabled: boolean;
}

export const EMPTY_FAQ: FaqForm = { question: '', variants: '', answer: '', answerEn: '', document: '', section: '', quote: '', enabled: true };

export function faqFormFrom(p: FaqPair): FaqForm {
  return {
    question: p.question,
    variants: p.variants.join('\n'),
    answer: p.answer,
    answerEn: p.answerEn ?? '',
    document: p.source.document,
    section: p.source.section,
    quote: p.source.quote,
    enabled: p.enabled,
  };
}

export function readFaqForm(body: unknown): FaqForm {
  return {
    question: field(body, 'question'),
    variants: field(body, 'variants'),
    answer: field(body, 'answer'),
    answerEn: field(body, 'answerEn'),
    document: field(body, 'document'),
    section: field(body, 'section'),
    quote: field(body, 'quote'),
    enabled: field(body, 'enabled') === '1',
  };
}

export function faqInput(ctx: AdminCtx, f: FaqForm): Omit<FaqInput, 'conversationId' | 'messageId'> {
  return {
    pack: ctx.services.pack.id,
    question: f.question,
    variants: f.variants.split('\n').map((v) => v.trim()).filter(Boolean),
    answer: f.answer,
    answerEn: f.answerEn || null,
    source: { document: f.document, section: f.section, quote: f.quote },
    enabled: f.enabled,
    createdBy: ctx.user.username,
  };
}

/** The form fields of a pair, shared by the FAQ editor and the correction form on a transcript. */
export function faqFields(f: FaqForm, errors: Record<string, string> = {}) {
  return html`
  <label>标准问题<input name="question" required maxlength="500" value="${f.question}"></label>${fieldError(errors, 'question')}
  <label>其他问法（每行一条）<textarea name="variants" rows="3">${f.variants}</textarea></label>${fieldError(errors, 'variants')}
  <label>答复<textarea name="answer" required rows="5" maxlength="4000">${f.answer}</textarea></label>${fieldError(errors, 'answer')}
  <label>英文答复（可选）<textarea name="answerEn" rows="2" maxlength="4000">${f.answerEn}</textarea></label>
  <label>依据文件<input name="document" required maxlength="200" value="${f.document}" placeholder="如：金华市中小企业数字化转型试点实施意见"></label>${fieldError(errors, 'source.document')}
  <label>章节路径<input name="section" maxlength="300" value="${f.section}" placeholder="如：四、工作内容 > （四）加大数字化改造资金支持 > 17."></label>
  <label>原文引用<textarea name="quote" rows="2" maxlength="2000">${f.quote}</textarea></label>
  <label class="check"><input type="checkbox" name="enabled" value="1"${f.enabled ? ' checked' : ''}> 启用</label>`;
}

function listPage(ctx: AdminCtx, pairs: FaqPair[], q: string, form: FaqForm, errors: Record<string, string> = {}, flash?: string) {
  const body = html`
<form method="get" action="/admin/faq" class="filters"><label>搜索<input name="q" value="${q}" placeholder="问题、问法或答复中的文字"></label><button class="btn" type="submit">搜索</button></form>
<section class="card">
${pairs.length === 0
  ? EMPTY
  : html`<table class="table"><thead><tr><th>问题</th><th>答复</th><th>依据</th><th>来源</th><th>状态</th><th>更新</th><th></th></tr></thead><tbody>
${pairs.map(
  (p) => html`<tr class="${p.enabled ? '' : 'muted'}">
<td>${p.question}${p.variants.length ? html`<div class="muted small">另 ${p.variants.length} 种问法</div>` : ''}</td>
<td class="chunk-text">${p.answer.length > 120 ? p.answer.slice(0, 120) + '…' : p.answer}</td>
<td class="small">《${p.source.document}》${p.source.section ? html`<div class="path">${p.source.section}</div>` : ''}</td>
<td class="small">${p.conversationId ? html`<a href="/admin/conversations/${encodeURIComponent(p.conversationId)}">对话更正</a>` : '手工录入'}</td>
<td>${p.enabled ? html`<span class="badge ok">启用</span>` : html`<span class="badge">停用</span>`}</td>
<td class="nowrap small">${fmtTime(p.updatedAt)}</td>
<td class="nowrap"><a href="/admin/faq/${p.id}">编辑</a> ${actionButton(`/admin/faq/${p.id}/delete`, ctx.csrf, '删除', { confirm: '确定删除这条问答？', cls: 'btn small danger' })}</td></tr>`,
)}</tbody></table>`}
</section>
<section class="card"><h2>新建问答</h2>
<form method="post" action="/admin/faq" class="grid-form">${csrfField(ctx.csrf)}${faqFields(form, errors)}<div><button class="btn primary" type="submit">保存</button></div></form>
</section>`;
  return layout(ctx.user, ctx.csrf, { title: '常见问答', nav: 'faq', body }, flash);
}

function editPage(ctx: AdminCtx, pair: FaqPair, form: FaqForm, errors: Record<string, string> = {}) {
  const body = html`<section class="card">
${pair.conversationId ? html`<p class="muted">由 <a href="/admin/conversations/${encodeURIComponent(pair.conversationId)}">一次对话的更正</a> 生成。</p>` : ''}
<form method="post" action="/admin/faq/${pair.id}" class="grid-form">${csrfField(ctx.csrf)}${faqFields(form, errors)}
<div><button class="btn primary" type="submit">保存</button> <a href="/admin/faq">返回</a></div></form></section>`;
  return layout(ctx.user, ctx.csrf, { title: '编辑问答', nav: 'faq', body });
}

function matches(p: FaqPair, q: string): boolean {
  const needle = q.toLowerCase();
  return [p.question, p.answer, ...p.variants].some((t) => t.toLowerCase().includes(needle));
}

async function listAll(ctx: AdminCtx, q: string): Promise<FaqPair[]> {
  const all = await faqRepo(ctx.services.db).list({ pack: ctx.services.pack.id, limit: 5000 });
  return q ? all.filter((p) => matches(p, q)) : all;
}

const send = (res: Response, status: number, page: string) => void res.status(status).type('html').send(page);

export function faqRoutes(): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/faq',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const q = field(req.query, 'q').trim();
        send(res, 200, listPage(ctx, await listAll(ctx, q), q, EMPTY_FAQ, {}, field(req.query, 'done')));
      },
    },
    {
      method: 'post',
      path: '/faq',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const form = readFaqForm(req.body);
        try {
          const pair = await faqRepo(ctx.services.db).create(faqInput(ctx, form));
          await ctx.audit('faq.create', { type: 'faq_pair', id: pair.id }, { after: pair });
        } catch (e) {
          if (isAppError(e, 'validation')) return send(res, 400, listPage(ctx, await listAll(ctx, ''), '', form, e.fields));
          throw e;
        }
        res.redirect(303, '/admin/faq?done=created');
      },
    },
    {
      method: 'get',
      path: '/faq/:id',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const pair = await faqRepo(ctx.services.db).get(String(req.params.id));
        send(res, 200, editPage(ctx, pair, faqFormFrom(pair)));
      },
    },
    {
      method: 'post',
      path: '/faq/:id',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const repo = faqRepo(ctx.services.db);
        const before = await repo.get(String(req.params.id));
        const form = readFaqForm(req.body);
        try {
          const { pack: _p, createdBy: _c, ...patch } = faqInput(ctx, form);
          const after = await repo.update(before.id, patch);
          await ctx.audit('faq.update', { type: 'faq_pair', id: before.id }, { before, after });
        } catch (e) {
          if (isAppError(e, 'validation')) return send(res, 400, editPage(ctx, before, form, e.fields));
          throw e;
        }
        res.redirect(303, '/admin/faq?done=saved');
      },
    },
    {
      method: 'post',
      path: '/faq/:id/delete',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const repo = faqRepo(ctx.services.db);
        const before = await repo.get(String(req.params.id));
        await repo.remove(before.id);
        await ctx.audit('faq.delete', { type: 'faq_pair', id: before.id }, { before });
        res.redirect(303, '/admin/faq?done=deleted');
      },
    },
  ];
}
