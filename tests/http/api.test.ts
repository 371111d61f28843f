import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';

describe('HTTP API edges', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => app?.close());

  it('serves /healthz', async () => {
    const r = await app.get('/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, pack: 'jinhua' });
  });

  it('rejects empty, whitespace-only and over-long text with a Chinese field message', async () => {
    for (const text of ['', '   \n\t ', 'x'.repeat(2001)]) {
      const r = await app.post('/api/chat', { user: 'u1', text });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('validation');
      expect(r.body.error.fields.text).toMatch(/[\u4e00-\u9fff]/);
    }
    const missing = await app.post('/api/chat', { text: '你好' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields.user).toBeTruthy();
  });

  it('accepts exactly 2000 characters', async () => {
    const r = await app.post('/api/chat', { user: 'u1', text: '补'.repeat(2000) });
    expect(r.status).toBe(200);
  });

  it('answers malformed JSON with 400 and unknown routes with a JSON 404', async () => {
    const bad = await app.post('/api/chat', '{"user": "u1", "text": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('JSON');
    const nf = await app.get('/no/such/route');
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('not_found');
  });
});

describe('operations endpoints', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => app?.close());

  it('exposes Prometheus metrics by route template, without user text', async () => {
    await app.post('/api/chat', { user: 'metrics-user', text: '' });
    await app.get('/no/such/secret-path');
    const r = await fetch(app.url + '/metrics');
    const body = await r.text();
    expect(r.status).toBe(200);
    expect(body).toMatch(/shugai_http_requests_total\{method="POST",route="\/api\/chat",status="400"\} \d+/);
    expect(body).toContain('route="(unmatched)"');
    expect(body).not.toContain('secret-path');
    expect(body).toContain('shugai_process_resident_memory_bytes');
  });
});
