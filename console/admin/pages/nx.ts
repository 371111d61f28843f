/**
 * The N+X lists per industry (N common scenes + X industry-specific ones), which the intake offers as
 * pain points. Seeded from the pack as a starter list; edits here are marked as console edits and a
 * re-seed never overwrites them.
 */
import { AppError, NxRepo } from '../../../db/index.ts';
import { ADMIN_ONLY, field, type AdminRoute } from '../context.ts';
import { fmtTime, html } from '../html.ts';
import { actionButton, csrfField, EMPTY, layout } from '../layout.ts';

export function nxRoutes(): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/nx',
      roles: ADMIN_ONLY,
      async handler(req, res, ctx) {
        const industries = ctx.services.pack.industries.industries;
        const industry = industries.find((i) => i.id === field(req.query, 'industry')) ?? industries[0];
        const items = industry ? await new NxRepo(ctx.services.db).list(ctx.services.pack.id, industry.id, { includeInactive: true }) : [];
        const body = html`
<div class="filters">${industries.map((i) => html`<a class="${i.id === industry?.id ? 'btn small primary' : 'btn small'}" href="/admin/nx?industry=${i.id}">${i.name}</a>`)}</div>
<section class="card">
${items.length === 0
  ? EMPTY
  : html`<table class="table" id="nx"><thead><tr><th>类</th><th>编码</th><th>名称 · 说明</th><th>对应场景</th><th>来源</th><th>状态</th><th></th></tr></thead><tbody>
${items.map(
  (it) => html`<tr class="${it.active ? '' : 'muted'}"><td>${it.kind}</td><td>${it.code}</td>
<td><details><summary>${it.title}</summary><form method="post" action="/admin/nx" class="grid-form">${csrfField(ctx.csrf)}
<input type="hidden" name="industry" value="${it.industryId}"><input type="hidden" name="code" value="${it.code}">
<label>类<select name="kind"><option${it.kind === 'N' ? ' selected' : ''}>N</option><option${it.kind === 'X' ? ' selected' : ''}>X</option></select></label>
<label>名称<input name="title" required maxlength="60" value="${it.title}"></label>
<label>说明<textarea name="description" rows="2" maxlength="500">${it.description}</textarea></label>
<label>对应场景（顿号或逗号分隔）<input name="scenes" maxlength="300" value="${it.scenes.join('、')}"></label>
<label>排序<input name="sort" type="number" value="${it.sort}"></label>
<div><button class="btn small primary" type="submit">保存</button></div></form></details>
<div class="muted small">${it.description}</div></td>
<td class="small">${it.scenes.join('、')}</td>
<td class="small">${it.source === 'pack' ? '政策包（初始）' : html`管理台 · ${it.updatedBy ?? ''} ${fmtTime(it.updatedAt)}`}</td>
<td>${it.active ? '启用' : '停用'}</td>
<td>${actionButton('/admin/nx/toggle', ctx.csrf, it.active ? '停用' : '启用', { hidden: { industry: it.industryId, code: it.code, active: it.active ? '0' : '1' } })}</td></tr>`,
)}</tbody></table>`}
</section>
<section class="card"><h2>新增条目（${industry?.name ?? ''}）</h2>
<form method="post" action="/admin/nx" class="grid-form">${csrfField(ctx.csrf)}<input type="hidden" name="industry" value="${industry?.id ?? ''}">
<label>类<select name="kind"><option>N</option><option>X</option></select></label>
<label>编码<input name="code" required maxlength="20" pattern="[A-Za-z0-9_-]+" placeholder="如 X9"></label>
<label>名称<input name="title" required maxlength="60"></label>
<label>说明<textarea name="description" rows="2" maxlength="500"></textarea></label>
<label>对应场景（顿号或逗号分隔）<input name="scenes" maxlength="300"></label>
<label>排序<input name="sort" type="number" value="100"></label>
<div><button class="btn primary" type="submit">保存</button></div></form>
<p class="muted small">初始清单为参考清单，应以主管部门正式发布的 N+X 清单替换。</p></section>`;
        res.type('html').send(layout(ctx.user, ctx.csrf, { title: 'N+X 清单', nav: 'nx', body }, field(req.query, 'done')));
      },
    },
    {
      method: 'post',
      path: '/nx',
      roles: ADMIN_ONLY,
      async handler(req, res, ctx) {
        const industry = field(req.body, 'industry');
        if (!ctx.services.pack.industries.industries.some((i) => i.id === industry)) throw AppError.validation({ industry: '请选择行业。' });
        const code = field(req.body, 'code').trim();
        const title = field(req.body, 'title').trim();
        const kind = field(req.body, 'kind') === 'X' ? 'X' : 'N';
        const errors: Record<string, string> = {};
        if (!/^[A-Za-z0-9_-]{1,20}$/.test(code)) errors.code = '编码为 1–20 位字母、数字、下划线或短横线。';
        if (!title || title.length > 60) errors.title = '名称不能为空，最多 60 字。';
        if (Object.keys(errors).length) throw AppError.validation(errors);
        const repo = new NxRepo(ctx.services.db);
        const before = (await repo.list(ctx.services.pack.id, industry, { includeInactive: true })).find((i) => i.code === code) ?? null;
        const after = await repo.upsert(
          ctx.services.pack.id,
          {
            industryId: industry,
            kind,
            code,
            title,
            description: field(req.body, 'description').trim().slice(0, 500),
            scenes: field(req.body, 'scenes').split(/[、,，;；]/).map((s) => s.trim()).filter(Boolean).slice(0, 30),
            sort: Number.parseInt(field(req.body, 'sort'), 10) || 0,
            active: before?.active ?? true,
          },
          ctx.user.username,
        );
        await ctx.audit(before ? 'nx.update' : 'nx.create', { type: 'nx_item', id: `${industry}:${code}` }, { before, after });
        res.redirect(303, `/admin/nx?industry=${encodeURIComponent(industry)}&done=saved`);
      },
    },
    {
      method: 'post',
      path: '/nx/toggle',
      roles: ADMIN_ONLY,
      async handler(req, res, ctx) {
        const industry = field(req.body, 'industry');
        const code = field(req.body, 'code');
        const active = field(req.body, 'active') === '1';
        await new NxRepo(ctx.services.db).setActive(ctx.services.pack.id, industry, code, active, ctx.user.username);
        await ctx.audit(active ? 'nx.enable' : 'nx.disable', { type: 'nx_item', id: `${industry}:${code}` });
        res.redirect(303, `/admin/nx?industry=${encodeURIComponent(industry)}&done=saved`);
      },
    },
  ];
}
