/**
 * Telegram end to end: the real app (services, engine, PGlite, HTTP server) with its Telegram adapter
 * polling telegram-test-api on 127.0.0.1 through a small proxy that can inject Bot API failures. Users
 * talk through the emulator's client; assertions read what the bot actually sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannels } from '../../bot/channels/index.ts';
import { webhookSecrets } from '../../bot/channels/telegram/index.ts';
import { loadConfig } from '../../console/config.ts';
import { createHttpApp, startHttpServer, type RunningServer } from '../../console/http/index.ts';
import { createLogger } from '../../console/log.ts';
import { createServices, type Services } from '../../console/services.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { canonical, checkScript, FIXTURE_QUOTE, fixtureAnswerer, runScript, seen, SCRIPT_QUESTION, type SeenReply } from '../helpers/script.ts';
import { BOT_TOKEN, freePort, startTelegramBench, telegramUser, throttleGetUpdates, until, type TelegramBench } from './telegram-harness.ts';

let bench: TelegramBench;
let testDb: TestDb;
let services: Services;
let server: RunningServer;
const errors: string[] = [];

/** The answerer the script expects, plus one question whose citation is full of HTML metacharacters. */
function answerer() {
  const base = fixtureAnswerer();
  return {
    async answer(question: string, context?: Parameters<typeof base.answer>[1]) {
      if (question.includes('特殊字符')) {
        const a = await base.answer('三级补助', context);
        return { ...a, text: '按 <规定> & **条款** 执行', citations: [{ document: 'A&B<办法>', section: '一 > 二', quote: '金额 < 100 & 比例 > 50%', kind: 'clause' as const }] };
      }
      return base.answer(question, context);
    },
  };
}

beforeAll(async () => {
  bench = await startTelegramBench();
  testDb = await openTestDb();
  const config = loadConfig({ LOG_LEVEL: 'silent', TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: bench.apiRoot, RATE_LIMIT_PER_MINUTE: '1000' });
  const log = createLogger('error', {}, (line) => errors.push(line));
  services = await createServices(config, {
    db: testDb.db,
    log,
    channels: { telegramClient: { transformers: [throttleGetUpdates()], retry: { baseDelayMs: 50 } } },
  });
  services.answerer = answerer();
  server = await startHttpServer(createHttpApp(services), 0, '127.0.0.1');
  await services.channels.start();
}, 300_000);

afterAll(async () => {
  await services?.channels.stop();
  await server?.close();
  await services?.close();
  await bench?.stop();
  await testDb?.close();
});

const idle = () => services.channels.idle();

