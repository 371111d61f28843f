/**
 * Conversations in the console over real HTTP, driven by real chat traffic through /api/chat: the
 * filtered list, the transcript with citations and scores, XSS sent in chat rendered as text, the
 * correction loop (mark wrong → FAQ pair → the next user gets it), and the handoff inbox (reply reaches
 * the user's channel, close).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { startSignedInApp, type AdminClient } from '../helpers/admin-client.ts';
import { esc } from '../../console/admin/index.ts';

const PASSWORD = 'conversations-admin-pass';
const QUESTION = '试点企业数字化改造后达到三级，最多能拿多少补助？';
const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>';

describe('console conversations, corrections and handoffs', () => {
  let app: TestApp;
  let c: AdminClient;
  let convId = '';
  beforeAll(async () => {
    ({ app, admin: c } = await startSignedInApp(PASSWORD));
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

  it('shows each answer with its citations and every ranker’s scores in the transcript', async () => {
    const [answer] = (await app.services.engine.transcripts.answers(convId)).filter((a) => a.question === QUESTION);
    expect(answer.citations.length).toBeGreaterThan(0);
    const t = await c.get(`/admin/conversations/${encodeURIComponent(convId)}`);
    const cite = answer.citations[0];
    expect(t.text).toContain(`《${esc(cite.document)}》`);
    if (cite.section) expect(t.text).toContain(esc(cite.section));
    expect(t.text).toContain(`回答 #${answer.id}`);
    expect(t.text).toMatch(/置信度 \d\.\d+/);
    const hits = answer.hits as { score: number; scores?: { lexical?: { rank: number; score: number }; vector?: { rank: number; score: number } } }[];
    expect(hits.length).toBeGreaterThan(0);
    expect(t.text).toContain(`检索结果 ${hits.length} 条（融合分 / 词法 / 向量）`);
    // Each hit row: fused score, then lexical and vector "score（rank）" (or — when that ranker missed it).
    const rows = [...t.text.matchAll(/<td class="num">([\d.]+)<\/td>\s*<td class="num">([^<]+)<\/td>\s*<td class="num">([^<]+)<\/td><\/tr>/g)];
    expect(rows.length).toBeGreaterThanOrEqual(hits.length);
    expect(rows.some((r) => /^\d\.\d{3}（\d+）$/.test(r[2]) && /^\d\.\d{3}（\d+）$/.test(r[3]))).toBe(true);
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

  it('filters the list by channel, date, abstained, 👎, waiting for a human and intake', async () => {
    const say = async (user: string, text: string) => {
      const r = await app.post('/api/chat', { user, text });
      expect(r.status, text).toBe(200);
      return r.body as { conversation: string; abstained: boolean; replies: { text: string; answerId?: string }[] };
    };
    const abstained = await say('f-abstain', '火星基地的宇航员签证一般多久能办下来？');
    expect(abstained.abstained).toBe(true);
    const voted = await say('f-down', QUESTION);
    const answerId = voted.replies.find((r) => r.answerId)?.answerId;
    expect(answerId).toBeTruthy();
    expect((await app.post('/api/feedback', { user: 'f-down', answerId, vote: 'down', reason: '金额不对' })).status).toBe(200);
    const waiting = await say('f-wait', '转人工');
    const intake = await say('f-intake', '/intake');
    expect(intake.replies.map((r) => r.text).join('\n')).toMatch(/企业全称/);
    await say('f-intake', '取消');

    const ids = async (query: string) => {
      const page = await c.get(`/admin/conversations?${query}`);
      expect(page.status, query).toBe(200);
      return new Set([...page.text.matchAll(/href="\/admin\/conversations\/([^"?]+)"/g)].map((m) => decodeURIComponent(m[1])));
    };
    const mine = [abstained.conversation, voted.conversation, waiting.conversation, intake.conversation];
    const only = (got: Set<string>) => mine.filter((id) => got.has(id));
    expect(only(await ids('abstained=1'))).toEqual([abstained.conversation]);
    expect(only(await ids('downvoted=1'))).toEqual([voted.conversation]);
    expect(only(await ids('waiting=1'))).toEqual([waiting.conversation]);
    // A cancelled intake still counts: the conversation had one.
    expect(only(await ids('intake=1'))).toEqual([intake.conversation]);
    expect(only(await ids('channel=web'))).toEqual(mine);
    expect(only(await ids('channel=telegram'))).toEqual([]);
    const day = (offset: number) => new Date(Date.now() + 8 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);
    expect(only(await ids(`from=${day(0)}&to=${day(0)}`))).toEqual(mine);
    expect(only(await ids(`from=${day(1)}`))).toEqual([]);
    expect(only(await ids(`to=${day(-1)}`))).toEqual([]);
    expect(only(await ids(`downvoted=1&waiting=1`))).toEqual([]);
    // Malformed filter values are ignored, never a 500.
    expect((await c.get('/admin/conversations?from=not-a-date&page=-3&channel=%3Cx%3E')).status).toBe(200);
  });
});
