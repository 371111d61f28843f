/**
 * The Telegram channel on grammY. Long polling by default; with a public URL, a webhook mounted on the
 * app's own HTTP server at a path derived from the token and checked with a secret token on every
 * request. Updates become IncomingMessages at the edge (convert.ts), go through the shared dispatcher
 * (per-chat order, error boundary), and replies go out as HTML chunks within Telegram's limits, retried on
 * 429/5xx. The same sender delivers proactive messages (handoff replies, status notifications).
 */
import crypto from 'node:crypto';
import express, { type Router } from 'express';
import { Bot, GrammyError, type Transformer } from 'grammy';
import type { Update } from 'grammy/types';
import { channelPayloadRepo, type Db } from '../../../db/index.ts';
import type { ChannelSender, Engine, OutgoingMessage } from '../../types.ts';
import { createDispatcher, type ChannelAdapter, type ChannelLog } from '../dispatch/index.ts';
import { renderChunks } from '../markup/index.ts';
import { createPayloadCodec, htmlToPlain, inlineKeyboard, telegramStyle, toIncoming } from './convert.ts';
import { retryTransformer, type RetryOptions } from './retry.ts';

export { retryTransformer } from './retry.ts';
export type { RetryOptions } from './retry.ts';
export { telegramStyle, htmlToPlain, TELEGRAM_TEXT_LIMIT, CALLBACK_DATA_LIMIT } from './convert.ts';

export type TelegramMode = { kind: 'polling' } | { kind: 'webhook'; publicUrl: string };

export interface TelegramChannelOptions {
  token: string;
  /** A self-hosted Bot API server (TELEGRAM_API_ROOT); Telegram's own by default. */
  apiRoot?: string;
  mode: TelegramMode;
  engine: Engine;
  db: Db;
  log: ChannelLog;
  clock?: () => Date;
  /** Extra Bot API transformers, installed after the retry one (tests throttle getUpdates with one). */
  transformers?: Transformer[];
  retry?: RetryOptions;
}

export interface TelegramChannel extends ChannelAdapter {
  /** Webhook mode only: where the router listens. */
  webhookPath?: string;
}

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
const PRUNE_AFTER_DAYS = 30;

