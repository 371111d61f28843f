/** POST /api/eligibility over real HTTP, and `npm run eligibility` printing the same JSON. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../console/cli/eligibility.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

describe('POST /api/eligibility', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => app?.close());

  it('returns the estimate with arithmetic, reasons and citations', async () => {
    const r = await app.post('/api/eligibility', { region: '永康的', industry: '做电钻', annualRevenue: '八千万', targetLevel: '三级', investment: '投入120万', year: 1 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'estimate', inScope: true, subsidyCap: 60, scale: 'aboveScale', arithmetic: 'min(80万元, 120万元 × 50% = 60万元) = 60万元' });
    expect(r.body.citations.length).toBeGreaterThan(2);
  });

  it('answers missing facts with needs_info, not an error', async () => {
    const r = await app.post('/api/eligibility', { region: '东阳' });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('needs_info');
    expect(r.body.missing.map((m: { field: string }) => m.field)).toContain('industry');
  });

  it('400s with field-level Chinese messages on invalid input, never 500', async () => {
    const r = await app.post('/api/eligibility', { investment: 'abc', year: 7, targetLevel: 0 });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation');
    expect(Object.keys(r.body.error.fields).sort()).toEqual(['investment', 'targetLevel', 'year']);
    for (const m of Object.values(r.body.error.fields)) expect(m).toMatch(/[\u4e00-\u9fff]/);
    for (const body of ['[1,2]', '"text"', 'null', '{"region": {"a": 1}}', '{"investment": 1e999}']) {
      const x = await app.post('/api/eligibility', body);
      expect(x.status, body).toBe(400);
      expect(x.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    }
    const malformed = await app.post('/api/eligibility', '{"region":');
    expect(malformed.status).toBe(400);
  });

  it('the CLI prints the same JSON as the API', async () => {
    const input = { region: '金东', industry: '服装', scale: '规下', targetLevel: 2, investment: 90, year: 2 };
    const api = await app.post('/api/eligibility', input);
    let printed = '';
    const code = await run([JSON.stringify(input)], (s) => (printed += s));
    expect(code).toBe(0);
    expect(JSON.parse(printed)).toEqual(api.body);

    const bad = { year: 9 };
    const apiBad = await app.post('/api/eligibility', bad);
    printed = '';
    expect(await run([JSON.stringify(bad)], (s) => (printed += s))).toBe(2);
    expect(JSON.parse(printed)).toEqual(apiBad.body);
  });
});
