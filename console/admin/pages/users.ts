/**
 * Users and scopes: admins create console users (admin, officer scoped to a region, reviewer), change
 * roles and scopes, disable accounts and reset passwords. Every change is audited with before/after.
 * Officers' chat binding codes live on the officers page (progress data), linked from here.
 */
import {
  ADMIN_ROLES,
  AppError,
  createAdminUser,
  findAdminUserByName,
  getAdminUser,
  listAdminUsers,
  updateAdminUser,
  type AdminRole,
  type AdminUser,
} from '../../../db/index.ts';
import type { Services } from '../../services.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/passwords.ts';
import { ADMIN_ONLY, ALL_ROLES, field, type AdminCtx, type AdminRoute } from '../context.ts';
import { html, fmtTime } from '../html.ts';
import { csrfField, fieldError, layout, ROLE_LABEL } from '../layout.ts';
import type { Response } from 'express';

/** Region names an officer can be scoped to: the city proper and every listed region. */
export function regionChoices(services: Services): string[] {
  const r = services.pack.regions;
  return [...(r.cityProper ? [r.cityProper.name] : []), ...r.regions.map((x) => x.name)];
}

function regionSelect(services: Services, name: string, selected: string | null) {
  return html`<select name="${name}">
    <option value="">全市（不限区县）</option>
    ${regionChoices(services).map((r) => html`<option value="${r}"${r === selected ? ' selected' : ''}>${r}</option>`)}
  </select>`;
}

function roleSelect(selected: AdminRole) {
  return html`<select name="role">${ADMIN_ROLES.map((r) => html`<option value="${r}"${r === selected ? ' selected' : ''}>${ROLE_LABEL[r]}</option>`)}</select>`;
}

function parseRole(v: string): AdminRole | null {
  return (ADMIN_ROLES as readonly string[]).includes(v) ? (v as AdminRole) : null;
}

function parseRegion(services: Services, v: string): string | null | undefined {
  if (!v) return null;
  return regionChoices(services).includes(v) ? v : undefined;
}

interface NewUserForm {
  username: string;
  displayName: string;
  role: string;
  region: string;
}

function listPage(ctx: AdminCtx, users: AdminUser[], form: NewUserForm, errors: Record<string, string> = {}, flash?: string) {
  const s = ctx.services;
  const body = html`
<section class="card">
<table class="table">
<thead><tr><th>用户名</th><th>姓名</th><th>角色</th><th>范围</th><th>状态</th><th>最近登录</th><th></th></tr></thead>
<tbody>
${users.map(
  (u) => html`<tr class="${u.disabled ? 'muted' : ''}">
  <td>${u.username}</td><td>${u.displayName}</td><td>${ROLE_LABEL[u.role]}</td>
  <td>${u.role === 'officer' ? (u.region ?? '全市') : '—'}</td>
  <td>${u.disabled ? '已停用' : '正常'}</td><td>${fmtTime(u.lastLoginAt)}</td>
  <td><a href="/admin/users/${u.id}">编辑</a></td></tr>`,
)}
</tbody></table>
</section>
<section class="card">
<h2>新建用户</h2>
<form method="post" action="/admin/users" class="grid-form">
  ${csrfField(ctx.csrf)}
  <label>用户名<input name="username" required maxlength="40" value="${form.username}"></label>${fieldError(errors, 'username')}
  <label>姓名<input name="displayName" maxlength="60" value="${form.displayName}"></label>
  <label>角色${roleSelect(parseRole(form.role) ?? 'reviewer')}</label>${fieldError(errors, 'role')}
  <label>区县范围（专员）${regionSelect(s, 'region', form.region || null)}</label>${fieldError(errors, 'region')}
  <label>初始密码<input name="password" type="password" autocomplete="new-password" required minlength="10" maxlength="200"></label>${fieldError(errors, 'password')}
  <div><button class="btn primary" type="submit">创建</button></div>
</form>
<p class="muted">专员（officer）只能看到所选区县的申报与进度；不选即全市。企业端聊天绑定码请在 <a href="/admin/officers">区县专员</a> 页生成。</p>
</section>`;
  return layout(ctx.user, ctx.csrf, { title: '用户与专员', nav: 'users', body }, flash);
}

function editPage(ctx: AdminCtx, u: AdminUser, errors: Record<string, string> = {}) {
  const body = html`
<section class="card">
<h2>${u.username}</h2>
<form method="post" action="/admin/users/${u.id}" class="grid-form">
  ${csrfField(ctx.csrf)}
  <label>姓名<input name="displayName" maxlength="60" value="${u.displayName}"></label>
  <label>角色${roleSelect(u.role)}</label>${fieldError(errors, 'role')}
  <label>区县范围（专员）${regionSelect(ctx.services, 'region', u.region)}</label>${fieldError(errors, 'region')}
  <label class="check"><input type="checkbox" name="disabled" value="1"${u.disabled ? ' checked' : ''}> 停用此账号</label>${fieldError(errors, 'disabled')}
  <label>重设密码（留空则不变）<input name="password" type="password" autocomplete="new-password" maxlength="200"></label>${fieldError(errors, 'password')}
  <div><button class="btn primary" type="submit">保存</button> <a href="/admin/users">返回</a></div>
</form>
</section>`;
  return layout(ctx.user, ctx.csrf, { title: '编辑用户', nav: 'users', body });
}