/** Stable across restarts and processes, and reveals nothing about the token. */
export function webhookSecrets(token: string) {
  const digest = (label: string) => crypto.createHmac('sha256', token).update(label).digest('base64url');
  return { path: `/telegram/${digest('path').slice(0, 24)}`, secretToken: digest('secret-token') };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export function createTelegramChannel(options: TelegramChannelOptions): TelegramChannel {
  const { engine, log } = options;
  const clock = options.clock ?? (() => new Date());
  const bot = new Bot(options.token, { client: { apiRoot: options.apiRoot?.replace(/\/+$/, '') } });
  bot.api.config.use(
    retryTransformer({
      ...options.retry,
      onRetry: (info) => {
        log.warn('telegram call retried', info);
        options.retry?.onRetry?.(info);
      },
    }),
  );
  for (const t of options.transformers ?? []) bot.api.config.use(t);

  const repo = channelPayloadRepo(options.db);
  const codec = createPayloadCodec(repo);
  const dispatcher = createDispatcher(engine, log);

  async function sendOne(chatId: string, message: OutgoingMessage, threadId?: string): Promise<void> {
    const chunks = renderChunks(message, telegramStyle);
    const keyboard = await inlineKeyboard(message.buttons, codec);
    for (let i = 0; i < chunks.length; i++) {
      const extra = {
        parse_mode: 'HTML' as const,
        link_preview_options: { is_disabled: true },
        message_thread_id: threadId ? Number(threadId) : undefined,
        reply_markup: i === chunks.length - 1 ? keyboard : undefined,
      };
      try {
        await bot.api.sendMessage(chatId, chunks[i], extra);
      } catch (err) {
        // Our escaping should make this impossible; if Telegram still rejects the markup, plain text
        // beats losing the answer.
        if (err instanceof GrammyError && err.error_code === 400 && /parse entities/i.test(err.description)) {
          log.warn('telegram rejected HTML, resending as plain text', { chatId, description: err.description });
          await bot.api.sendMessage(chatId, htmlToPlain(chunks[i]), { ...extra, parse_mode: undefined });
        } else throw err;
      }
    }
  }

  const sender: ChannelSender = {
    channel: 'telegram',
    async send(chatId, messages, sendOptions) {
      for (const m of messages) await sendOne(chatId, m, sendOptions?.threadId);
    },
  };

  // The whole adapter is one middleware: convert at the edge, queue per chat, answer. It is tracked from
  // its first line so idle() also covers an update that is still being converted.
  bot.use((ctx) =>
    dispatcher.track(
      (async () => {
        const q = ctx.callbackQuery;
        const payload = q?.data !== undefined ? await codec.decode(q.data) : undefined;
        const me = bot.isInited() ? bot.botInfo : undefined;
        const incoming = toIncoming(ctx.update, { botUsername: me?.username, botId: me?.id, now: clock(), payload });
        if (q) await ctx.answerCallbackQuery().catch((err) => log.debug('answerCallbackQuery failed', { err }));
        if (!incoming) return;
        void dispatcher.dispatch(incoming, (replies) => sender.send(incoming.chat.id, replies, { threadId: incoming.chat.threadId }));
      })(),
    ),
  );
  // Per-update boundary: grammY calls this instead of stopping the poller.
  bot.catch((err) => log.error('telegram update failed', { updateId: err.ctx?.update?.update_id, err: err.error }));

  async function handleUpdate(update: Update): Promise<void> {
    try {
      await bot.handleUpdate(update);
    } catch (err) {
      log.error('telegram update failed', { updateId: update.update_id, err });
    }
  }

  let router: Router | undefined;
  let webhookPath: string | undefined;
  let secretToken = '';
  if (options.mode.kind === 'webhook') {
    const secrets = webhookSecrets(options.token);
    webhookPath = secrets.path;
    secretToken = secrets.secretToken;
    router = express.Router();
    router.post(webhookPath, express.json({ limit: '1mb' }), (req, res) => {
      const given = req.get('x-telegram-bot-api-secret-token') ?? '';
      if (!safeEqual(given, secretToken)) {
        res.status(401).json({ ok: false, error: 'bad secret token' });
        return;
      }
      const update = req.body as Update;
      if (!update || typeof update.update_id !== 'number') {
        res.status(400).json({ ok: false, error: 'not a Telegram update' });
        return;
      }
      // Acknowledge first: Telegram re-sends an update whose webhook call is slow, and answers can take
      // longer than its patience. Re-deliveries are dropped by the engine's dedupe on update_id.
      res.json({ ok: true });
      if (!bot.isInited()) {
        log.warn('telegram webhook called before start; update dropped', { updateId: update.update_id });
        return;
      }
      void handleUpdate(update);
    });
  }

  let pruneTimer: NodeJS.Timeout | undefined;
  // grammY retries getMe forever while the network is down; stop() must be able to end that.
  let initAbort: AbortController | undefined;
  let polling: Promise<void> | undefined;

  return {
    sender,
    router,
    webhookPath,
    async start() {
      initAbort = new AbortController();
      await bot.init(initAbort.signal as never);
      pruneTimer ??= setInterval(() => {
        repo.prune(new Date(clock().getTime() - PRUNE_AFTER_DAYS * 86_400_000)).catch((err) => log.warn('pruning button payloads failed', { err }));
      }, 6 * 3_600_000);
      pruneTimer.unref();
      if (options.mode.kind === 'webhook') {
        const url = options.mode.publicUrl.replace(/\/+$/, '') + webhookPath;
        await bot.api.setWebhook(url, { secret_token: secretToken, allowed_updates: [...ALLOWED_UPDATES] });
        log.info('telegram webhook set', { bot: bot.botInfo.username, path: webhookPath });
        return;
      }
      await new Promise<void>((resolve, reject) => {
        polling = bot.start({
          allowed_updates: [...ALLOWED_UPDATES],
          onStart: () => {
            log.info('telegram polling', { bot: bot.botInfo.username });
            resolve();
          },
        });
        polling.catch((err) => {
          log.error('telegram polling stopped', { err });
          reject(err);
        });
      });
    },
    async stop() {
      initAbort?.abort();
      if (pruneTimer) clearInterval(pruneTimer);
      pruneTimer = undefined;
      if (bot.isRunning()) await bot.stop();
      await polling?.catch(() => {});
      await this.idle();
    },
    idle: () => dispatcher.drain(),
  };
}
