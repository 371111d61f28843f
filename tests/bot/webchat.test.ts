/**
 * The web chat over real HTTP: the scripted conversation through /api/chat (same content as the engine),
 * SSE streaming, reload continuity (history), staff replies picked up by polling, /api/feedback, and
 * the widget page served from the project with no external assets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainText } from '../../bot/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { canonical, checkScript, engineDriver, FIXTURE_QUOTE, fixtureAnswerer, runScript, SCRIPT_QUESTION, type ScriptDriver, type SeenReply } from '../helpers/script.ts';

let app: TestApp;

function webDriver(user: string): ScriptDriver {
  const send = async (body: Record<string, string>): Promise<SeenReply[]> => {
    const r = await app.post('/api/chat', { user, ...body });
    expect(r.status).toBe(200);
    return (r.body.replies as { text: string; citations: []; buttons?: SeenReply['buttons'] }[]).map((x) => ({ text: plainText(x), buttons: x.buttons ?? [] }));
  };
  return { say: (text) => send({ text }), press: (b) => send({ payload: b.payload }) };
}

/** Posts with SSE and collects the events. */
async function stream(body: unknown): Promise<{ event: string; data: any }[]> {
  const res = await fetch(app.url + '/api/chat', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify(body) });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const raw = await res.text();
  return raw
    .split('\n\n')
    .filter((c) => c.trim())
    .map((c) => ({ event: c.match(/^event: (.*)$/m)![1]!, data: JSON.parse(c.match(/^data: (.*)$/m)![1]!) }));
}

beforeAll(async () => {
  app = await startTestApp();
  app.services.answerer = fixtureAnswerer();
});
afterAll(async () => app?.close());

describe('web chat API', () => {
  it('runs the scripted conversation with the same content as the engine, keeping the issue-2 shape', async () => {
    const transcript = await runScript(webDriver('web-script'));
    expect(checkScript(transcript)).toEqual([]);
    const reference = await runScript(engineDriver(app.services.engine, { user: 'web-reference' }));
    expect(canonical(transcript)).toEqual(canonical(reference));
    const r = await app.post('/api/chat', { user: 'web-shape', text: SCRIPT_QUESTION });
    expect(r.body).toMatchObject({ conversation: expect.any(String), abstained: false, replies: [{ text: expect.stringContaining('80万元'), citations: [{ quote: FIXTURE_QUOTE }], answerId: expect.any(String) }] });
  });

  it('streams a generative answer over SSE (Accept header or ?stream=1)', async () => {
    const events = await stream({ user: 'web-sse', text: SCRIPT_QUESTION });
    expect(events.map((e) => e.event)).toEqual(['delta', 'delta', 'reply', 'done']);
    expect(events.slice(0, 2).map((e) => e.data.text).join('')).toBe(events[2]!.data.text);
    expect(events[3]!.data.replies[0].citations[0].quote).toBe(FIXTURE_QUOTE);
    const res = await fetch(app.url + '/api/chat?stream=1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'web-sse', text: '/menu' }) });
    expect(await res.text()).toContain('event: done');
    // Validation still answers 400 JSON before any streaming starts.
    const bad = await fetch(app.url + '/api/chat?stream=1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'web-sse', text: ' ' }) });
    expect(bad.status).toBe(400);
  });

  it('keeps the conversation across reloads and picks up a staff reply by polling', async () => {
    const first = await app.post('/api/chat', { user: 'web-reload', text: SCRIPT_QUESTION });
    const handoff = await app.post('/api/chat', { user: 'web-reload', text: '转人工' });
    expect(handoff.body.conversation).toBe(first.body.conversation);
    const history = await app.get('/api/chat/history?user=web-reload');
    expect(history.body.conversation).toBe(first.body.conversation);
    expect(history.body.messages.map((m: { direction: string }) => m.direction)).toEqual(['in', 'out', 'in', 'out']);
    expect(history.body.messages[1].citations[0].quote).toBe(FIXTURE_QUOTE);
    const cursor = history.body.messages.at(-1).id;
    expect((await app.get(`/api/chat/updates?user=web-reload&after=${cursor}`)).body.messages).toEqual([]);
    const [h] = (await app.services.handoffs.list({ status: 'waiting' })).filter((x) => x.conversationId === first.body.conversation);
    expect((await app.services.handoffs.reply(h!.id, { text: '您好，我是工作人员。', author: 'staff-1' })).status).toBe('stored');
    const updates = await app.get(`/api/chat/updates?user=web-reload&after=${cursor}`);
    expect(updates.body.messages).toHaveLength(1);
    expect(updates.body.messages[0]).toMatchObject({ kind: 'staff', author: 'staff-1', text: expect.stringContaining('您好，我是工作人员。') });
    expect((await app.get(`/api/chat/updates?user=web-reload&after=${updates.body.cursor}`)).body.messages).toEqual([]);
    expect((await app.get('/api/chat/history?user=nobody-yet')).body).toEqual({ conversation: null, messages: [] });
  });

  it('records feedback through POST /api/feedback only for the user’s own answers', async () => {
    const r = await app.post('/api/chat', { user: 'web-fb', text: SCRIPT_QUESTION });
    const answerId = r.body.replies[0].answerId;
    expect((await app.post('/api/feedback', { user: 'web-fb', answerId, vote: 'down', reason: '金额不对' })).body).toEqual({ ok: true, answerId, vote: 'down' });
    expect(await app.services.engine.transcripts.getAnswer(answerId)).toMatchObject({ feedback: -1, feedbackReason: '金额不对' });
    expect((await app.post('/api/feedback', { user: 'web-other', answerId, vote: 'up' })).status).toBe(404);
    const bad = await app.post('/api/feedback', { user: 'web-fb', answerId: 'x', vote: 'meh' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['answerId', 'vote']);
  });

  it('rejects a tampered button and answers a dedupe retry once', async () => {
    const menu = await app.post('/api/chat', { user: 'web-btn', text: '/menu' });
    const payload: string = menu.body.replies[0].buttons[0][0].payload;
    const tampered = await app.post('/api/chat', { user: 'web-btn', payload: payload.slice(0, -2) + 'xx' });
    expect(tampered.body.replies[0].text).toContain('无法识别');
    const a = await app.post('/api/chat', { user: 'web-btn', text: '/help', id: 'retry-1' });
    const b = await app.post('/api/chat', { user: 'web-btn', text: '/help', id: 'retry-1' });
    expect(a.body.duplicate).toBeUndefined();
    expect(b.body).toMatchObject({ duplicate: true, replies: [] });
    expect((await app.post('/api/chat', { user: 'web-btn' })).body.error.fields.text).toContain('缺少 text');
  });
});

describe('web chat widget', () => {
  it('serves a Chinese, mobile-friendly page whose assets all come from the project', async () => {
    const page = await fetch(app.url + '/chat');
    const html = await page.text();
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('lang="zh-CN"');
    expect(html).toContain('name="viewport"');
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((a) => !a.startsWith('data:'));
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const a of assets) {
      expect(a.startsWith('/chat/assets/')).toBe(true);
      expect((await fetch(app.url + a)).status).toBe(200);
    }
    const js = await (await fetch(app.url + '/chat/assets/widget.js')).text();
    expect(js).not.toMatch(/https?:\/\//);
    expect(js).not.toContain('innerHTML');
    expect(js).toContain('localStorage');
  });
});
