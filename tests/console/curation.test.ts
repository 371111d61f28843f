/**
 * FAQ pairs and N+X lists edited in the console over real HTTP, checked where they take effect: a pair
 * created, edited, disabled and deleted changes what the next web-chat user is told; an N+X item added,
 * renamed and disabled changes the pain-point options the intake offers an enterprise of that industry.
 * Every change is audited with its before and after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NxRepo } from '../../db/index.ts';
import type { TestApp } from '../helpers/app.ts';
import { startSignedInApp, type AdminClient } from '../helpers/admin-client.ts';
import { USCC } from '../eligibility/intake-script.ts';

const PASSWORD = 'curation-admin-pass';
const Q = '樱花数字工坊的补助标准是什么？';

describe('console FAQ and N+X editors', () => {
  let app: TestApp;
  let c: AdminClient;
  let n = 0;
  /** Asks as a fresh web-chat user and returns the joined reply text. */
  const ask = async (text: string) => {
    const r = await app.post('/api/chat', { user: `curation-${++n}`, text });
    expect(r.status).toBe(200);
    return (r.body.replies as { text: string }[]).map((x) => x.text).join('\n');
  };
  const audit = async (action: string) =>
    (await app.services.db.query<{ before: any; after: any }>('select before, after from audit_log where action = $1 order by id', [action])).rows;

  beforeAll(async () => {
    ({ app, admin: c } = await startSignedInApp(PASSWORD));
  }, 400_000);
  afterAll(async () => app?.close());

  it('creates, edits, disables and deletes an FAQ pair, and the bot follows each step', async () => {
    expect(await ask(Q)).not.toContain('樱花工坊每家补助10万元');
    await c.get('/admin/faq');
    const missing = await c.post('/admin/faq', { question: Q, answer: '', document: '' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('field-error');
    expect((await app.services.db.query('select 1 from faq_pairs')).rows.length).toBe(0);

    const created = await c.post('/admin/faq', {
      question: Q,
      variants: '樱花工坊补多少钱\n樱花数字工坊奖励',
      answer: '樱花工坊每家补助10万元<以验收为准>。',
      document: '樱花专项通知',
      section: '一、樱花专项',
      quote: '每家补助10万元',
      enabled: '1',
    });
    expect(created.status).toBe(303);
    const list = await c.get('/admin/faq');
    expect(list.text).toContain('樱花工坊每家补助10万元&lt;以验收为准&gt;');
    const id = (await app.services.db.query<{ id: string }>('select id::text from faq_pairs')).rows[0].id;
    expect(await ask(Q)).toContain('樱花工坊每家补助10万元');
    expect(await ask('樱花工坊补多少钱')).toContain('樱花工坊每家补助10万元');

    const form = { question: Q, variants: '樱花工坊补多少钱', answer: '樱花工坊每家补助12万元。', document: '樱花专项通知', section: '一、樱花专项', quote: '每家补助12万元' };
    expect((await c.post(`/admin/faq/${id}`, { ...form, enabled: '1' })).status).toBe(303);
    const edited = await ask(Q);
    expect(edited).toContain('12万元');
    expect(edited).not.toContain('10万元');
    const [update] = await audit('faq.update');
    expect(update.before.answer).toContain('10万元');
    expect(update.after.answer).toContain('12万元');

    expect((await c.post(`/admin/faq/${id}`, form)).status).toBe(303); // checkbox unticked → disabled
    expect(await ask(Q)).not.toContain('樱花工坊每家补助12万元');

    expect((await c.post(`/admin/faq/${id}/delete`)).status).toBe(303);
    expect((await c.get(`/admin/faq/${id}`)).status).toBe(404);
    expect((await c.get('/admin/faq')).text).not.toContain('樱花工坊每家补助');
    const [deleted] = await audit('faq.delete');
    expect(deleted.before.answer).toContain('12万元');
    // The audit page shows who changed what, with before and after (escaped).
    const log = await c.get('/admin/audit?action=faq.');
    expect(log.status).toBe(200);
    const rows = log.text.split('<tr>').filter((r) => r.includes('<code>faq.update</code>'));
    expect(rows).toHaveLength(2);
    expect(rows.some((r) => r.includes('10万元&lt;以验收为准&gt;') && r.includes('12万元'))).toBe(true);
    expect(rows.every((r) => r.includes('admin'))).toBe(true);
    expect(log.text).toContain('<code>faq.create</code>');
    expect(log.text).toContain('<code>faq.delete</code>');
    expect(log.text).not.toContain('<code>nx.');
  });

  it('edits the N+X list, and the intake offers exactly the active items', async () => {
    const repo = new NxRepo(app.services.db);
    const seeded = await repo.list(app.services.pack.id, 'apparel');
    expect(seeded.length).toBeGreaterThan(0);
    const page = await c.get('/admin/nx?industry=apparel');
    expect(page.status).toBe(200);
    expect(page.text).toContain(seeded[0].title);

    const bad = await c.post('/admin/nx', { industry: 'apparel', kind: 'X', code: 'bad code!', title: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('编码为 1–20 位字母');
    expect(await repo.list(app.services.pack.id, 'apparel', { includeInactive: true })).toHaveLength(seeded.length);

    expect((await c.post('/admin/nx', { industry: 'apparel', kind: 'X', code: 'X99', title: '<b>智能裁床</b>排产', description: '裁床与排产联动', scenes: '计划排程、生产管控', sort: '999' })).status).toBe(303);
    const shown = await c.get('/admin/nx?industry=apparel');
    expect(shown.text).toContain('&lt;b&gt;智能裁床&lt;/b&gt;排产');
    expect(shown.text).not.toContain('<b>智能裁床</b>');

    const renamed = seeded[0];
    expect((await c.post('/admin/nx', { industry: 'apparel', kind: renamed.kind, code: renamed.code, title: '面料智能检验', description: renamed.description, scenes: renamed.scenes.join('、'), sort: String(renamed.sort) })).status).toBe(303);
    const [update] = await audit('nx.update');
    expect(update.before.title).toBe(renamed.title);
    expect(update.after.title).toBe('面料智能检验');
    const disabled = seeded[1];
    expect((await c.post('/admin/nx/toggle', { industry: 'apparel', code: disabled.code, active: '0' })).status).toBe(303);

    // An apparel enterprise reaching the pain-point question in the web chat.
    const user = 'nx-enterprise';
    let last: { text: string; buttons?: { label: string; payload: string }[][] }[] = [];
    const say = async (body: Record<string, string>) => {
      const r = await app.post('/api/chat', { user, ...body });
      expect(r.status).toBe(200);
      last = r.body.replies;
    };
    const press = (label: string) => {
      const b = last.flatMap((r) => (r.buttons ?? []).flat()).find((x) => x.label.includes(label));
      if (!b) throw new Error(`no button ${label} in ${JSON.stringify(last)}`);
      return say({ payload: b.payload });
    };
    for (const text of ['/intake', '义乌星光服饰有限公司', USCC, '王芳', '13812345678', '义乌', '服装']) await say({ text });
    await press('规上');
    await say({ text: '八千万' });
    await say({ text: '1.2亿' });
    await press('专精特新中小企业');
    await press('完成');
    const offered = last.map((r) => r.text).join('\n');
    expect(offered).toMatch(/起步清单|N\+X/);
    expect(offered).toContain('X·<b>智能裁床</b>排产');
    expect(offered).toContain('面料智能检验');
    expect(offered).not.toContain(renamed.title);
    expect(offered).not.toContain(disabled.title);
  });
});
