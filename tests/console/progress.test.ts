/**
 * Progress in the console: the import page's row-level report (bad rows listed, good rows imported), the
 * dashboard's charts and matrix built from the imported data, an officer's view limited to their region,
 * and the officers page issuing a one-time binding code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../console/admin/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { AdminClient } from '../helpers/admin-client.ts';
import { progressCsv } from './fixtures/progress.ts';

const PASSWORD = 'progress-admin-pass';
describe('console progress pages', () => {
  let app: TestApp;
  let admin: AdminClient;
  beforeAll(async () => {
    app = await startTestApp({ env: { ADMIN_PASSWORD: PASSWORD } });
    admin = new AdminClient(app.url);
    await admin.login('admin', PASSWORD);
    await app.services.db.query("insert into admin_users (username, password_hash, role, region) values ('dy', $1, 'officer', '东阳市')", [await hashPassword('officer-dongyang-1')]);
  }, 400_000);
  afterAll(async () => app?.close());

  it('imports a CSV and shows the row-level validation report', async () => {
    await admin.get('/admin/progress/import');
    const r = await admin.upload('/admin/progress/import', 'file', { name: '进度.csv', data: progressCsv(), type: 'text/csv' });
    expect(r.status).toBe(200);
    expect(r.text).toContain('id="import-report"');
    expect(r.text).toMatch(/成功 <strong>3<\/strong>/);
    expect(r.text).toMatch(/失败 <strong>1<\/strong>/);
    expect(r.text).toContain('杭州市');
    expect(r.text).not.toContain('<b>未知区县</b>');
    const a = await app.services.db.query("select after from audit_log where action = 'progress.import'");
    expect(a.rows.length).toBe(1);
  });

  it('draws the dashboard: KPI by year, funnel, matrix and ranking charts', async () => {
    const r = await admin.get('/admin/progress');
    expect(r.status).toBe(200);
    expect((r.text.match(/<canvas data-chart=/g) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(r.text).toContain('/admin/assets/vendor/chart.umd.min.js');
    expect(r.text).toContain('永康市');
    expect(r.text).toContain('东阳市');
    const js = await fetch(`${app.url}/admin/assets/vendor/chart.umd.min.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
  });

  it('limits an officer to their region and refuses the import page', async () => {
    const o = new AdminClient(app.url);
    await o.login('dy', 'officer-dongyang-1');
    const r = await o.get('/admin/progress?region=' + encodeURIComponent('永康市'));
    expect(r.status).toBe(200);
    expect(r.text).toContain('范围：东阳市');
    expect(r.text).not.toContain('永康市</th>');
    expect((await o.get('/admin/progress/import')).status).toBe(403);
    const csv = await o.get('/admin/progress/export.csv');
    expect(csv.text).toContain('东阳磁材有限公司');
    expect(csv.text).not.toContain('永康甲工具有限公司');
  });

  it('creates an officer and issues a one-time binding code', async () => {
    await admin.get('/admin/officers');
    expect((await admin.post('/admin/officers', { name: '王专员', region: '永康市' })).status).toBe(303);
    const officer = (await app.services.progress.officers.list()).find((x) => x.name === '王专员')!;
    const r = await admin.post(`/admin/officers/${officer.id}/code`);
    expect(r.status).toBe(200);
    const code = r.text.match(/\/bind ([A-Z0-9-]+)/)?.[1];
    expect(code).toBeTruthy();
    const bound = await app.services.progress.officers.bind('chat-user-1', code!);
    expect(JSON.stringify(bound)).toContain('王专员');
    const bad = await admin.post('/admin/officers', { name: '李', region: '杭州' });
    expect(bad.status).toBe(400);
  });
});
