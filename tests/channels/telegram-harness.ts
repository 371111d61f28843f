/**
 * A Telegram test bench: telegram-test-api on 127.0.0.1 (a random free port), behind a tiny local proxy
 * that lets a test answer one Bot API call itself (a 429 with retry_after, a 400) before forwarding the
 * rest. The bot's apiRoot points at the proxy. Helpers send user messages through the emulator's client
 * and collect what the bot sent to a chat.
 */
import http from 'node:http';
import net from 'node:net';
import { createRequire } from 'node:module';
import type { TelegramServer as TelegramServerClass } from 'telegram-test-api/lib/telegramServer.js';
import type { Transformer } from 'grammy';
import { htmlToPlain } from '../../bot/channels/telegram/index.ts';

// The package is CommonJS with `module.exports = TelegramServer`; require keeps its types honest.
const TelegramServer: typeof TelegramServerClass = createRequire(import.meta.url)('telegram-test-api');

export const BOT_TOKEN = '123456:TEST-token_for-shugai';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Returns a response for the call, or undefined to forward it to the emulator. */
export type Intercept = (method: string, body: Record<string, unknown>) => { status: number; body: unknown } | undefined;

export interface BotMessage {
  text: string;
  chat_id: string;
  parse_mode?: string;
  reply_markup?: { inline_keyboard?: { text: string; callback_data: string }[][] };
  message_thread_id?: number;
}

export interface TelegramBench {
  server: TelegramServerClass;
  /** What the bot should use as apiRoot. */
  apiRoot: string;
  /** Every Bot API method the bot called, in order (through the proxy). */
  calls: { method: string; at: number; status: number }[];
  intercept: Intercept | undefined;
  botMessages(chatId: number): BotMessage[];
  stop(): Promise<void>;
}

export async function startTelegramBench(): Promise<TelegramBench> {
  const port = await freePort();
  const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
  await server.start();
  const upstream = server.config.apiURL;
  const bench: TelegramBench = {
    server,
    apiRoot: '',
    calls: [],
    intercept: undefined,
    botMessages: (chatId) =>
      server.storage.botMessages
        .filter((u) => u.botToken === BOT_TOKEN && String(u.message.chat_id) === String(chatId))
        .map((u) => u.message as unknown as BotMessage),
    async stop() {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
      await server.stop();
    },
  };
  const proxy = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const method = (req.url ?? '').split('/').pop() ?? '';
    let body: Record<string, unknown> = {};
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      /* grammY sends JSON; multipart uploads are not used here */
    }
    const canned = bench.intercept?.(method, body);
    if (canned) {
      bench.calls.push({ method, at: Date.now(), status: canned.status });
      res.writeHead(canned.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(canned.body));
      return;
    }
    const forwarded = await fetch(upstream + req.url, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'application/json' }, body: raw.length ? raw : undefined });
    const text = await forwarded.text();
    bench.calls.push({ method, at: Date.now(), status: forwarded.status });
    res.writeHead(forwarded.status, { 'content-type': 'application/json' });
    res.end(text);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  bench.apiRoot = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  return bench;
}

/** The emulator's getUpdates answers at once; without a pause the poller would spin a core. */
export function throttleGetUpdates(ms = 40): Transformer {
  return async (prev, method, payload, signal) => {
    if (method === 'getUpdates') await new Promise((r) => setTimeout(r, ms));
    return prev(method, payload, signal);
  };
}

export async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A seen reply: the message's text without markup, and its inline buttons. */
export interface TelegramSeen {
  text: string;
  html: string;
  buttons: { label: string; payload: string }[][];
}

export function seenOf(m: BotMessage): TelegramSeen {
  return {
    text: htmlToPlain(m.text),
    html: m.text,
    buttons: (m.reply_markup?.inline_keyboard ?? []).map((row) => row.map((b) => ({ label: b.text, payload: b.callback_data }))),
  };
}

/**
 * A user in one private chat. Each call sends through the emulator's client and returns every message
 * the bot sent in answer: it waits for the first one, then for the adapter to go idle.
 */
export function telegramUser(bench: TelegramBench, idle: () => Promise<void>, id: number) {
  const client = bench.server.getClient(BOT_TOKEN, { chatId: id, userId: id, firstName: `用户${id}` });
  const turn = async (send: () => Promise<unknown>, min = 1): Promise<TelegramSeen[]> => {
    const before = bench.botMessages(id).length;
    await send();
    await until(() => bench.botMessages(id).length >= before + min, 15_000, `bot reply in chat ${id}`);
    await idle();
    return bench.botMessages(id).slice(before).map(seenOf);
  };
  return {
    client,
    turn,
    say: (text: string) =>
      turn(() => (text.startsWith('/') ? client.sendCommand(client.makeCommand(text)) : client.sendMessage(client.makeMessage(text)))),
    press: (button: { payload: string }) => turn(() => client.sendCallback(client.makeCallbackQuery(button.payload))),
    /** Any message shape (sticker, photo …) — the emulator stores what it is given. */
    send: (message: Record<string, unknown>) => turn(() => client.sendMessage({ ...client.makeMessage(''), ...message } as never)),
  };
}