describe('Telegram long polling against telegram-test-api', () => {
  it('answers a question with its citation, HTML-escaped, with feedback buttons', async () => {
    const user = telegramUser(bench, idle, 101);
    const [reply] = await user.say(SCRIPT_QUESTION);
    expect(reply.text).toContain('80万元');
    expect(reply.html).toContain(`<blockquote>${FIXTURE_QUOTE}</blockquote>`);
    expect(reply.buttons.flat().map((b) => b.label)).toContain('👍 有帮助');
    for (const b of reply.buttons.flat()) expect(Buffer.byteLength(b.payload)).toBeLessThanOrEqual(64);

    const [special] = await user.say('特殊字符怎么办');
    expect(special.html).toContain('按 &lt;规定&gt; &amp; <b>条款</b> 执行');
    expect(special.html).toContain('<b>《A&amp;B&lt;办法&gt;》 一 &gt; 二</b>：<blockquote>金额 &lt; 100 &amp; 比例 &gt; 50%</blockquote>');
    expect(special.text).toContain('《A&B<办法>》 一 > 二：金额 < 100 & 比例 > 50%');
  });

  it('runs the shared script (question, menu, button, /cancel) with the same content as the engine itself', async () => {
    const user = telegramUser(bench, idle, 102);
    const onTelegram = await runScript({
      say: async (text) => (await user.say(text)).map(({ text: t, buttons }) => ({ text: t, buttons })),
      press: async (button) => (await user.press(button)).map(({ text: t, buttons }) => ({ text: t, buttons })),
    });
    expect(checkScript(onTelegram)).toEqual([]);

    // The same script straight into the engine (no channel) is the reference.
    let n = 0;
    const direct = async (input: { text?: string; payload?: string }): Promise<SeenReply[]> => {
      const r = await services.engine.handle({ id: `ref:${n++}`, channel: 'api', user: { externalId: 'ref-user' }, chat: { id: 'ref-chat', kind: 'private' }, ...input, receivedAt: new Date() });
      return r.replies.map(seen);
    };
    const reference = await runScript({ say: (text) => direct({ text }), press: (b) => direct({ payload: b.payload }) });
    expect(canonical(onTelegram)).toEqual(canonical(reference));
  });

  it('answers stickers and photos with "text only", not silence', async () => {
    const user = telegramUser(bench, idle, 103);
    const [sticker] = await user.send({ text: undefined, sticker: { file_id: 'CAAD', file_unique_id: 'u1', width: 512, height: 512, is_animated: false, is_video: false, type: 'regular' } });
    expect(sticker.text).toContain('只支持文字');
    const [photo] = await user.send({ text: undefined, photo: [{ file_id: 'AgAD', file_unique_id: 'p1', width: 90, height: 90 }] });
    expect(photo.text).toContain('只支持文字');
  });

  it('splits a proactive message over 4,096 characters at paragraph boundaries, buttons on the last part', async () => {
    const user = telegramUser(bench, idle, 104);
    const [hello] = await user.say('/start');
    expect(hello.text.length).toBeGreaterThan(0);
    const paragraph = (i: number) => `**第${i}条** ` + '企业数字化改造项目按实际投入给予补助，<单个项目> & 最高不超过200万元。'.repeat(30);
    const long = Array.from({ length: 8 }, (_, i) => paragraph(i + 1)).join('\n\n');
    expect(long.length).toBeGreaterThan(9000);
    const conversationId = (await services.engine.handle({ id: 'tg-split-probe', channel: 'telegram', user: { externalId: '104' }, chat: { id: '104', kind: 'private' }, text: '/help', receivedAt: new Date() })).conversationId;
    const parts = await user.turn(async () => {
      const result = await services.senders.deliver({ conversationId }, [{ text: long, buttons: [[{ label: '返回菜单', payload: '/menu' }]] }], { author: 'officer-1' });
      expect(result.status).toBe('sent');
    });
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const p of parts) {
      expect(p.html.length).toBeLessThanOrEqual(4096);
      expect(p.html.startsWith('<b>第')).toBe(true); // split between paragraphs, not inside one
    }
    expect(parts.slice(0, -1).every((p) => p.buttons.length === 0)).toBe(true);
    expect(parts[parts.length - 1].buttons[0]?.[0]?.label).toBe('返回菜单');
    // Nothing lost or reordered: the parts, joined, are the message.
    expect(parts.map((p) => p.text).join('\n\n')).toBe(long.replace(/\*\*/g, ''));
    expect(parts[0].html).toContain('&lt;单个项目&gt; &amp;');
  });

  it('in a group, answers only when addressed (command, @mention, reply) and ignores the chatter', async () => {
    const group = bench.server.getClient(BOT_TOKEN, { chatId: -300, userId: 301, type: 'group', chatTitle: '金华试点群' });
    const sentTo = () => bench.botMessages(-300).length;
    await group.sendMessage(group.makeMessage('大家好，今天开会吗？'));
    await until(() => bench.server.storage.userMessages.every((u) => u.isRead), 10_000, 'the poller to read the chatter');
    await idle();
    expect(sentTo()).toBe(0);
    const me = (await (await fetch(`${bench.apiRoot}/bot${BOT_TOKEN}/getMe`)).json()) as { result: { username: string } };
    await group.sendMessage(group.makeMessage(`@${me.result.username} ${SCRIPT_QUESTION}`));
    await until(() => sentTo() >= 1, 10_000, 'the answer to the mention');
    await idle();
    expect(bench.botMessages(-300)[0].text).toContain('80万元');
  });

  it('processes a duplicated update once', async () => {
    const user = telegramUser(bench, idle, 105);
    await user.say('第一次提问：三级补助多少');
    const original = bench.server.storage.userMessages.filter((u) => 'message' in u && (u.message as { chat: { id: number } }).chat.id === 105).pop()!;
    const answersBefore = bench.botMessages(105).length;
    // Telegram re-sends an update whose delivery it thinks failed: same update_id, same content.
    bench.server.storage.userMessages.push({ ...original, isRead: false });
    const [next] = await user.say('/help');
    expect(next.text).not.toContain('80万元');
    expect(bench.botMessages(105).length).toBe(answersBefore + 1);
  });

  it('waits out a 429 for exactly retry_after and still delivers the answer', async () => {
    const user = telegramUser(bench, idle, 106);
    let limited = false;
    bench.intercept = (method, body) => {
      if (method !== 'sendMessage' || limited || String(body.chat_id) !== '106') return undefined;
      limited = true;
      return { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } } };
    };
    try {
      const [reply] = await user.say(SCRIPT_QUESTION);
      expect(reply.text).toContain('80万元');
    } finally {
      bench.intercept = undefined;
    }
    const sends = bench.calls.filter((c) => c.method === 'sendMessage');
    const i = sends.findIndex((c) => c.status === 429);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(sends[i + 1].status).toBe(200);
    expect(sends[i + 1].at - sends[i].at).toBeGreaterThanOrEqual(950);
  });

  it('retries a 5xx from the Bot API with growing backoff and delivers the answer exactly once', async () => {
    const user = telegramUser(bench, idle, 108);
    const before = bench.calls.length;
    let failures = 0;
    bench.intercept = (method, body) => {
      if (method !== 'sendMessage' || failures >= 2 || String(body.chat_id) !== '108') return undefined;
      failures++;
      return { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } };
    };
    try {
      const [reply] = await user.say(SCRIPT_QUESTION);
      expect(reply.text).toContain('80万元');
    } finally {
      bench.intercept = undefined;
    }
    await idle();
    const sends = bench.calls.slice(before).filter((c) => c.method === 'sendMessage');
    expect(sends.map((c) => c.status)).toEqual([502, 502, 200]);
    // Backoff (base 50 ms here) doubles: at least 50 ms, then at least 100 ms.
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(45);
    expect(sends[2]!.at - sends[1]!.at).toBeGreaterThanOrEqual(95);
    // Nothing duplicated: the answer reached the chat once.
    expect(bench.botMessages(108).filter((m) => m.text.includes('80万元'))).toHaveLength(1);
  });

  it('keeps polling after an update that crashes the adapter and a reply Telegram refuses', async () => {
    const user = telegramUser(bench, idle, 107);
    errors.length = 0;
    // A malformed update (a message without a chat) throws inside the adapter's conversion.
    bench.server.storage.userMessages.push({ time: Date.now(), botToken: BOT_TOKEN, updateId: 900_001, messageId: 900_001, isRead: false, message: { from: { id: 107, is_bot: false, first_name: 'x' }, text: 'boom', date: 0, botToken: BOT_TOKEN } as never });
    // And Telegram refusing the next reply outright (not retryable).
    let refused = false;
    bench.intercept = (method, body) => {
      if (method !== 'sendMessage' || refused || String(body.chat_id) !== '107') return undefined;
      refused = true;
      return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message is too long' } };
    };
    const client = user.client;
    await client.sendMessage(client.makeMessage('这条的回复会被拒绝'));
    await until(() => refused, 10_000, 'the refused sendMessage');
    await idle();
    bench.intercept = undefined;
    const [after] = await user.say(SCRIPT_QUESTION);
    expect(after.text).toContain('80万元');
    expect(errors.some((l) => l.includes('telegram update failed'))).toBe(true);
    expect(errors.some((l) => l.includes('delivering replies failed'))).toBe(true);
  });
});

