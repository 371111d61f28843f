/**
 * Console access as a service: the first admin (from ADMIN_PASSWORD, or a one-time setup link), login with
 * DB-backed throttling, and sessions stored in the database with a per-session CSRF token. HTTP details
 * (cookies, redirects) stay in the router; this module only decides.
 */
import {
  AppError,
  clearLoginFailures,
  consumeSetupToken,
  countAdminUsers,
  countLoginFailures,
  createAdminSession,
  createAdminUser,
  createSetupToken,
  deleteAdminSession,
  extendAdminSession,
  findAdminSession,
  findAdminUserByName,
  isSetupTokenValid,
  purgeExpiredAdminSessions,
  purgeLoginFailures,
  recordAudit,
  recordLoginFailure,
  touchAdminLogin,
  updateAdminUser,
  type AdminSessionRow,
  type AdminUser,
  type Db,
} from '../../../db/index.ts';
import { hashPassword, passwordProblem, randomToken, sha256, verifyPassword } from './passwords.ts';

export const SESSION_IDLE_MS = 8 * 3600_000;
export const SESSION_MAX_MS = 7 * 24 * 3600_000;
export const SETUP_TOKEN_TTL_MS = 24 * 3600_000;
/** Failures allowed per (ip, username) and per ip within the window before logins are refused. */
export const LOGIN_LIMITS = { perUser: 5, perIp: 30, windowMs: 15 * 60_000 };

export interface AdminAccessOptions {
  db: Db;
  clock: () => Date;
  envPassword?: string;
}

export interface LoginInput {
  username: string;
  password: string;
  ip: string;
  userAgent?: string;
}

export type LoginResult =
  | { ok: true; token: string; user: AdminUser }
  | { ok: false; reason: 'invalid' | 'throttled'; retryAfterMs?: number };

export interface LiveSession {
  session: AdminSessionRow;
  user: AdminUser;
}

export interface AdminAccess {
  /** Creates (or re-keys) the 'admin' user from ADMIN_PASSWORD; no-op without it. */
  ensureEnvAdmin(): Promise<void>;
  /** When no console user exists and no ADMIN_PASSWORD is set, issues a one-time setup token (plain; stored hashed). */
  issueSetupTokenIfNeeded(): Promise<string | null>;
  setupTokenValid(token: string): Promise<boolean>;
  completeSetup(token: string, username: string, password: string, ip: string): Promise<AdminUser>;
  login(input: LoginInput): Promise<LoginResult>;
  /** Resolves a cookie token to a live session, sliding its idle expiry. */
  resume(token: string): Promise<LiveSession | null>;
  logout(token: string): Promise<void>;
}

