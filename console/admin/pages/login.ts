/**
 * Signed-out pages: login (double-submit CSRF cookie, since there is no session yet; throttled per
 * IP+username in the database) and the one-time setup link that creates the first admin.
 */
import type { Request, Response } from 'express';
import type { Services } from '../../services.ts';
import { randomToken, safeEqual } from '../auth/passwords.ts';
import { SESSION_IDLE_MS } from '../auth/access.ts';
import { barePage } from '../layout.ts';
import { html } from '../html.ts';
import { field } from '../context.ts';
import { clientIp, LOGIN_CSRF_COOKIE, parseCookies, sendError, sessionCookieName, setCookie } from '../auth/http.ts';
import { isAppError } from '../../../db/index.ts';

interface PlainRoute {
  method: 'get' | 'post';
  path: string;
  handler: (req: Request, res: Response) => Promise<void>;
}

/** Only same-site paths under /admin may be a post-login target (no open redirect). */
function safeNext(next: string): string {
  return /^\/admin(\/[^/\\]|$|\?)/.test(next) && !next.includes('//') ? next : '/admin';
}

function loginForm(token: string, next: string, username: string, error?: string) {
  return barePage(
    '登录',
    html`${error ? html`<p class="error-text" role="alert">${error}</p>` : ''}
<form method="post" action="/admin/login" class="stack">
  <input type="hidden" name="_csrf" value="${token}">
  <input type="hidden" name="next" value="${next}">
  <label>用户名 <input name="username" autocomplete="username" required maxlength="40" value="${username}" autofocus></label>
  <label>密码 <input name="password" type="password" autocomplete="current-password" required maxlength="200"></label>
  <button type="submit" class="btn primary">登录</button>
</form>`,
  );
}

export function loginRoutes(services: Services): PlainRoute[] {
  const access = services.adminAccess;
  const issueLoginToken = (req: Request, res: Response) => {
    const token = randomToken(18);
    setCookie(res, req, services, LOGIN_CSRF_COOKIE, token, 3600_000);
    return token;
  };
  return [
    {
      method: 'get',
      path: '/login',
      async handler(req, res) {
        if (res.locals.session) return res.redirect(302, '/admin');
        res.type('html').send(loginForm(issueLoginToken(req, res), safeNext(field(req.query, 'next')), ''));
      },
    },
    {
      method: 'post',
      path: '/login',
      async handler(req, res) {
        const cookie = parseCookies(req.headers.cookie)[LOGIN_CSRF_COOKIE] ?? '';
        const sent = field(req.body, '_csrf');
        if (!cookie || !safeEqual(cookie, sent)) return sendError(res, 403, '登录表单已过期，请刷新页面后重试。', '/admin/login');
        const username = field(req.body, 'username').trim().slice(0, 40);
        const password = field(req.body, 'password').slice(0, 200);
        const next = safeNext(field(req.body, 'next'));
        const result = await access.login({ username, password, ip: clientIp(req), userAgent: req.get('user-agent') });
        if (!result.ok) {
          const throttled = result.reason === 'throttled';
          if (throttled) res.setHeader('Retry-After', String(Math.ceil((result.retryAfterMs ?? 900_000) / 1000)));
          res
            .status(throttled ? 429 : 401)
            .type('html')
            .send(loginForm(issueLoginToken(req, res), next, username, throttled ? '登录失败次数过多，请 15 分钟后再试。' : '用户名或密码错误。'));
          return;
        }
        setCookie(res, req, services, sessionCookieName(req, services), result.token, SESSION_IDLE_MS);
        res.redirect(303, next);
      },
    },
    {
      method: 'get',
      path: '/setup',
      async handler(req, res) {
        const token = field(req.query, 'token');
        if (!(await access.setupTokenValid(token))) return sendError(res, 403, '初始化链接无效、已使用或已过期。请查看启动日志，或设置 ADMIN_PASSWORD 后重启。', '/admin/login');
        res.type('html').send(setupForm(token, '', {}));
      },
    },
    {
      method: 'post',
      path: '/setup',
      async handler(req, res) {
        const token = field(req.body, 'token');
        const username = field(req.body, 'username').trim();
        const password = field(req.body, 'password');
        if (!(await access.setupTokenValid(token))) return sendError(res, 403, '初始化链接无效、已使用或已过期。', '/admin/login');
        if (password !== field(req.body, 'password2')) {
          res.status(400).type('html').send(setupForm(token, username, { password2: '两次输入的密码不一致。' }));
          return;
        }
        try {
          await access.completeSetup(token, username, password, clientIp(req));
        } catch (e) {
          if (isAppError(e, 'validation')) {
            res.status(400).type('html').send(setupForm(token, username, e.fields ?? {}));
            return;
          }
          throw e;
        }
        const result = await access.login({ username, password, ip: clientIp(req), userAgent: req.get('user-agent') });
        if (result.ok) setCookie(res, req, services, sessionCookieName(req, services), result.token, SESSION_IDLE_MS);
        res.redirect(303, '/admin');
      },
    },
  ];
}

function setupForm(token: string, username: string, errors: Record<string, string>) {
  const err = (k: string) => (errors[k] ? html`<div class="field-error">${errors[k]}</div>` : '');
  return barePage(
    '创建第一个管理员',
    html`<p class="muted">此链接只能使用一次。密码至少 10 位。</p>
<form method="post" action="/admin/setup" class="stack">
  <input type="hidden" name="token" value="${token}">
  <label>用户名 <input name="username" required maxlength="40" value="${username || 'admin'}"></label>${err('username')}
  <label>密码 <input name="password" type="password" autocomplete="new-password" required minlength="10" maxlength="200"></label>${err('password')}
  <label>确认密码 <input name="password2" type="password" autocomplete="new-password" required maxlength="200"></label>${err('password2')}
  <button type="submit" class="btn primary">创建并登录</button>
</form>`,
  );
}
