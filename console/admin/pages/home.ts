/**
 * The landing page: a few counts for the signed-in role and links to the work waiting (open handoffs,
 * new applications). Each count is read defensively so the page works before every feature has landed.
 */
import type { Queryable } from '../../../db/index.ts';
import { ALL_ROLES, type AdminRoute } from '../context.ts';
import { html } from '../html.ts';
import { layout, navFor } from '../layout.ts';

/** A count from a table that may not exist yet (another feature's migration): null then. */
export async function countIfTable(db: Queryable, table: string, where = 'true', params: (string | null)[] = []): Promise<number | null> {
  const exists = await db.query<{ t: string | null }>('select to_regclass($1)::text as t', [table]);
  if (!exists.rows[0]?.t) return null;
  return (await db.query<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`, params)).rows[0]?.n ?? 0;
}

export function homeRoutes(): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/',
      roles: ALL_ROLES,
      async handler(req, res, ctx) {
        const db = ctx.services.db;
        const links = navFor(ctx.user).filter((n) => n.key !== 'home');
        const stats = await Promise.all([
          countIfTable(db, 'documents').then((n) => ['文档', n, '/admin/documents'] as const),
          countIfTable(db, 'faq_pairs').then((n) => ['常见问答', n, '/admin/faq'] as const),
          countIfTable(db, 'conversations').then((n) => ['对话', n, '/admin/conversations'] as const),
          countIfTable(db, 'handoffs', "status = 'open'").then((n) => ['等待人工', n, '/admin/handoffs'] as const),
          countIfTable(db, 'applications').then((n) => ['申报', n, '/admin/applications'] as const),
        ]);
        const allowed = new Set(links.map((l) => l.href));
        const body = html`
<div class="stats">${stats
          .filter(([, n, href]) => n !== null && allowed.has(href))
          .map(([label, n, href]) => html`<a class="stat" href="${href}"><span class="num">${n}</span><span>${label}</span></a>`)}</div>
<section class="card"><h2>快捷入口</h2><ul class="links">${links.map((l) => html`<li><a href="${l.href}">${l.group ? `${l.group} · ` : ''}${l.label}</a></li>`)}</ul></section>`;
        res.type('html').send(layout(ctx.user, ctx.csrf, { title: '概览', nav: 'home', body }));
      },
    },
  ];
}