function accountPage(ctx: AdminCtx, errors: Record<string, string> = {}, flash?: string) {
  const body = html`
<section class="card narrow-card">
<form method="post" action="/admin/account" class="grid-form">
  ${csrfField(ctx.csrf)}
  <label>当前密码<input name="current" type="password" autocomplete="current-password" required maxlength="200"></label>${fieldError(errors, 'current')}
  <label>新密码<input name="password" type="password" autocomplete="new-password" required minlength="10" maxlength="200"></label>${fieldError(errors, 'password')}
  <label>确认新密码<input name="password2" type="password" autocomplete="new-password" required maxlength="200"></label>${fieldError(errors, 'password2')}
  <div><button class="btn primary" type="submit">修改密码</button></div>
</form>
</section>`;
  return layout(ctx.user, ctx.csrf, { title: '修改密码', nav: '', body }, flash);
}

function send(res: Response, status: number, page: string) {
  res.status(status).type('html').send(page);
}

export function userRoutes(): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/users',
      roles: ADMIN_ONLY,
      async handler(req, res, ctx) {
        send(res, 200, listPage(ctx, await listAdminUsers(ctx.services.db), { username: '', displayName: '', role: 'reviewer', region: '' }, {}, field(req.query, 'done')));
      },
    },
    {
      method: 'post',
      path: '/users',
      roles: ADMIN_ONLY,
      async handler(req, res, ctx) {
        const form: NewUserForm = {
          username: field(req.body, 'username').trim(),
          displayName: field(req.body, 'displayName').trim().slice(0, 60),
          role: field(req.body, 'role'),
          region: field(req.body, 'region'),
        };
        const password = field(req.body, 'password');
        const errors: Record<string, string> = {};
        if (!/^[A-Za-z0-9_.-]{3,40}$/.test(form.username)) errors.username = '用户名为 3–40 位字母、数字、下划线、点或短横线。';
        else if (await findAdminUserByName(ctx.services.db, form.username)) errors.username = '该用户名已存在。';
        const role = parseRole(form.role);
        if (!role) errors.role = '请选择角色。';
        const region = parseRegion(ctx.services, form.region);
        if (region === undefined) errors.region = '区县不在本城市的列表中。';
        const weak = passwordProblem(password, form.username);
        if (weak) errors.password = weak;
        if (Object.keys(errors).length) return send(res, 400, listPage(ctx, await listAdminUsers(ctx.services.db), form, errors));
        const user = await createAdminUser(ctx.services.db, {
          username: form.username,
          displayName: form.displayName,
          passwordHash: await hashPassword(password),
          role: role!,
          region: role === 'officer' ? (region ?? null) : null,
        });
        await ctx.audit('user.create', { type: 'admin_user', id: user.id }, { after: user });
        res.redirect(303, '/admin/users?done=created');
      },
    },
    {
      method: 'get',
      path: '/users/:id',
      roles: ADMIN_ONLY,
      async handler(req, res, ctx) {
        const u = await getAdminUser(ctx.services.db, String(req.params.id));
        if (!u) throw new AppError('not_found', 'no such user', { userMessage: '没有这个用户。' });
        send(res, 200, editPage(ctx, u));
      },
    },
    {
      method: 'post',
      path: '/users/:id',
      roles: ADMIN_ONLY,
      async handler(req, res, ctx) {
        const db = ctx.services.db;
        const before = await getAdminUser(db, String(req.params.id));
        if (!before) throw new AppError('not_found', 'no such user', { userMessage: '没有这个用户。' });
        const errors: Record<string, string> = {};
        const role = parseRole(field(req.body, 'role'));
        if (!role) errors.role = '请选择角色。';
        const region = parseRegion(ctx.services, field(req.body, 'region'));
        if (region === undefined) errors.region = '区县不在本城市的列表中。';
        const disabled = field(req.body, 'disabled') === '1';
        const password = field(req.body, 'password');
        if (password) {
          const weak = passwordProblem(password, before.username);
          if (weak) errors.password = weak;
        }
        // An admin cannot lock themselves out (demote or disable their own account).
        if (before.id === ctx.user.id && (disabled || role !== 'admin')) errors.disabled = '不能停用或降级自己的账号。';
        if (Object.keys(errors).length) return send(res, 400, editPage(ctx, before, errors));
        const after = await updateAdminUser(db, before.id, {
          displayName: field(req.body, 'displayName').trim().slice(0, 60),
          role: role!,
          region: role === 'officer' ? (region ?? null) : null,
          disabled,
          passwordHash: password ? await hashPassword(password) : undefined,
        });
        await ctx.audit('user.update', { type: 'admin_user', id: before.id }, { before, after, details: password ? { passwordReset: true } : undefined });
        res.redirect(303, '/admin/users?done=saved');
      },
    },
    {
      method: 'get',
      path: '/account',
      roles: ALL_ROLES,
      async handler(req, res, ctx) {
        send(res, 200, accountPage(ctx, {}, field(req.query, 'done')));
      },
    },
    {
      method: 'post',
      path: '/account',
      roles: ALL_ROLES,
      async handler(req, res, ctx) {
        const db = ctx.services.db;
        const me = await findAdminUserByName(db, ctx.user.username);
        const errors: Record<string, string> = {};
        if (!me || !(await verifyPassword(me.passwordHash, field(req.body, 'current')))) errors.current = '当前密码不正确。';
        const password = field(req.body, 'password');
        const weak = passwordProblem(password, ctx.user.username);
        if (weak) errors.password = weak;
        if (password !== field(req.body, 'password2')) errors.password2 = '两次输入的新密码不一致。';
        if (Object.keys(errors).length) return send(res, 400, accountPage(ctx, errors));
        await updateAdminUser(db, ctx.user.id, { passwordHash: await hashPassword(password) });
        await ctx.audit('user.password_change', { type: 'admin_user', id: ctx.user.id });
        // Changing the password ends every session, this one included: sign in again.
        res.redirect(303, '/admin/login');
      },
    },
  ];
}

