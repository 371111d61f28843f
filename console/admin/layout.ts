/**
 * The console's page shell: a fixed left navigation (only the sections the user's role may open), a
 * header with the user and logout, a flash line, and the page body. Scripts are files under
 * /admin/assets (the CSP forbids inline scripts), loaded with `defer`.
 */
import type { AdminRole, AdminUser } from '../../db/index.ts';
import { html, raw, type SafeHtml } from './html.ts';
import type { PageSpec } from './context.ts';

interface NavItem {
  key: string;
  href: string;
  label: string;
  roles: readonly AdminRole[];
  group: string;
}

const NAV: NavItem[] = [
  { key: 'home', href: '/admin', label: '概览', roles: ['admin', 'officer', 'reviewer'], group: '' },
  { key: 'documents', href: '/admin/documents', label: '文档', roles: ['admin', 'reviewer'], group: '知识库' },
  { key: 'retrieval', href: '/admin/retrieval', label: '检索测试', roles: ['admin', 'reviewer'], group: '知识库' },
  { key: 'faq', href: '/admin/faq', label: '常见问答', roles: ['admin', 'reviewer'], group: '知识库' },
  { key: 'dictionary', href: '/admin/dictionary', label: '词典与同义词', roles: ['admin', 'reviewer'], group: '知识库' },
  { key: 'nx', href: '/admin/nx', label: 'N+X 清单', roles: ['admin'], group: '知识库' },
  { key: 'conversations', href: '/admin/conversations', label: '对话记录', roles: ['admin', 'reviewer'], group: '对话' },
  { key: 'handoffs', href: '/admin/handoffs', label: '人工接待', roles: ['admin', 'reviewer'], group: '对话' },
  { key: 'applications', href: '/admin/applications', label: '申报', roles: ['admin', 'officer', 'reviewer'], group: '业务' },
  { key: 'progress', href: '/admin/progress', label: '进度看板', roles: ['admin', 'officer'], group: '业务' },
  { key: 'import', href: '/admin/progress/import', label: '进度导入', roles: ['admin'], group: '业务' },
  { key: 'users', href: '/admin/users', label: '用户与专员', roles: ['admin'], group: '系统' },
  { key: 'officers', href: '/admin/officers', label: '区县专员（聊天）', roles: ['admin'], group: '系统' },
  { key: 'audit', href: '/admin/audit', label: '审计日志', roles: ['admin'], group: '系统' },
];

export const ROLE_LABEL: Record<AdminRole, string> = { admin: '管理员', officer: '区县专员', reviewer: '审核员' };

/** Fixed flash texts by code, so a crafted URL cannot put arbitrary words on the page. */
const FLASH: Record<string, string> = {
  saved: '已保存。',
  created: '已创建。',
  deleted: '已删除。',
  uploaded: '文档已上传并完成索引。',
  replaced: '文档已替换并重新索引。',
  sent: '回复已发送。',
  closed: '已结束人工接待。',
  corrected: '已记录更正，并生成常见问答。',
  status: '状态已更新，已通知企业。',
  imported: '导入完成。',
  code: '绑定码已生成。',
  pw: '密码已修改。',
};

/** GET paths the router actually serves: a section whose feature is not wired in is not offered. */
let served: ReadonlySet<string> | null = null;
export function setServedPages(paths: Iterable<string>): void {
  served = new Set(paths);
}

export function navFor(user: AdminUser): NavItem[] {
  return NAV.filter((n) => n.roles.includes(user.role) && (!served || served.has(n.href.replace(/^\/admin/, '') || '/')));
}

export function layout(user: AdminUser, csrf: string, spec: PageSpec, flashCode?: string): string {
  const items = navFor(user);
  const groups: SafeHtml[] = [];
  let current: string | null = null;
  for (const item of items) {
    if (item.group !== current) {
      current = item.group;
      if (item.group) groups.push(html`<div class="nav-group">${item.group}</div>`);
    }
    groups.push(html`<a class="${item.key === spec.nav ? 'nav-item active' : 'nav-item'}" href="${item.href}">${item.label}</a>`);
  }
  const flash = flashCode && FLASH[flashCode] ? html`<div class="flash" role="status">${FLASH[flashCode]}</div>` : '';
  const scripts = ['/admin/assets/admin.js', ...(spec.scripts ?? [])];
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${csrf}">
<title>${spec.title} · 数改助手管理台</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/assets/admin.css">
${scripts.map((s) => html`<script src="${s}" defer></script>`)}
</head>
<body>
<aside class="sidebar">
  <a class="brand" href="/admin">数改助手<small>管理台</small></a>
  <nav>${groups}</nav>
</aside>
<div class="main">
  <header class="topbar">
    <h1>${spec.title}</h1>
    <div class="who">
      <span>${user.displayName || user.username}</span>
      <span class="badge">${ROLE_LABEL[user.role]}${user.region ? html` · ${user.region}` : ''}</span>
      <a href="/admin/account">修改密码</a>
      <form method="post" action="/admin/logout" class="inline">${csrfField(csrf)}<button type="submit" class="link">退出</button></form>
    </div>
  </header>
  ${flash}
  <main class="content">${spec.body}</main>
</div>
</body>
</html>`.value;
}

/** A bare page (login, setup, errors for signed-out users). */
export function barePage(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · 数改助手管理台</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/assets/admin.css">
</head>
<body class="bare">
<div class="card narrow">
<h1>${title}</h1>
${body}
</div>
</body>
</html>`.value;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** A POST form that only holds a button (delete, disable …); `confirm` asks first (admin.js). */
export function actionButton(action: string, csrf: string, label: string, opts: { confirm?: string; cls?: string; hidden?: Record<string, string> } = {}): SafeHtml {
  const hidden = Object.entries(opts.hidden ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);
  return html`<form method="post" action="${action}" class="inline"${opts.confirm ? html` data-confirm="${opts.confirm}"` : ''}>${csrfField(csrf)}${hidden}<button type="submit" class="${opts.cls ?? 'btn small'}">${label}</button></form>`;
}

export function fieldError(errors: Record<string, string> | undefined, name: string): SafeHtml | '' {
  const m = errors?.[name];
  return m ? html`<div class="field-error">${m}</div>` : '';
}

export function pager(base: string, params: Record<string, string | undefined>, page: number, pageSize: number, total: number): SafeHtml {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return html`<div class="pager">共 ${total} 条</div>`;
  const link = (p: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    q.set('page', String(p));
    return `${base}?${q}`;
  };
  return html`<div class="pager">共 ${total} 条 · 第 ${page}/${pages} 页
    ${page > 1 ? html`<a href="${link(page - 1)}">上一页</a>` : ''}
    ${page < pages ? html`<a href="${link(page + 1)}">下一页</a>` : ''}</div>`;
}

export const EMPTY = raw('<p class="muted">暂无数据。</p>');
