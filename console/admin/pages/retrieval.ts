/**
 * The retrieval test page (MaxKB's "hit test"): a query goes through the live hybrid retriever and the
 * ranked chunks come back with the fused score and each ranker's own score and rank, plus the query
 * tokens and their weights, so a curator can see why something was (or was not) found.
 */
import { CURATORS, field, type AdminRoute } from '../context.ts';
import { fmtScore, html } from '../html.ts';
import { layout } from '../layout.ts';

export function retrievalRoutes(): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/retrieval',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const q = field(req.query, 'q').slice(0, 500).trim();
        const k = Math.min(Math.max(Number.parseInt(field(req.query, 'k'), 10) || 10, 1), 50);
        const traced = q ? await ctx.services.knowledge.retriever.searchTraced(q, { k }) : null;
        const max = traced?.hits.reduce((m, h) => Math.max(m, h.score), 0) || 1;
        const body = html`
<form method="get" action="/admin/retrieval" class="filters" id="retrieval-form">
  <label>问题<input name="q" value="${q}" size="60" placeholder="如：达到三级的企业最多补助多少？" autofocus></label>
  <label>返回条数<input name="k" type="number" min="1" max="50" value="${k}"></label>
  <button class="btn primary" type="submit">检索</button>
</form>
${traced
  ? html`<section class="card">
<p class="small muted">分词（权重）：${traced.trace.tokens.map((t) => html`<code>${t.token}</code>(${fmtScore(t.weight, 2)}) `)}
· 词法候选 ${traced.trace.lexical.length} · 向量候选 ${traced.trace.vector.length} · 耗时 ${Math.round(traced.trace.ms.total)} ms</p>
${traced.hits.length === 0
  ? html`<p class="muted">没有检索到任何片段。</p>`
  : html`<table class="table" id="hits"><thead><tr><th>#</th><th>文档 · 章节 · 内容</th><th class="num">融合分</th><th class="num">词法分（名次）</th><th class="num">向量分（名次）</th></tr></thead><tbody>
${traced.hits.map(
  (h, i) => html`<tr><td>${i + 1}</td>
<td><strong>《${h.documentTitle}》</strong> <a class="small" href="/admin/documents/${encodeURIComponent(h.documentId)}#chunk-${encodeURIComponent(h.chunkId)}">查看</a>
<div class="path">${h.sectionPath.join(' > ') || '（无章节）'}</div><div class="chunk-text">${h.text}</div></td>
<td class="num nowrap">${fmtScore(h.score, 4)}<div><span class="score-bar score-w-${Math.round((h.score / max) * 10)}"></span></div></td>
<td class="num nowrap">${h.scores.lexical ? html`${fmtScore(h.scores.lexical.score)}（${h.scores.lexical.rank}）` : '—'}</td>
<td class="num nowrap">${h.scores.vector ? html`${fmtScore(h.scores.vector.score)}（${h.scores.vector.rank}）` : '—'}</td></tr>`,
)}</tbody></table>`}
</section>`
  : html`<p class="muted">输入一个问题，查看检索到的片段及各检索器的得分。融合分为倒数排名融合（RRF）。</p>`}`;
        res.type('html').send(layout(ctx.user, ctx.csrf, { title: '检索测试', nav: 'retrieval', body }));
      },
    },
  ];
}
