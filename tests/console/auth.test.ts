import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { AdminClient } from '../helpers/admin-client.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import crypto from 'node:crypto';
import { countLoginFailures, createSetupToken } from '../../db/index.ts';

const PASSWORD = 'correct-horse-battery';

describe('console access', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { ADMIN_PASSWORD: PASSWORD } });
  }, 400_000);
  afterAll(async () => app?.close());

  it('stores the env admin with an argon2id hash, never the password', async () => {
    const r = await app.services.db.query<{ password_hash: string; role: string }>("select password_hash, role from admin_users where username = 'admin'");
    expect(r.rows[0].role).toBe('admin');
    expect(r.rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(r.rows[0].password_hash).not.toContain(PASSWORD);
  });

  it('redirects signed-out pages to the login page and serves security headers', async () => {
    const c = new AdminClient(app.url);
    const r = await c.get('/admin/users');
    expect(r.status).toBe(302);
    expect(r.location).toBe('/admin/login?next=%2Fadmin%2Fusers');
    const login = await c.get('/admin/login');
    expect(login.status).toBe(200);
    const csp = login.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(login.headers.get('x-content-type-options')).toBe('nosniff');
    expect(login.text).not.toMatch(/<script(?![^>]*src=)/);
  });

  it('logs in, sets an HttpOnly SameSite=Lax cookie stored hashed in the database, and logs out', async () => {
    const c = new AdminClient(app.url);
    const page = await c.get('/admin/login');
    const token = page.text.match(/name="_csrf" value="([^"]+)"/)![1];
    const res = await c.request('POST', '/admin/login', new URLSearchParams({ _csrf: token, username: 'admin', password: PASSWORD, next: '/admin/users' }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/admin/users');
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith('sg_admin='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const raw = c.cookies.get('sg_admin')!;
    const stored = await app.services.db.query<{ token_hash: string }>('select token_hash from admin_sessions');
    expect(stored.rows.some((r) => r.token_hash === raw)).toBe(false);
    expect(stored.rows.length).toBeGreaterThan(0);
    const users = await c.get('/admin/users');
    expect(users.status).toBe(200);
    expect(users.text).toContain('用户与专员');
    const out = await c.post('/admin/logout');
    expect(out.status).toBe(303);
    expect((await c.get('/admin/users')).status).toBe(302);
  });

  it('refuses a login form without its CSRF cookie', async () => {
    const c = new AdminClient(app.url);
    const r = await c.post('/admin/login', { username: 'admin', password: PASSWORD }, { csrf: 'forged' });
    expect(r.status).toBe(403);
    expect(r.text).toContain('过期');
  });

  it('rejects a POST without or with a wrong CSRF token, and changes nothing', async () => {
    const c = new AdminClient(app.url);
    await c.login('admin', PASSWORD);
    const before = (await app.services.db.query('select count(*)::int as n from admin_users')).rows[0];
    for (const csrf of [false, 'wrong-token'] as const) {
      const r = await c.post('/admin/users', { username: 'mallory', role: 'admin', password: 'a-long-password-1' }, { csrf });
      expect(r.status).toBe(403);
      expect(r.text).toContain('CSRF');
    }
    const after = (await app.services.db.query('select count(*)::int as n from admin_users')).rows[0];
    expect(after).toEqual(before);
  });

  it('throttles repeated failures per IP+username, even for the right password afterwards', async () => {
    const c = new AdminClient(app.url);
    await app.services.db.query("insert into admin_users (username, password_hash, role) values ('victim', 'x', 'reviewer')");
    for (let i = 0; i < 5; i++) expect((await c.login('victim', 'wrong-password-' + i)).status).toBe(401);
    const sixth = await c.login('victim', 'whatever-it-is');
    expect(sixth.status).toBe(429);
    expect(sixth.text).toContain('15 分钟');
    expect(await countLoginFailures(app.services.db, 'u:127.0.0.1|victim', new Date(0))).toBe(5);
    // Another username from the same IP is not locked by that.
    expect((await c.login('admin', PASSWORD)).status).toBe(303);
  });

  it('creates users with roles and audits the change; rejects weak passwords with a field message', async () => {
    const c = new AdminClient(app.url);
    await c.login('admin', PASSWORD);
    const weak = await c.post('/admin/users', { username: 'officer1', role: 'officer', region: '永康市', password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('密码至少 10 位');
    const ok = await c.post('/admin/users', { username: 'officer1', displayName: '<b>王</b>', role: 'officer', region: '永康市', password: 'officer-pass-123' });
    expect(ok.status).toBe(303);
    const list = await c.get('/admin/users');
    expect(list.text).toContain('&lt;b&gt;王&lt;/b&gt;');
    expect(list.text).not.toContain('<b>王</b>');
    const audit = await app.services.db.query<{ action: string; actor_name: string; after: { username: string; region: string } }>(
      "select action, actor_name, after from audit_log where action = 'user.create' and target_type = 'admin_user' order by id desc limit 1",
    );
    expect(audit.rows[0]).toMatchObject({ actor_name: 'admin', after: { username: 'officer1', region: '永康市' } });
    const bad = await c.post('/admin/users', { username: 'officer2', role: 'officer', region: '杭州市', password: 'officer-pass-123' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('区县不在本城市的列表中');
  });

  it('ends sessions of a disabled user', async () => {
    const admin = new AdminClient(app.url);
    await admin.login('admin', PASSWORD);
    await admin.post('/admin/users', { username: 'rev9', role: 'reviewer', password: 'reviewer-pass-9' });
    const rev = new AdminClient(app.url);
    expect((await rev.login('rev9', 'reviewer-pass-9')).status).toBe(303);
    expect((await rev.get('/admin/documents')).status).not.toBe(302);
    const id = (await app.services.db.query<{ id: string }>("select id::text from admin_users where username = 'rev9'")).rows[0].id;
    expect((await admin.post(`/admin/users/${id}`, { role: 'reviewer', region: '', disabled: '1' })).status).toBe(303);
    expect((await rev.get('/admin')).status).toBe(302);
    expect((await rev.login('rev9', 'reviewer-pass-9')).status).toBe(401);
  });
});

describe('first admin from a one-time setup link', () => {
  let testDb: TestDb;
  let app: TestApp;
  beforeAll(async () => {
    testDb = await openTestDb();
    app = await startTestApp({ testDb });
  });
  afterAll(async () => {
    await app?.close();
    await testDb?.close();
  });

  it('refuses an expired token', async () => {
    const token = 'expired-token-value';
    await createSetupToken(testDb.db, crypto.createHash('sha256').update(token).digest('hex'), new Date(Date.now() - 1000));
    expect(await app.services.adminAccess.setupTokenValid(token)).toBe(false);
    expect((await new AdminClient(app.url).get(`/admin/setup?token=${token}`)).status).toBe(403);
  });

  it('issues a token stored hashed, accepts it once, then refuses it', async () => {
    const token = (await app.services.adminAccess.issueSetupTokenIfNeeded())!;
    expect(token).toBeTruthy();
    const stored = await testDb.db.query<{ token_hash: string }>('select token_hash from admin_setup_tokens');
    expect(stored.rows[0].token_hash).not.toBe(token);
    const c = new AdminClient(app.url);
    expect((await c.get('/admin/setup?token=nope')).status).toBe(403);
    const form = await c.get(`/admin/setup?token=${encodeURIComponent(token)}`);
    expect(form.status).toBe(200);
    const mismatch = await c.post('/admin/setup', { token, username: 'chief', password: 'first-admin-pass', password2: 'other' }, { csrf: false });
    expect(mismatch.status).toBe(400);
    const ok = await c.post('/admin/setup', { token, username: 'chief', password: 'first-admin-pass', password2: 'first-admin-pass' }, { csrf: false });
    expect(ok.status).toBe(303);
    expect((await c.get('/admin/users')).status).toBe(200);
    const again = await new AdminClient(app.url).post('/admin/setup', { token, username: 'evil', password: 'evil-admin-pass', password2: 'evil-admin-pass' }, { csrf: false });
    expect(again.status).toBe(403);
    expect(await app.services.adminAccess.issueSetupTokenIfNeeded()).toBeNull();
  });

});
