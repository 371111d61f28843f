/**
 * Editors for the domain dictionary (words jieba must keep whole, e.g. 专精特新, 小快轻准) and synonyms
 * (colloquial term → canonical term). Changes are applied by rebuilding the tokenizer and re-tokenizing
 * every chunk, so search uses them at once. Pack-seeded entries are shown and can be removed too.
 */
import { isAppError } from '../../../db/index.ts';
import { CURATORS, field, type AdminCtx, type AdminRoute } from '../context.ts';
import { html } from '../html.ts';
import { actionButton, csrfField, EMPTY, layout } from '../layout.ts';

async function page(ctx: AdminCtx, flash?: string, error?: string) {
  const lex = ctx.services.knowledge.lexicon;
  const [words, synonyms] = await Promise.all([lex.listWords(), lex.listSynonyms()]);
  const body = html`
${error ? html`<p class="error-text" role="alert">${error}</p>` : ''}
<div class="cols">
<section class="card"><h2>领域词典（${words.length}）</h2>
<form method="post" action="/admin/dictionary/words" class="filters">${csrfField(ctx.csrf)}
<label>词条<input name="word" required maxlength="32"></label><label>词频（可选）<input name="freq" type="number" min="1" max="1000000"></label>
<button class="btn primary" type="submit">添加</button></form>
${words.length === 0
  ? EMPTY
  : html`<table class="table"><thead><tr><th>词条</th><th class="num">词频</th><th>来源</th><th></th></tr></thead><tbody>
${words.map((w) => html`<tr><td>${w.word}</td><td class="num">${w.freq ?? ''}</td><td>${w.source === 'pack' ? '政策包' : '管理员'}</td>
<td>${actionButton('/admin/dictionary/words/delete', ctx.csrf, '删除', { confirm: `删除词条“${w.word}”？`, cls: 'btn small danger', hidden: { word: w.word } })}</td></tr>`)}
</tbody></table>`}
</section>
<section class="card"><h2>同义词（${synonyms.length}）</h2>
<form method="post" action="/admin/dictionary/synonyms" class="filters">${csrfField(ctx.csrf)}
<label>说法<input name="term" required maxlength="32" placeholder="如：小巨人"></label><label>标准词<input name="canonical" required maxlength="32" placeholder="如：专精特新小巨人"></label>
<button class="btn primary" type="submit">添加</button></form>
${synonyms.length === 0
  ? EMPTY
  : html`<table class="table"><thead><tr><th>说法</th><th>标准词</th><th>来源</th><th></th></tr></thead><tbody>
${synonyms.map((s) => html`<tr><td>${s.term}</td><td>${s.canonical}</td><td>${s.source === 'pack' ? '政策包' : '管理员'}</td>
<td>${actionButton('/admin/dictionary/synonyms/delete', ctx.csrf, '删除', { confirm: `删除同义词“${s.term}”？`, cls: 'btn small danger', hidden: { term: s.term } })}</td></tr>`)}
</tbody></table>`}
</section></div>
<p class="muted small">修改后会重建分词器并重新切分所有片段，检索立即生效。</p>`;
  return layout(ctx.user, ctx.csrf, { title: '词典与同义词', nav: 'dictionary', body }, flash);
}

/** Runs a lexicon change, then reloads the tokenizer; a validation error re-renders with its message. */
function change(action: string, run: (ctx: AdminCtx, body: unknown) => Promise<{ target: string; before?: unknown; after?: unknown }>): AdminRoute['handler'] {
  return async (req, res, ctx) => {
    try {
      const r = await run(ctx, req.body);
      await ctx.services.knowledge.lexicon.reload();
      await ctx.audit(action, { type: 'lexicon', id: r.target }, { before: r.before, after: r.after });
    } catch (e) {
      if (isAppError(e, 'validation')) {
        res.status(400).type('html').send(await page(ctx, undefined, Object.values(e.fields ?? {})[0] ?? e.userMessage));
        return;
      }
      throw e;
    }
    res.redirect(303, '/admin/dictionary?done=saved');
  };
}

export function dictionaryRoutes(): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/dictionary',
      roles: CURATORS,
      async handler(req, res, ctx) {
        res.type('html').send(await page(ctx, field(req.query, 'done')));
      },
    },
    {
      method: 'post',
      path: '/dictionary/words',
      roles: CURATORS,
      handler: change('dictionary.add', async (ctx, body) => {
        const word = field(body, 'word').trim();
        const freqText = field(body, 'freq').trim();
        const freq = freqText ? Number(freqText) : undefined;
        await ctx.services.knowledge.lexicon.addWord(word, Number.isInteger(freq) && freq! > 0 ? freq : undefined);
        return { target: word, after: { word, freq } };
      }),
    },
    {
      method: 'post',
      path: '/dictionary/words/delete',
      roles: CURATORS,
      handler: change('dictionary.remove', async (ctx, body) => {
        const word = field(body, 'word');
        await ctx.services.knowledge.lexicon.removeWord(word);
        return { target: word, before: { word } };
      }),
    },
    {
      method: 'post',
      path: '/dictionary/synonyms',
      roles: CURATORS,
      handler: change('synonym.add', async (ctx, body) => {
        const term = field(body, 'term').trim();
        const canonical = field(body, 'canonical').trim();
        await ctx.services.knowledge.lexicon.addSynonym(term, canonical);
        return { target: term, after: { term, canonical } };
      }),
    },
    {
      method: 'post',
      path: '/dictionary/synonyms/delete',
      roles: CURATORS,
      handler: change('synonym.remove', async (ctx, body) => {
        const term = field(body, 'term');
        const before = (await ctx.services.knowledge.lexicon.listSynonyms()).find((s) => s.term === term);
        await ctx.services.knowledge.lexicon.removeSynonym(term);
        return { target: term, before };
      }),
    },
  ];
}
