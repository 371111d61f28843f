/**
 * Slack end to end: the real app (services, engine, PGlite, HTTP server) with Bolt mounted at
 * /slack/events. Requests are signed with the v0 scheme exactly as Slack signs them and sent over real
 * HTTP; the bot's Web API calls go to a local fake (SLACK_API_URL) that records chat.postMessage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannels } from '../../bot/channels/index.ts';
import { loadConfig } from '../../console/config.ts';
import { createHttpApp, startHttpServer, type RunningServer } from '../../console/http/index.ts';
import { createLogger } from '../../console/log.ts';
import { createServices, type Services } from '../../console/services.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { canonical, checkScript, FIXTURE_DOCUMENT, FIXTURE_QUOTE, fixtureAnswerer, runScript, seen, SCRIPT_QUESTION, type SeenReply } from '../helpers/script.ts';
import { blockAction, BOT_TOKEN, dm, envelope, mention, postAction, postEvent, SIGNING_SECRET, startFakeSlackApi, type FakeSlackApi } from './slack-harness.ts';
import { startFakeSocketMode } from './socket-harness.ts';
import { until } from './telegram-harness.ts';

let api: FakeSlackApi;
let testDb: TestDb;
let services: Services;
let server: RunningServer;
let eventsUrl: string;

beforeAll(async () => {
  api = await startFakeSlackApi();
  testDb = await openTestDb();
  const config = loadConfig({ LOG_LEVEL: 'silent', SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: api.url, RATE_LIMIT_PER_MINUTE: '1000' });
  services = await createServices(config, { db: testDb.db, log: createLogger('silent') });
  services.answerer = fixtureAnswerer();
  server = await startHttpServer(createHttpApp(services), 0, '127.0.0.1');
  await services.channels.start();
  eventsUrl = server.url + '/slack/events';
}, 300_000);

afterAll(async () => {
  await services?.channels.stop();
  await server?.close();
  await services?.close();
  await api?.stop();
  await testDb?.close();
});

/** What Slack showed: section text without mrkdwn, and the buttons of the actions blocks. */
function seenPost(post: Record<string, any>): SeenReply {
  const sections = (post.blocks as any[]).filter((b) => b.type === 'section').map((b) => b.text.text as string);
  const text = sections
    .join('\n')
    .replace(/\u200b\*([^*]*)\*\u200b/g, '$1')
    .replace(/\u200b_([^_]*)_\u200b/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  const buttons = (post.blocks as any[]).filter((b) => b.type === 'actions').map((b) => b.elements.map((e: any) => ({ label: e.text.text, payload: e.value })));
  return { text, buttons };
}

/** Sends, waits for the first post to `channel`, then for the adapter to go idle; returns the new posts. */
async function turn(channel: string, send: () => Promise<{ status: number }>, min = 1) {
  const before = api.posts(channel).length;
  const res = await send();
  expect(res.status).toBe(200);
  await until(() => api.posts(channel).length >= before + min, 15_000, `a post to ${channel}`);
  await services.channels.idle();
  return api.posts(channel).slice(before);
}

describe('Slack Events API mounted on the app server', () => {
  it('answers the url_verification challenge', async () => {
    const res = await postEvent(eventsUrl, { type: 'url_verification', token: 'x', challenge: 'chal-123' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ challenge: 'chal-123' });
  });

  it('rejects a bad signature (401) and a stale timestamp, and does nothing', async () => {
    const before = api.posts().length;
    expect((await postEvent(eventsUrl, envelope(dm('你好')), {}, 'not-the-secret')).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 600;
    const body = JSON.stringify(envelope(dm('你好')));
    const { sign } = await import('./slack-harness.ts');
    const res = await fetch(eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...sign(body, SIGNING_SECRET, stale) }, body });
    expect(res.status).toBe(401);
    await services.channels.idle();
    expect(api.posts().length).toBe(before);
  });

  it('answers a DM with the citation, escaped mrkdwn and Block Kit buttons', async () => {
    const [post] = await turn('D0DM1', () => postEvent(eventsUrl, envelope(dm(SCRIPT_QUESTION))));
    expect(post.thread_ts).toBeUndefined();
    const reply = seenPost(post);
    expect(reply.text).toContain('80万元');
    expect(reply.text).toContain(`《${FIXTURE_DOCUMENT}》`);
    expect(reply.text).toContain(FIXTURE_QUOTE);
    expect(reply.buttons.flat().map((b) => b.label)).toContain('👍 有帮助');
    expect(post.text).toContain('80万元'); // notification fallback
  });

  it('answers an app_mention in the thread of the mentioning message', async () => {
    const ts = '1790000000.000200';
    const [post] = await turn('C0CHAN1', () => postEvent(eventsUrl, envelope(mention(SCRIPT_QUESTION, 'U0USER2', 'C0CHAN1', ts))));
    expect(post.thread_ts).toBe(ts);
    expect(seenPost(post).text).toContain('80万元');
  });

  it('ignores channel messages that do not mention the bot', async () => {
    const before = api.posts('C0CHAN1').length;
    const res = await postEvent(eventsUrl, envelope({ type: 'message', channel_type: 'channel', channel: 'C0CHAN1', user: 'U0USER2', text: '闲聊', ts: '1790000001.000100' }));
    expect(res.status).toBe(200);
    await services.channels.idle();
    expect(api.posts('C0CHAN1').length).toBe(before);
  });

  it('processes a retried event (x-slack-retry-num) once', async () => {
    const event = envelope(dm('/help', 'U0USER3', 'D0DM3'));
    await turn('D0DM3', () => postEvent(eventsUrl, event));
    const after = api.posts('D0DM3').length;
    for (const n of ['1', '2']) {
      const res = await postEvent(eventsUrl, event, { 'x-slack-retry-num': n, 'x-slack-retry-reason': 'http_timeout' });
      expect(res.status).toBe(200);
    }
    await services.channels.idle();
    expect(api.posts('D0DM3').length).toBe(after);
  });

  it('waits out a 429 (Retry-After) and retries a 503 from the Web API, posting the answer exactly once', async () => {
    const failures = [
      { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } },
      { status: 503, body: { ok: false, error: 'service_unavailable' } },
    ];
    api.intercept = (method, body) => (method === 'chat.postMessage' && body.channel === 'D0DM9' ? failures.shift() : undefined);
    try {
      const [post] = await turn('D0DM9', () => postEvent(eventsUrl, envelope(dm(SCRIPT_QUESTION, 'U0USER9', 'D0DM9'))));
      expect(seenPost(post).text).toContain('80万元');
    } finally {
      api.intercept = undefined;
    }
    const attempts = api.calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === 'D0DM9');
    expect(attempts.map((c) => c.status)).toEqual([429, 503, 200]);
    expect(api.posts('D0DM9')).toHaveLength(1);
  }, 60_000);

  it('turns a button press (block_actions, form-encoded) into the engine payload', async () => {
    const [menu] = await turn('D0DM4', () => postEvent(eventsUrl, envelope(dm('/menu', 'U0USER4', 'D0DM4'))));
    const qa = seenPost(menu).buttons.flat().find((b) => b.label === '政策问答');
    expect(qa).toBeDefined();
    const posts = await turn('D0DM4', () => postAction(eventsUrl, blockAction(qa!.payload, { user: 'U0USER4', channel: 'D0DM4', messageTs: '1790000002.000100' })));
    expect(posts.length).toBeGreaterThan(0);
    expect(seenPost(posts[0]).text.length).toBeGreaterThan(0);
    // A tampered payload gets a clear message, not silence.
    const [tampered] = await turn('D0DM4', () => postAction(eventsUrl, blockAction(qa!.payload.slice(0, -2) + 'xx', { user: 'U0USER4', channel: 'D0DM4' })));
    expect(seenPost(tampered).text).toMatch(/按钮|失效|过期|无效/);
  });

  it('runs the shared script (question, menu, button, /cancel) with the same content as the engine itself', async () => {
    const channel = 'D0DM5';
    const say = async (text: string) => (await turn(channel, () => postEvent(eventsUrl, envelope(dm(text, 'U0USER5', channel))))).map(seenPost);
    const press = async (b: { payload: string }) => (await turn(channel, () => postAction(eventsUrl, blockAction(b.payload, { user: 'U0USER5', channel })))).map(seenPost);
    const onSlack = await runScript({ say, press });
    expect(checkScript(onSlack)).toEqual([]);

    let n = 0;
    const direct = async (input: { text?: string; payload?: string }): Promise<SeenReply[]> => {
      const r = await services.engine.handle({ id: `ref:${n++}`, channel: 'api', user: { externalId: 'ref-user' }, chat: { id: 'ref-chat', kind: 'private' }, ...input, receivedAt: new Date() });
      return r.replies.map(seen);
    };
    const reference = await runScript({ say: (text) => direct({ text }), press: (b) => direct({ payload: b.payload }) });
    expect(canonical(onSlack)).toEqual(canonical(reference));
  });

  it('delivers a staff reply to the Slack thread the conversation lives in', async () => {
    const ts = '1790000003.000300';
    await turn('C0CHAN9', () => postEvent(eventsUrl, envelope(mention('转人工', 'U0USER9', 'C0CHAN9', ts))));
    const probe = await services.engine.handle({ id: 'slack-probe', channel: 'slack', user: { externalId: 'U0USER9' }, chat: { id: 'C0CHAN9', kind: 'group', threadId: ts }, text: '/status', receivedAt: new Date() });
    const [post] = await turn('C0CHAN9', async () => {
      const r = await services.senders.deliver({ conversationId: probe.conversationId }, [{ text: '您好，我是区经信局的工作人员 <王>，您的问题已收到。' }], { author: 'officer-1' });
      expect(r.status).toBe('sent');
      return { status: 200 };
    });
    expect(post.thread_ts).toBe(ts);
    expect(seenPost(post).text).toContain('工作人员 <王>');
    expect(post.blocks[0].text.text).toContain('&lt;王&gt;');
  });
});

