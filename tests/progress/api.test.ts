// GET /api/progress over real HTTP: 401 without a valid token, the admin token sees the city, an officer's
// token is scoped like the officer (403 outside it), bad query values are 400s with Chinese field
// messages, and every query lands in the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../db/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { uscc } from './fixtures.ts';

describe('GET /api/progress', () => {
  let app: TestApp;
  let officerToken: string;
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  beforeAll(async () => {
    app = await startTestApp({ env: { API_TOKEN: 'admin-secret-token' }, clock: () => new Date('2026-03-15T04:00:00Z') });
    const p = app.services.progress;
    const csv =
      '企业名称,统一社会信用代码,区县,行业,规模,阶段,数字化等级,签约日期\n' +
      `甲,${uscc(1)},永康市,电动工具,规上,达标,二级,2025-01-02\n` +
      `乙,${uscc(2, '330783')},东阳市,磁性材料,规上,签约,,2025-02-02\n`;
    await p.importFile('a.csv', Buffer.from(csv), 'test');
    const o = await p.officers.create({ name: '王专员', region: '永康' }, 'test');
    officerToken = await p.officers.issueApiToken(o.id);
  });
  afterAll(async () => app?.close());

  it('is 401 without a token or with a wrong one', async () => {
    expect((await app.get('/api/progress')).status).toBe(401);
    const bad = await app.get('/api/progress', bearer('nope'));
    expect(bad.status).toBe(401);
    expect(bad.body.error.message).toMatch(/令牌/);
  });

  it('gives the admin token the whole city, with reached/current and targets', async () => {
    const r = await app.get('/api/progress', bearer('admin-secret-token'));
    expect(r.status).toBe(200);
    expect(r.body.enterprises).toBe(2);
    expect(r.body.reached).toEqual({ 入库: 2, 签约: 2, 诊断: 1, 实施: 1, 验收: 1, 达标: 1, 兑现: 0 });
    expect(r.body.targets.find((k: { id: string }) => k.id === 'above-scale-level2-share')).toMatchObject({ actual: 50, target: 93 });
    const dy = await app.get('/api/progress?region=东阳&industry=磁性材料', bearer('admin-secret-token'));
    expect(dy.body).toMatchObject({ scope: { region: '东阳市', industry: 'magnetic-materials' }, enterprises: 1 });
  });

  it('scopes an officer token to the officer region: own region by default, 403 elsewhere', async () => {
    const own = await app.get('/api/progress', bearer(officerToken));
    expect(own.status).toBe(200);
    expect(own.body.scope.region).toBe('永康市');
    expect(own.body.enterprises).toBe(1);
    const other = await app.get(`/api/progress?region=${encodeURIComponent('东阳市')}`, bearer(officerToken));
    expect(other.status).toBe(403);
    expect(other.body.error.message).toContain('永康市');
    const ranking = await app.get('/api/progress/ranking?quarter=2025Q1', bearer(officerToken));
    expect(ranking.status).toBe(200);
    expect(ranking.body.rows).toHaveLength(10);
  });

  it('answers unknown names and years with 400 and field messages', async () => {
    const r = await app.get(`/api/progress?region=${encodeURIComponent('杭州')}&year=2031`, bearer('admin-secret-token'));
    expect(r.status).toBe(400);
    expect(r.body.error.fields.region).toContain('未知区县');
    expect(r.body.error.fields.year).toMatch(/2024/);
  });

  it('audits every query', async () => {
    const { rows } = await listAudit(app.services.db, { action: 'progress.query' });
    expect(rows.some((a) => a.actorKind === 'officer' && a.actorName === '王专员')).toBe(true);
    expect(rows.some((a) => a.actorName === 'API_TOKEN')).toBe(true);
    expect(rows.some((a) => a.actorName === '王专员' && (a.details as { refused?: boolean }).refused === true)).toBe(true);
  });
});
