/**
 * Cookie and client helpers shared by the router and the signed-out pages: parsing, the session cookie's
 * name (the __Host- prefix behind https), attributes (HttpOnly, SameSite=Lax, Secure when served over
 * https) and the HTML error page.
 */
import type { Request, Response } from 'express';
import type { Services } from '../../services.ts';
import { barePage } from '../layout.ts';
import { html } from '../html.ts';

export const SESSION_COOKIE = 'sg_admin';
export const SECURE_SESSION_COOKIE = '__Host-sg_admin';
export const LOGIN_CSRF_COOKIE = 'sg_login';

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    if (!k || k in out) continue;
    try {
      out[k] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      /* malformed cookie value: ignore it */
    }
  }
  return out;
}

export function isSecure(req: Request, services: Services): boolean {
  return req.secure || (services.config.http.publicUrl ?? '').startsWith('https://');
}

export function clientIp(req: Request): string {
  return (req.ip ?? req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
}

export function sessionCookieName(req: Request, services: Services): string {
  return isSecure(req, services) ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

export function setCookie(res: Response, req: Request, services: Services, name: string, value: string, maxAgeMs?: number): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (isSecure(req, services)) parts.push('Secure');
  if (maxAgeMs !== undefined) parts.push(`Max-Age=${Math.floor(maxAgeMs / 1000)}`);
  res.append('Set-Cookie', parts.join('; '));
}

/** Sends an HTML error page; `back` adds a link to return. */
export function sendError(res: Response, status: number, message: string, back?: string): void {
  if (res.headersSent) return;
  res
    .status(status)
    .type('html')
    .send(barePage(status === 403 ? '没有权限' : status === 401 ? '请先登录' : '出错了', html`<p class="error-text">${message}</p><p><a href="${back ?? '/admin'}">返回</a></p>`));
}