describe('Slack Socket Mode', () => {
  it('retries a refused start in the background, then takes events over the socket and acks them', async () => {
    const ws = await startFakeSocketMode();
    const config = loadConfig({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: api.url });
    expect(config.slack.kind).toBe('socket');
    const channels = createChannels({ telegram: { kind: 'off' }, slack: config.slack, engine: services.engine, db: testDb.db, log: createLogger('silent'), retryBaseMs: 200 });
    expect(channels.routers).toHaveLength(0); // nothing mounted: events arrive over the socket
    try {
      // Slack refuses the app token: start() still resolves, the channel is marked failed, and the
      // app's own HTTP endpoints are unaffected.
      await channels.start();
      expect(channels.status()).toEqual({ slack: 'failed' });
      expect(api.calls.some((c) => c.method === 'apps.connections.open' && c.token === 'xapp-test')).toBe(true);
      expect((await postEvent(eventsUrl, { type: 'url_verification', token: 'x', challenge: 'still-here' })).text).toContain('still-here');

      // Slack comes back: the background retry connects.
      api.socketUrl = ws.url;
      await until(() => channels.status().slack === 'running' && ws.connected(), 15_000, 'the socket connection');
      ws.push({ envelope_id: 'env-1', type: 'events_api', accepts_response_payload: false, retry_attempt: 0, payload: envelope(dm(SCRIPT_QUESTION, 'U0SOCK', 'D0SOCK')) });
      await until(() => api.posts('D0SOCK').length >= 1, 15_000, 'the answer over the Web API');
      await channels.idle();
      expect(seenPost(api.posts('D0SOCK')[0]).text).toContain('80万元');
      expect(ws.received).toContainEqual(expect.objectContaining({ envelope_id: 'env-1' }));
    } finally {
      await channels.stop();
      api.socketUrl = undefined;
      await ws.stop();
    }
  });
});
