import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';

describe('answers over POST /api/chat', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ clock: () => new Date('2026-05-10T04:00:00Z') });
  });
  afterAll(async () => app?.close());

  it('answers "达到三级的试点项目最高补助多少？" with 80万元, quoting and citing clause 17', async () => {
    const r = await app.post('/api/chat', { user: 'u-answers', text: '达到三级的试点项目最高补助多少？' });
    expect(r.status).toBe(200);
    expect(r.body.abstained).toBe(false);
    const reply = r.body.replies[0];
    expect(reply.text.split('\n')[0]).toContain('80万元');
    const clause = reply.citations.find((c: any) => c.section === '四、工作内容 > （四）加大数字化改造资金支持 > 17.');
    expect(clause).toBeTruthy();
    expect(clause.document).toBe('金华市推进中小企业数字化转型城市试点建设实施意见（征求意见稿）');
    expect(clause.quote).toContain('80万元');
    expect(reply.text).toContain(`《${clause.document}》 ${clause.section}`);
  });

  it('cites the table cell for a table question', async () => {
    const r = await app.post('/api/chat', { user: 'u-answers', text: '专精特新中小企业2025年要改造多少' });
    expect(r.body.replies[0].text.split('\n')[0]).toContain('110');
    expect(r.body.replies[0].citations[0].section).toMatch(/^表1 > 拟改造企业中专精特新中小企业数量 > 2025年$/);
  });

  it('abstains on another city\'s policy', async () => {
    const r = await app.post('/api/chat', { user: 'u-answers', text: '杭州市数字化改造补助多少' });
    expect(r.status).toBe(200);
    expect(r.body.abstained).toBe(true);
    expect(r.body.replies[0].citations).toEqual([]);
    expect(r.body.replies[0].text).toMatch(/没有找到/);
  });
});
