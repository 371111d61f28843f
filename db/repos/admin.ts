/**
 * Console access storage: admin users (role + region scope), sessions keyed by the SHA-256 of the cookie
 * token, one-time setup tokens, and failed-login records for throttling. Hashing of passwords happens
 * above this layer; here everything is plain SQL shared by PGlite and PostgreSQL.
 */
import type { Queryable } from '../types.ts';

export type AdminRole = 'admin' | 'officer' | 'reviewer';
export const ADMIN_ROLES: readonly AdminRole[] = ['admin', 'officer', 'reviewer'];

export interface AdminUser {
  id: string;
  username: string;
  displayName: string;
  role: AdminRole;
  /** Pack region id for officers; null = whole city. */
  region: string | null;
  disabled: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

export interface AdminUserWithHash extends AdminUser {
  passwordHash: string;
}

const USER_COLS = `id::text, username, display_name, role, region, disabled, created_at, last_login_at, password_hash`;

function toUser(r: Record<string, unknown>): AdminUserWithHash {
  return {
    id: String(r.id),
    username: String(r.username),
    displayName: String(r.display_name ?? ''),
    role: r.role as AdminRole,
    region: (r.region as string) ?? null,
    disabled: Boolean(r.disabled),
    createdAt: new Date(r.created_at as string),
    lastLoginAt: r.last_login_at ? new Date(r.last_login_at as string) : null,
    passwordHash: String(r.password_hash),
  };
}

function publicUser(u: AdminUserWithHash): AdminUser {
  const { passwordHash: _omit, ...rest } = u;
  return rest;
}

export async function countAdminUsers(db: Queryable): Promise<number> {
  return (await db.query<{ n: number }>('select count(*)::int as n from admin_users')).rows[0]?.n ?? 0;
}

export async function findAdminUserByName(db: Queryable, username: string): Promise<AdminUserWithHash | null> {
  const r = await db.query(`select ${USER_COLS} from admin_users where lower(username) = lower($1)`, [username]);
  return r.rows[0] ? toUser(r.rows[0]) : null;
}

export async function getAdminUser(db: Queryable, id: string): Promise<AdminUser | null> {
  if (!/^\d+$/.test(id)) return null;
  const r = await db.query(`select ${USER_COLS} from admin_users where id = $1`, [id]);
  return r.rows[0] ? publicUser(toUser(r.rows[0])) : null;
}

export async function listAdminUsers(db: Queryable): Promise<AdminUser[]> {
  const r = await db.query(`select ${USER_COLS} from admin_users order by role, username`);
  return r.rows.map((x) => publicUser(toUser(x)));
}

export interface NewAdminUser {
  username: string;
  displayName?: string;
  passwordHash: string;
  role: AdminRole;
  region?: string | null;
}

export async function createAdminUser(db: Queryable, u: NewAdminUser): Promise<AdminUser> {
  const r = await db.query(
    `insert into admin_users (username, display_name, password_hash, role, region) values ($1, $2, $3, $4, $5) returning ${USER_COLS}`,
    [u.username, u.displayName ?? '', u.passwordHash, u.role, u.region ?? null],
  );
  return publicUser(toUser(r.rows[0]));
}

export interface AdminUserPatch {
  displayName?: string;
  role?: AdminRole;
  region?: string | null;
  disabled?: boolean;
  passwordHash?: string;
}

export async function updateAdminUser(db: Queryable, id: string, p: AdminUserPatch): Promise<AdminUser | null> {
  const sets: string[] = [];
  const params: (string | boolean | null)[] = [];
  const set = (col: string, v: string | boolean | null) => {
    params.push(v);
    sets.push(`${col} = $${params.length}`);
  };
  if (p.displayName !== undefined) set('display_name', p.displayName);
  if (p.role !== undefined) set('role', p.role);
  if (p.region !== undefined) set('region', p.region);
  if (p.disabled !== undefined) set('disabled', p.disabled);
  if (p.passwordHash !== undefined) set('password_hash', p.passwordHash);
  if (sets.length === 0) return getAdminUser(db, id);
  params.push(id);
  const r = await db.query(
    `update admin_users set ${sets.join(', ')}, updated_at = now() where id = $${params.length} returning ${USER_COLS}`,
    params,
  );
  // A disabled user or a changed password ends every open session of that user.
  if (r.rows[0] && (p.disabled === true || p.passwordHash !== undefined || p.role !== undefined))
    await db.query('delete from admin_sessions where user_id = $1', [id]);
  return r.rows[0] ? publicUser(toUser(r.rows[0])) : null;
}

export async function touchAdminLogin(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query('update admin_users set last_login_at = $2 where id = $1', [id, at]);
}

// ---- sessions ----

export interface AdminSessionRow {
  tokenHash: string;
  userId: string;
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
}

export async function createAdminSession(
  db: Queryable,
  s: { tokenHash: string; userId: string; csrfToken: string; expiresAt: Date; now: Date; ip?: string; userAgent?: string },
): Promise<void> {
  await db.query(
    `insert into admin_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
     values ($1, $2, $3, $4, $4, $5, $6, $7)`,
    [s.tokenHash, s.userId, s.csrfToken, s.now, s.expiresAt, s.ip ?? null, (s.userAgent ?? '').slice(0, 300)],
  );
}

/** The live session with its user, or null when missing, expired or the user is disabled. */
export async function findAdminSession(db: Queryable, tokenHash: string, now: Date): Promise<{ session: AdminSessionRow; user: AdminUser } | null> {
  const r = await db.query(
    `select s.token_hash, s.user_id::text as user_id, s.csrf_token, s.created_at as session_created_at, s.expires_at, s.last_seen_at,
            u.id::text, u.username, u.display_name, u.role, u.region, u.disabled, u.created_at, u.last_login_at, u.password_hash
       from admin_sessions s join admin_users u on u.id = s.user_id
      where s.token_hash = $1 and s.expires_at > $2 and not u.disabled`,
    [tokenHash, now],
  );
  const row = r.rows[0];
  if (!row) return null;
  return {
    session: {
      tokenHash: String(row.token_hash),
      userId: String(row.user_id),
      csrfToken: String(row.csrf_token),
      createdAt: new Date(row.session_created_at as string),
      expiresAt: new Date(row.expires_at as string),
      lastSeenAt: new Date(row.last_seen_at as string),
    },
    user: publicUser(toUser(row)),
  };
}

export async function extendAdminSession(db: Queryable, tokenHash: string, now: Date, expiresAt: Date): Promise<void> {
  await db.query('update admin_sessions set last_seen_at = $2, expires_at = $3 where token_hash = $1', [tokenHash, now, expiresAt]);
}

export async function deleteAdminSession(db: Queryable, tokenHash: string): Promise<void> {
  await db.query('delete from admin_sessions where token_hash = $1', [tokenHash]);
}

export async function purgeExpiredAdminSessions(db: Queryable, now: Date): Promise<number> {
  return (await db.query('delete from admin_sessions where expires_at <= $1', [now])).affectedRows;
}

// ---- setup tokens ----

export async function createSetupToken(db: Queryable, tokenHash: string, expiresAt: Date): Promise<void> {
  await db.query('insert into admin_setup_tokens (token_hash, expires_at) values ($1, $2)', [tokenHash, expiresAt]);
}

export async function isSetupTokenValid(db: Queryable, tokenHash: string, now: Date): Promise<boolean> {
  const r = await db.query('select 1 from admin_setup_tokens where token_hash = $1 and used_at is null and expires_at > $2', [tokenHash, now]);
  return r.rows.length > 0;
}

/** Marks the token used; false when it was already used or expired (so two racing requests cannot both win). */
export async function consumeSetupToken(db: Queryable, tokenHash: string, now: Date): Promise<boolean> {
  const r = await db.query('update admin_setup_tokens set used_at = $2 where token_hash = $1 and used_at is null and expires_at > $2', [tokenHash, now]);
  return r.affectedRows === 1;
}

// ---- login throttling ----

export async function recordLoginFailure(db: Queryable, keys: string[], at: Date): Promise<void> {
  for (const key of keys) await db.query('insert into admin_login_failures (key, at) values ($1, $2)', [key, at]);
}

export async function countLoginFailures(db: Queryable, key: string, since: Date): Promise<number> {
  return (await db.query<{ n: number }>('select count(*)::int as n from admin_login_failures where key = $1 and at > $2', [key, since])).rows[0]?.n ?? 0;
}

export async function clearLoginFailures(db: Queryable, key: string): Promise<void> {
  await db.query('delete from admin_login_failures where key = $1', [key]);
}

export async function purgeLoginFailures(db: Queryable, before: Date): Promise<void> {
  await db.query('delete from admin_login_failures where at < $1', [before]);
}
