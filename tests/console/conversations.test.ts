/**
 * Conversations in the console over real HTTP, driven by real chat traffic through /api/chat: the
 * filtered list, the transcript with citations and scores, XSS sent in chat rendered as text, the
 * correction loop (mark wrong → FAQ pair → the next user gets it), and the handoff inbox (reply reaches
 * the user's channel, close).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { AdminClient } from '../helpers/admin-client.ts';

const PASSWORD = 'conversations-admin-pass';
const QUESTION = '试点企业数字化改造后达到三级，最多能拿多少补助？';
const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>';

describe('console conversations, corrections and handoffs', () => {
  let app: TestApp;
  let c: AdminClient;
  let convId = '';
  beforeAll(async () => {
    app = await startTestApp({ env: { ADMIN_PASSWORD: PASSWORD } });
    c = new AdminClient(app.url);
    await c.login('admin', PASSWORD);
  });
  afterAll(async () => app?.close());

  it('lists chat conversations and renders a chat XSS payload as text in the transcript', async () => {
    const first = await app.post('/api/chat', { user: 'ent-1', text: QUESTION });
    expect(first.status).toBe(200);
    convId = first.body.conversation;
    expect((await app.post('/api/chat', { user: 'ent-1', text: XSS })).status).toBe(200);
    const list = await c.get('/admin/conversations?channel=web');
    expect(list.status).toBe(200);
    expect(list.text).toContain(encodeURIComponent(convId));
    const t = await c.get(`/admin/conversations/${encodeURIComponent(convId)}`);
    expect(t.status).toBe(200);
    expect(t.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(t.text).not.toContain('<script>alert(1)');
    expect(t.text).not.toContain('<img src=x');
    expect(t.text).toContain('回答 #');
  });

  it('turns a corrected answer into an FAQ pair that the next user gets', async () => {
    const answers = await app.services.engine.transcripts.answers(convId);
    const answer = answers.find((a) => a.question === QUESTION)!;
    expect(answer).toBeTruthy();
    await c.get(`/admin/conversations/${encodeURIComponent(convId)}`);
    const missing = await c.post(`/admin/conversations/${encodeURIComponent(convId)}/answers/${answer.id}/correct`, { question: QUESTION, answer: '', document: '' });
    expect(missing.status).toBe(400);
    const CORRECT = '达到三级的，补助最高不超过80万元（人工审核答复）。';
    const ok = await c.post(`/admin/conversations/${encodeURIComponent(convId)}/answers/${answer.id}/correct`, {
      question: QUESTION,
      variants: '三级能补多少\n三级补助上限',
      answer: CORRECT,
      document: '金华市中小企业数字化转型试点实施意见',
      section: '四、工作内容 > （四）加大数字化改造资金支持',
      quote: '三级最高补助80万元',
    });
    expect(ok.status).toBe(303);
    const pair = (await app.services.db.query<{ conversation_id: string; answer: string }>('select conversation_id, answer from faq_pairs')).rows[0];
    expect(pair).toMatchObject({ conversation_id: convId, answer: CORRECT });
    const next = await app.post('/api/chat', { user: 'ent-2', text: QUESTION });
    expect(next.status).toBe(200);
    expect(next.body.replies.map((r: { text: string }) => r.text).join('\n')).toContain('80万元（人工审核答复）');
    const faqPage = await c.get('/admin/faq');
    expect(faqPage.text).toContain('对话更正');
    const audit = await app.services.db.query("select 1 from audit_log where action = 'answer.correct'");
    expect(audit.rows.length).toBe(1);
  });

  it('replies to a waiting user from the handoff inbox and closes it', async () => {
    const h = await app.post('/api/chat', { user: 'ent-3', text: '转人工' });
    expect(h.status).toBe(200);
    const waiting = await c.get('/admin/handoffs');
    expect(waiting.text).toContain('等待中');
    const open = (await app.services.engine.handoffs.list({ status: 'waiting' }))[0];
    expect(open).toBeTruthy();
    const empty = await c.post(`/admin/handoffs/${open.id}/reply`, { text: ' ' });
    expect(empty.status).toBe(400);
    const sent = await c.post(`/admin/handoffs/${open.id}/reply`, { text: '您好，我是区经信局的王老师，<b>稍后</b>电话联系您。', back: '/admin/handoffs' });
    expect(sent.status).toBe(303);
    const updates = await app.get(`/api/chat/updates?user=ent-3&after=0`);
    expect(JSON.stringify(updates.body)).toContain('稍后');
    const closed = await c.post(`/admin/handoffs/${open.id}/close`, { back: '/admin/handoffs' });
    expect(closed.status).toBe(303);
    expect((await app.services.engine.handoffs.get(open.id))?.status).toBe('closed');
  });
});
