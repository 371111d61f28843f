/**
 * Stored XSS across the whole console: payloads planted through every door the public and staff have —
 * chat text, the web chat's display name, a handoff request, an uploaded document's file name and text,
 * a dictionary word and a synonym — then every console page that lists or shows them is fetched as an
 * admin. No page may carry a payload as live markup: it must arrive escaped. Complements
 * tests/console/authz-matrix.test.ts (who may call what, CSRF on every POST) in `npm run test:security`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../console/admin/index.ts';
import { AdminClient } from '../helpers/admin-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const PASSWORD = 'xss-suite-admin-pass';
const PAYLOADS = ['<script>alert("x1")</script>', '<img src=x onerror=alert("x2")>', '"><svg onload=alert("x3")>', "'><iframe src=javascript:alert('x4')>"];
const LIVE = [/<script>alert\("x1"\)/, /<img src=x onerror=alert/, /<svg onload=alert/, /<iframe src=javascript:/];

describe('stored XSS on every console page', () => {
  let app: TestApp;
  let c: AdminClient;
  const pages: string[] = [];

  beforeAll(async () => {
    app = await startTestApp({ env: { ADMIN_PASSWORD: PASSWORD, RATE_LIMIT_PER_MINUTE: '1000' } });
    c = new AdminClient(app.url);
    await c.login('admin', PASSWORD);
    const all = PAYLOADS.join(' ');
    // The public side: a question, a display name, a handoff.
    const first = await app.post('/api/chat', { user: 'xss-user', name: PAYLOADS[1]!.slice(0, 60), text: `三级补助多少？${all}` });
    expect(first.status).toBe(200);
    expect((await app.post('/api/chat', { user: 'xss-user', text: all })).status).toBe(200);
    expect((await app.post('/api/chat', { user: 'xss-user', text: '转人工' })).status).toBe(200);
    pages.push(`/admin/conversations/${encodeURIComponent(first.body.conversation)}`);
    // The staff side: a document (name and text), a dictionary word and a synonym.
    await c.get('/admin/documents');
    const up = await c.upload('/admin/documents/upload', 'file', { name: `${PAYLOADS[1]}.txt`, data: new TextEncoder().encode(`一、测试条款\n补助标准见下文。${all}\n`), type: 'text/plain' }, { scope: 'city', issuer: PAYLOADS[2]! });
    if (up.status === 303 && up.location) pages.push(up.location);
    await c.get('/admin/dictionary');
    await c.post('/admin/dictionary/words', { word: PAYLOADS[0]!.slice(0, 30), frequency: '100' });
    await c.post('/admin/dictionary/synonyms', { term: PAYLOADS[2]!.slice(0, 30), synonyms: PAYLOADS[3]!.slice(0, 30) });
  }, 300_000);
  afterAll(async () => app?.close());

  it('renders every planted payload as text on every page that could show it', async () => {
    const listPages = adminRoutes(app.services)
      .filter((r) => r.method.toUpperCase() === 'GET' && !r.path.includes(':') && !r.path.endsWith('.csv'))
      .map((r) => `/admin${r.path === '/' ? '' : r.path}`);
    const handoffs = await c.get('/admin/handoffs');
    const seen: string[] = [];
    for (const path of [...listPages, ...pages, '/admin/retrieval?q=' + encodeURIComponent(PAYLOADS.join(' '))]) {
      const r = path === '/admin/handoffs' ? handoffs : await c.get(path);
      expect(r.status, path).toBeLessThan(500);
      for (const live of LIVE) expect(r.text, `${path} carries ${live}`).not.toMatch(live);
      if (/alert\(&quot;x1&quot;\)|alert\(&#34;x1&#34;\)|&lt;script&gt;/.test(r.text)) seen.push(path);
    }
    // The test reaches the payloads: at least the transcript, the handoff inbox and the retrieval page show them escaped.
    expect(seen.length, `pages showing an escaped payload: ${seen.join(', ')}`).toBeGreaterThanOrEqual(3);
  }, 300_000);
});