export function createAdminAccess(o: AdminAccessOptions): AdminAccess {
  const { db, clock } = o;

  async function startSession(user: AdminUser, ip: string, userAgent?: string): Promise<string> {
    const token = randomToken();
    const now = clock();
    await createAdminSession(db, {
      tokenHash: sha256(token),
      userId: user.id,
      csrfToken: randomToken(24),
      expiresAt: new Date(now.getTime() + SESSION_IDLE_MS),
      now,
      ip,
      userAgent,
    });
    await touchAdminLogin(db, user.id, now);
    return token;
  }

  return {
    async ensureEnvAdmin() {
      if (!o.envPassword) return;
      const existing = await findAdminUserByName(db, 'admin');
      if (!existing) {
        const user = await createAdminUser(db, { username: 'admin', displayName: '管理员', passwordHash: await hashPassword(o.envPassword), role: 'admin' });
        await recordAudit(db, { actorKind: 'system', actorName: 'ADMIN_PASSWORD', action: 'user.create', targetType: 'admin_user', targetId: user.id, after: user });
      } else if (!(await verifyPassword(existing.passwordHash, o.envPassword)) || existing.disabled || existing.role !== 'admin') {
        // The environment is the source of truth for the bootstrap admin: a changed ADMIN_PASSWORD re-keys it.
        await updateAdminUser(db, existing.id, { passwordHash: await hashPassword(o.envPassword), disabled: false, role: 'admin' });
        await recordAudit(db, { actorKind: 'system', actorName: 'ADMIN_PASSWORD', action: 'user.reset_from_env', targetType: 'admin_user', targetId: existing.id });
      }
    },

    async issueSetupTokenIfNeeded() {
      if (o.envPassword || (await countAdminUsers(db)) > 0) return null;
      const token = randomToken();
      await createSetupToken(db, sha256(token), new Date(clock().getTime() + SETUP_TOKEN_TTL_MS));
      return token;
    },

    async setupTokenValid(token) {
      return token.length > 0 && (await countAdminUsers(db)) === 0 && (await isSetupTokenValid(db, sha256(token), clock()));
    },

    async completeSetup(token, username, password, ip) {
      const fields: Record<string, string> = {};
      if (!/^[A-Za-z0-9_.-]{3,40}$/.test(username)) fields.username = '用户名为 3–40 位字母、数字、下划线、点或短横线。';
      const weak = passwordProblem(password, username);
      if (weak) fields.password = weak;
      if (Object.keys(fields).length) throw AppError.validation(fields);
      return db.transaction(async (tx) => {
        const n = (await tx.query<{ n: number }>('select count(*)::int as n from admin_users')).rows[0]?.n ?? 0;
        if (n > 0 || !(await consumeSetupToken(tx, sha256(token), clock())))
          throw new AppError('forbidden', 'setup token invalid', { userMessage: '初始化链接无效、已使用或已过期。' });
        const user = await createAdminUser(tx, { username, displayName: '管理员', passwordHash: await hashPassword(password), role: 'admin' });
        await recordAudit(tx, { actorKind: 'system', actorName: 'setup-link', action: 'user.create', targetType: 'admin_user', targetId: user.id, after: user, ip });
        return user;
      });
    },

    async login({ username, password, ip, userAgent }) {
      const now = clock();
      const since = new Date(now.getTime() - LOGIN_LIMITS.windowMs);
      const userKey = `u:${ip}|${username.toLowerCase()}`;
      const ipKey = `ip:${ip}`;
      const [userFails, ipFails] = await Promise.all([countLoginFailures(db, userKey, since), countLoginFailures(db, ipKey, since)]);
      if (userFails >= LOGIN_LIMITS.perUser || ipFails >= LOGIN_LIMITS.perIp) return { ok: false, reason: 'throttled', retryAfterMs: LOGIN_LIMITS.windowMs };
      const found = username ? await findAdminUserByName(db, username) : null;
      const ok = await verifyPassword(found && !found.disabled ? found.passwordHash : null, password);
      if (!ok || !found) {
        await recordLoginFailure(db, [userKey, ipKey], now);
        await recordAudit(db, { actorKind: 'system', actorName: username.slice(0, 80), action: 'auth.login_failed', ip });
        return { ok: false, reason: 'invalid' };
      }
      await clearLoginFailures(db, userKey);
      // Housekeeping rides on logins, which are rare: no timer needed.
      await purgeExpiredAdminSessions(db, now);
      await purgeLoginFailures(db, new Date(now.getTime() - 24 * 3600_000));
      const { passwordHash: _h, ...user } = found;
      const token = await startSession(user, ip, userAgent);
      await recordAudit(db, { actorId: user.id, actorName: user.username, action: 'auth.login', targetType: 'admin_user', targetId: user.id, ip });
      return { ok: true, token, user };
    },

    async resume(token) {
      if (!token || token.length > 100) return null;
      const now = clock();
      const found = await findAdminSession(db, sha256(token), now);
      if (!found) return null;
      // Slide the idle expiry at most once a minute, never beyond the absolute maximum.
      if (now.getTime() - found.session.lastSeenAt.getTime() > 60_000) {
        const cap = found.session.createdAt.getTime() + SESSION_MAX_MS;
        await extendAdminSession(db, found.session.tokenHash, now, new Date(Math.min(now.getTime() + SESSION_IDLE_MS, cap)));
      }
      return found;
    },

    async logout(token) {
      if (token) await deleteAdminSession(db, sha256(token));
    },
  };
}