describe('Telegram unreachable at start', () => {
  it('does not hold up start-up, keeps connecting in the background, and stops cleanly', async () => {
    const deadPort = await freePort(); // nothing listens there
    const channels = createChannels({
      telegram: { kind: 'polling', token: BOT_TOKEN, apiRoot: `http://127.0.0.1:${deadPort}` },
      slack: { kind: 'off' },
      engine: services.engine,
      db: testDb.db,
      log: createLogger('silent'),
      startTimeoutMs: 300,
      telegramClient: { retry: { baseDelayMs: 10 } },
    });
    const t0 = Date.now();
    await channels.start();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(channels.status()).toEqual({ telegram: 'starting' });
    const t1 = Date.now();
    await channels.stop();
    expect(Date.now() - t1).toBeLessThan(5_000);
    expect(channels.status()).toEqual({ telegram: 'stopped' });
  });
});

describe('Telegram webhook mode on the app server', () => {
  let hookServices: Services;
  let hookServer: RunningServer;
  let base: string;
  const secrets = webhookSecrets(BOT_TOKEN);

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = loadConfig({ LOG_LEVEL: 'silent', TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: bench.apiRoot, PUBLIC_URL: base });
    hookServices = await createServices(config, { db: testDb.db, log: createLogger('silent') });
    hookServices.answerer = answerer();
    hookServer = await startHttpServer(createHttpApp(hookServices), port, '127.0.0.1');
    await hookServices.channels.start();
  }, 300_000);
  afterAll(async () => {
    await hookServices?.channels.stop();
    await hookServer?.close();
    await hookServices?.close();
  });

  const update = (id: number, text: string) => ({
    update_id: id,
    message: { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: 201, type: 'private', first_name: '网钩' }, from: { id: 201, is_bot: false, first_name: '网钩' }, text },
  });
  const post = (body: unknown, secret?: string) =>
    fetch(base + secrets.path, { method: 'POST', headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) }, body: JSON.stringify(body) });

  it('registers the webhook with a secret token at start', () => {
    const webhooks = (bench.server as unknown as { webhooks: Record<string, { url: string; secret_token?: string }> }).webhooks;
    expect(webhooks[BOT_TOKEN]).toMatchObject({ url: base + secrets.path, secret_token: secrets.secretToken });
    expect(secrets.path).not.toContain(BOT_TOKEN);
  });

  it('rejects a request without the right secret token', async () => {
    expect((await post(update(5001, '你好'))).status).toBe(401);
    expect((await post(update(5001, '你好'), 'wrong')).status).toBe(401);
    await hookServices.channels.idle();
    expect(bench.botMessages(201)).toHaveLength(0);
  });

  it('answers a verified update, once even when Telegram re-delivers it', async () => {
    const res = await post(update(5002, SCRIPT_QUESTION), secrets.secretToken);
    expect(res.status).toBe(200);
    await until(() => bench.botMessages(201).length >= 1);
    await hookServices.channels.idle();
    expect((await post(update(5002, SCRIPT_QUESTION), secrets.secretToken)).status).toBe(200);
    await hookServices.channels.idle();
    const sent = bench.botMessages(201);
    expect(sent).toHaveLength(1);
    expect(sent[0].text).toContain('80万元');
  });
});
