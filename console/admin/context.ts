/**
 * What every console handler receives: the signed-in user, the session's CSRF token, the client address
 * and an `audit` helper that attributes a change to that user. Routes declare which roles may call them;
 * the router enforces it before the handler runs, so a handler never checks roles for access itself.
 */
import type { Request, Response } from 'express';
import { recordAudit, type AdminRole, type AdminUser, type Queryable } from '../../db/index.ts';
import type { Services } from '../services.ts';
import type { SafeHtml } from './html.ts';

export interface AdminCtx {
  user: AdminUser;
  csrf: string;
  ip: string;
  services: Services;
  /** Writes one audit row attributed to the signed-in user (inside `tx` when given). */
  audit(
    action: string,
    target: { type: string; id?: string | null },
    change?: { before?: unknown; after?: unknown; details?: Record<string, unknown> },
    tx?: Queryable,
  ): Promise<void>;
}

export type AdminHandler = (req: Request, res: Response, ctx: AdminCtx) => Promise<void> | void;

export interface AdminRoute {
  method: 'get' | 'post';
  /** Relative to /admin. */
  path: string;
  roles: readonly AdminRole[];
  /** multipart/form-data upload: the file arrives as req.file; CSRF is checked after parsing. */
  upload?: { field: string; maxBytes: number };
  handler: AdminHandler;
}

export const ALL_ROLES: readonly AdminRole[] = ['admin', 'officer', 'reviewer'];
export const CURATORS: readonly AdminRole[] = ['admin', 'reviewer'];
export const ADMIN_ONLY: readonly AdminRole[] = ['admin'];

export function makeAudit(services: Services, user: AdminUser, ip: string): AdminCtx['audit'] {
  return (action, target, change = {}, tx) =>
    recordAudit(tx ?? services.db, {
      actorKind: 'admin_user',
      actorId: user.id,
      actorName: user.username,
      action,
      targetType: target.type,
      targetId: target.id ?? null,
      before: change.before,
      after: change.after,
      details: change.details,
      ip,
    });
}

export interface PageSpec {
  title: string;
  /** Nav key of the active section. */
  nav: string;
  body: SafeHtml;
  /** Extra scripts (paths under /admin/assets/…), loaded with defer. */
  scripts?: string[];
}

/** A string field from a urlencoded form or query; arrays and objects become ''. */
export function field(source: unknown, name: string): string {
  const v = (source as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

/** Every value of a repeated form field (checkboxes, multi-line lists). */
export function fieldList(source: unknown, name: string): string[] {
  const v = (source as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}
