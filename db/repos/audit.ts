/**
 * The audit log: one append-only table for every action taken on someone's behalf (admin console edits,
 * officers' progress queries). Rows are never updated; `before`/`after` hold the changed record's state
 * so a reviewer can see exactly what an action changed.
 */
import type { Queryable } from '../types.ts';

export type AuditActorKind = 'admin_user' | 'officer' | 'chat_user' | 'system';

export interface AuditEntry {
  actorKind?: AuditActorKind;
  actorId?: string | null;
  actorName?: string | null;
  /** Dotted verb, e.g. 'user.create', 'document.delete', 'progress.query'. */
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  details?: Record<string, unknown> | null;
  ip?: string | null;
}

export interface AuditRow {
  id: string;
  at: Date;
  actorKind: AuditActorKind;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  before: unknown;
  after: unknown;
  details: Record<string, unknown> | null;
  ip: string | null;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export async function recordAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `insert into audit_log (actor_kind, actor_id, actor_name, action, target_type, target_id, before, after, details, ip)
     values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10)`,
    [e.actorKind ?? 'admin_user', e.actorId ?? null, e.actorName ?? null, e.action, e.targetType ?? null, e.targetId ?? null, json(e.before), json(e.after), json(e.details), e.ip ?? null],
  );
}

export interface AuditFilter {
  action?: string;
  actor?: string;
  targetType?: string;
  targetId?: string;
  since?: Date;
  until?: Date;
  limit?: number;
  offset?: number;
}

export async function listAudit(db: Queryable, f: AuditFilter = {}): Promise<{ rows: AuditRow[]; total: number }> {
  const where: string[] = [];
  const params: (string | number | Date)[] = [];
  const add = (sql: string, v: string | Date) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.action) add(`action like ?`, f.action.replace(/[%_]/g, '') + '%');
  if (f.actor) add(`(actor_name = ? )`, f.actor);
  if (f.targetType) add(`target_type = ?`, f.targetType);
  if (f.targetId) add(`target_id = ?`, f.targetId);
  if (f.since) add(`at >= ?`, f.since);
  if (f.until) add(`at < ?`, f.until);
  const w = where.length ? `where ${where.join(' and ')}` : '';
  const total = (await db.query<{ n: number }>(`select count(*)::int as n from audit_log ${w}`, params)).rows[0]?.n ?? 0;
  params.push(Math.min(f.limit ?? 50, 500), f.offset ?? 0);
  const r = await db.query<Record<string, unknown>>(
    `select id::text, at, actor_kind, actor_id, actor_name, action, target_type, target_id, before, after, details, ip
       from audit_log ${w} order by at desc, id desc limit $${params.length - 1} offset $${params.length}`,
    params,
  );
  return {
    total,
    rows: r.rows.map((x) => ({
      id: String(x.id),
      at: new Date(x.at as string),
      actorKind: x.actor_kind as AuditActorKind,
      actorId: (x.actor_id as string) ?? null,
      actorName: (x.actor_name as string) ?? null,
      action: String(x.action),
      targetType: (x.target_type as string) ?? null,
      targetId: (x.target_id as string) ?? null,
      before: x.before ?? null,
      after: x.after ?? null,
      details: (x.details as Record<string, unknown>) ?? null,
      ip: (x.ip as string) ?? null,
    })),
  };
}
