/**
 * The authorisation matrix: every console route × every role (and signed out). The expected table is
 * written here by hand, independently of the routes' own declarations, and the route list must match it
 * exactly, so a new route cannot ship without a decision on who may call it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../console/admin/index.ts';
import { hashPassword } from '../../console/admin/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { AdminClient } from '../helpers/admin-client.ts';

type Role = 'admin' | 'officer' | 'reviewer';
const A: Role[] = ['admin'];
const ALL: Role[] = ['admin', 'officer', 'reviewer'];
const CUR: Role[] = ['admin', 'reviewer'];

/** 'METHOD path' → roles allowed. */
export const MATRIX: Record<string, Role[]> = {
  'GET /': ALL,
  'GET /users': A,
  'POST /users': A,
  'GET /users/:id': A,
  'POST /users/:id': A,
  'GET /account': ALL,
  'POST /account': ALL,
  'GET /audit': A,
  'GET /documents': CUR,
  'POST /documents/upload': CUR,
  'GET /documents/:id': CUR,
  'POST /documents/:id/replace': CUR,
  'POST /documents/:id/delete': CUR,
  'POST /chunks/:id': CUR,
  'POST /chunks/:id/toggle': CUR,
  'GET /retrieval': CUR,
  'GET /dictionary': CUR,
  'POST /dictionary/words': CUR,
  'POST /dictionary/words/delete': CUR,
  'POST /dictionary/synonyms': CUR,
  'POST /dictionary/synonyms/delete': CUR,
  'GET /nx': A,
  'POST /nx': A,
  'POST /nx/toggle': A,
  'GET /conversations': CUR,
  'GET /conversations/:id': CUR,
  'POST /conversations/:id/answers/:answerId/correct': CUR,
  'GET /faq': CUR,
  'POST /faq': CUR,
  'GET /faq/:id': CUR,
  'POST /faq/:id': CUR,
  'POST /faq/:id/delete': CUR,
  'GET /handoffs': CUR,
  'POST /handoffs/:id/reply': CUR,
  'POST /handoffs/:id/close': CUR,
  'GET /applications': ALL,
  'GET /applications/export.csv': ALL,
  'GET /applications/:ref': ALL,
  'POST /applications/:ref/status': ALL,
  'GET /progress': ['admin', 'officer'],
  'GET /progress/export.csv': ['admin', 'officer'],
  'GET /progress/import': A,
  'POST /progress/import': A,
  'GET /officers': A,
  'POST /officers': A,
  'POST /officers/:id/code': A,
  'POST /officers/:id/token': A,
  'POST /officers/:id/disable': A,
  'POST /officers/:id/enable': A,
};

const PASSWORDS: Record<Role, string> = { admin: 'matrix-admin-pass', officer: 'matrix-officer-pass', reviewer: 'matrix-reviewer-pass' };

describe('authorisation matrix', () => {
  let app: TestApp;
  const clients = {} as Record<Role, AdminClient>;
  beforeAll(async () => {
    app = await startTestApp({ env: { ADMIN_PASSWORD: PASSWORDS.admin } });
    const db = app.services.db;
    await db.query("insert into admin_users (username, password_hash, role, region) values ('off', $1, 'officer', '永康市'), ('rev', $2, 'reviewer', null)", [
      await hashPassword(PASSWORDS.officer),
      await hashPassword(PASSWORDS.reviewer),
    ]);
    for (const [role, name] of [['admin', 'admin'], ['officer', 'off'], ['reviewer', 'rev']] as const) {
      clients[role] = new AdminClient(app.url);
      expect((await clients[role].login(name, PASSWORDS[role])).status).toBe(303);
    }
  }, 400_000);
  afterAll(async () => app?.close());

  it('covers every route, and only those', () => {
    const declared = adminRoutes(app.services).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(new Set(declared).size).toBe(declared.length);
    expect([...declared].sort()).toEqual(Object.keys(MATRIX).sort());
  });

  const concrete = (path: string) => path.replace(/:(\w+)/g, '999999');

  it('sends signed-out users to the login page (GET) or refuses them (POST)', async () => {
    const anon = new AdminClient(app.url);
    for (const key of Object.keys(MATRIX)) {
      const [method, path] = key.split(' ');
      const url = '/admin' + (path === '/' ? '' : concrete(path));
      const r = method === 'GET' ? await anon.get(url) : await anon.post(url, {}, { csrf: 'x' });
      if (method === 'GET') {
        expect(r.status, key).toBe(302);
        expect(r.location, key).toMatch(/^\/admin\/login\?next=/);
      } else expect(r.status, key).toBe(401);
    }
  });

  for (const role of ['admin', 'officer', 'reviewer'] as Role[]) {
    it(`enforces the matrix for ${role}`, async () => {
      const c = clients[role];
      for (const [key, allowed] of Object.entries(MATRIX)) {
        const [method, path] = key.split(' ');
        const url = '/admin' + (path === '/' ? '' : concrete(path));
        const r = method === 'GET' ? await c.get(url) : await c.post(url, {});
        if (allowed.includes(role)) {
          expect([401, 403], `${role} ${key} → ${r.status}`).not.toContain(r.status);
          expect(r.status, `${role} ${key}`).toBeLessThan(500);
        } else expect(r.status, `${role} ${key}`).toBe(403);
      }
    });
  }

  it('rejects every POST route without a CSRF token, for a role that may call it', async () => {
    for (const [key, allowed] of Object.entries(MATRIX)) {
      const [method, path] = key.split(' ');
      if (method !== 'POST') continue;
      const r = await clients[allowed[0]].post('/admin' + concrete(path), {}, { csrf: false });
      expect(r.status, key).toBe(403);
      expect(r.text, key).toContain('CSRF');
    }
  });
});
