/**
 * The /admin router: security headers (helmet, strict CSP with no inline script), static assets, login,
 * setup and logout, then every page route with its declared roles. Order of checks for a page route:
 * session → role → (multipart parse) → CSRF on POST → handler. Errors render as a Chinese HTML page with
 * the right status; validation errors are 400s, never 500s.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import multer from 'multer';
import { AppError } from '../../db/index.ts';
import type { Services } from '../services.ts';
import { safeEqual } from './auth/passwords.ts';
import type { LiveSession } from './auth/access.ts';
import { makeAudit, type AdminCtx, type AdminRoute } from './context.ts';
import { setServedPages } from './layout.ts';
import { clientIp, parseCookies, sendError, sessionCookieName, setCookie, SECURE_SESSION_COOKIE, SESSION_COOKIE } from './auth/http.ts';
import { loginRoutes } from './pages/login.ts';
import { allPageRoutes } from './pages/index.ts';

const ASSETS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');
const require = createRequire(import.meta.url);
const CHART_JS = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js');

type Locals = { session?: LiveSession; cookieToken?: string };

function locals(res: Response): Locals {
  return res.locals as Locals;
}

export function adminRouter(services: Services): Router {
  const router = Router();
  const access = services.adminAccess;

  router.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      // HSTS only makes sense behind https; helmet would otherwise send it on plain-http dev servers too.
      strictTransportSecurity: (services.config.http.publicUrl ?? '').startsWith('https://'),
      crossOriginEmbedderPolicy: false,
    }),
  );
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  router.get('/assets/vendor/chart.umd.min.js', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('application/javascript').sendFile(CHART_JS);
  });
  router.use('/assets', express.static(ASSETS_DIR, { fallthrough: false, index: false, maxAge: '1h' }));

  router.use(express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 2000 }));

  // Session resolution for every non-asset request.
  router.use(async (req, res, next) => {
    const cookies = parseCookies(req.headers.cookie);
    const token = cookies[SECURE_SESSION_COOKIE] ?? cookies[SESSION_COOKIE];
    if (token) {
      const live = await access.resume(token);
      if (live) {
        locals(res).session = live;
        locals(res).cookieToken = token;
      }
    }
    next();
  });

  for (const r of loginRoutes(services)) router[r.method](r.path, r.handler);

  router.post('/logout', async (req, res) => {
    const live = locals(res).session;
    if (live) {
      if (!checkCsrf(req, live)) return sendError(res, 403, '表单已过期，请刷新页面后重试。');
      await access.logout(locals(res).cookieToken!);
      await makeAudit(services, live.user, clientIp(req))('auth.logout', { type: 'admin_user', id: live.user.id });
    }
    setCookie(res, req, services, sessionCookieName(req, services), '', 0);
    res.redirect(303, '/admin/login');
  });

  const routes = adminRoutes(services);
  setServedPages(routes.filter((r) => r.method === 'get').map((r) => r.path));
  for (const route of routes) {
    const upload = route.upload
      ? multer({ storage: multer.memoryStorage(), limits: { fileSize: route.upload.maxBytes, files: 1, fields: 20, fieldSize: 64 * 1024 } }).single(route.upload.field)
      : null;
    router[route.method](route.path, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const live = locals(res).session;
        if (!live) {
          if (route.method === 'get') return res.redirect(302, `/admin/login?next=${encodeURIComponent(req.originalUrl)}`);
          return sendError(res, 401, '登录已失效，请重新登录。', '/admin/login');
        }
        if (!route.roles.includes(live.user.role)) return sendError(res, 403, '您的角色无权访问此页面。');
        if (upload) await runMulter(upload, req, res, route.upload!.maxBytes);
        if (route.method === 'post' && !checkCsrf(req, live)) return sendError(res, 403, '表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。');
        const ip = clientIp(req);
        const ctx: AdminCtx = { user: live.user, csrf: live.session.csrfToken, ip, services, audit: makeAudit(services, live.user, ip) };
        await route.handler(req, res, ctx);
      } catch (err) {
        next(err);
      }
    });
  }

  router.use((req, res) => sendError(res, 404, `没有这个页面：${req.path}`));
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err instanceof AppError ? err : AppError.wrap(err);
    const status = (err as { status?: number })?.status;
    if (!(err instanceof AppError) && status === 413) return sendError(res, 413, '提交的内容太大。');
    if (!(err instanceof AppError) && status && status >= 400 && status < 500) return sendError(res, status, '请求无效。');
    if (e.httpStatus >= 500) services.log.error('admin request failed', { method: req.method, path: req.path, code: e.code, err: e.cause ?? e });
    const detail = e.fields ? Object.values(e.fields).join(' ') : e.userMessage;
    sendError(res, e.httpStatus, detail, req.get('referer')?.startsWith(services.config.http.publicUrl ?? '\0') ? req.get('referer') : undefined);
  });
  return router;
}

function checkCsrf(req: Request, live: LiveSession): boolean {
  const sent = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
  return typeof sent === 'string' && safeEqual(sent, live.session.csrfToken);
}

function runMulter(mw: express.RequestHandler, req: Request, res: Response, maxBytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    mw(req, res, (err?: unknown) => {
      if (!err) return resolve();
      const code = (err as { code?: string }).code;
      if (code === 'LIMIT_FILE_SIZE')
        return reject(new AppError('payload_too_large', 'upload too large', { userMessage: `文件太大：上限为 ${(maxBytes / 1024 / 1024).toFixed(0)} MB。请拆分或压缩后再上传。` }));
      if (code && code.startsWith('LIMIT_')) return reject(new AppError('validation', String(code), { userMessage: '上传内容不符合要求（一次只能上传一个文件）。' }));
      reject(new AppError('validation', 'malformed multipart body', { userMessage: '上传的表单数据不完整，请重新选择文件上传。', cause: err }));
    });
  });
}

/** Every page route, for the router and for the authorisation-matrix test. */
export function adminRoutes(services: Services): AdminRoute[] {
  return allPageRoutes(services);
}
