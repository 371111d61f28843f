/**
 * The channel adapters as one unit for the composition root: builds the Telegram and Slack adapters the
 * configuration asks for, exposes their HTTP routers (webhook, Events API) for the app's one server, their
 * ChannelSenders for proactive delivery, and starts and stops them. Each channel is its own error
 * boundary: one that fails to start is logged and the others (and the HTTP server) keep running.
 */
import type { Router } from 'express';
import type { Db } from '../../db/index.ts';
import type { ChannelId, ChannelSender, Engine } from '../types.ts';
import type { ChannelAdapter, ChannelLog } from './dispatch/index.ts';
import { createSlackChannel, type SlackChannel } from './slack/index.ts';
import { createTelegramChannel, type TelegramChannel, type TelegramChannelOptions } from './telegram/index.ts';

export { createTelegramChannel } from './telegram/index.ts';
export type { TelegramChannel, TelegramChannelOptions, TelegramMode } from './telegram/index.ts';
export { createSlackChannel } from './slack/index.ts';
export type { SlackChannel, SlackChannelOptions, SlackMode } from './slack/index.ts';
export { createDispatcher } from './dispatch/index.ts';
export type { ChannelAdapter, ChannelLog, Dispatcher } from './dispatch/index.ts';
export { renderChunks } from './markup/index.ts';

/** Same shapes as console/config.ts (which depends on bot/, not the other way round). */
export type TelegramSettings =
  | { kind: 'off' }
  | { kind: 'polling'; token: string; apiRoot?: string }
  | { kind: 'webhook'; token: string; apiRoot?: string; publicUrl: string };
export type SlackSettings =
  | { kind: 'off' }
  | { kind: 'http'; botToken: string; signingSecret: string; apiUrl?: string }
  | { kind: 'socket'; botToken: string; appToken: string; signingSecret?: string; apiUrl?: string };

export interface ChannelsDeps {
  telegram: TelegramSettings;
  slack: SlackSettings;
  engine: Engine;
  db: Db;
  log: ChannelLog;
  clock?: () => Date;
  /** Test hooks for the Telegram client (e.g. throttling the emulator's instant getUpdates). */
  telegramClient?: Pick<TelegramChannelOptions, 'transformers' | 'retry'>;
  /** First pause before retrying a channel that failed to start (default 30 s, doubling to 10 min). */
  retryBaseMs?: number;
  /** How long start() waits for a channel before leaving it connecting in the background (default 15 s). */
  startTimeoutMs?: number;
}

/** starting: still connecting after the start timeout (the transport keeps trying in the background). */
export type ChannelState = 'starting' | 'running' | 'failed' | 'stopped';

export interface Channels {
  telegram?: TelegramChannel;
  slack?: SlackChannel;
  /** Routers to mount on the HTTP server before its JSON body parser and 404 handler. */
  routers: Router[];
  senders: ChannelSender[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when every message received so far has been answered (tests, shutdown). */
  idle(): Promise<void>;
  /** Each configured channel's state; channels that are off are absent. */
  status(): Partial<Record<ChannelId, ChannelState>>;
}

export function createChannels(deps: ChannelsDeps): Channels {
  const { engine, db, log, clock } = deps;
  let telegram: TelegramChannel | undefined;
  let slack: SlackChannel | undefined;
  if (deps.telegram.kind !== 'off') {
    const t = deps.telegram;
    telegram = createTelegramChannel({
      token: t.token,
      apiRoot: t.apiRoot,
      mode: t.kind === 'webhook' ? { kind: 'webhook', publicUrl: t.publicUrl } : { kind: 'polling' },
      engine,
      db,
      log,
      clock,
      ...deps.telegramClient,
    });
  }
  if (deps.slack.kind !== 'off') {
    const s = deps.slack;
    slack = createSlackChannel({
      botToken: s.botToken,
      apiUrl: s.apiUrl,
      mode: s.kind === 'socket' ? { kind: 'socket', appToken: s.appToken } : { kind: 'http', signingSecret: s.signingSecret },
      engine,
      log,
      clock,
    });
  }
  const all: [ChannelId, ChannelAdapter | undefined][] = [
    ['telegram', telegram],
    ['slack', slack],
  ];
  const state: Partial<Record<ChannelId, ChannelState>> = {};
  const retryTimers = new Map<ChannelId, NodeJS.Timeout>();
  let stopping = false;

  // A channel that cannot start (Telegram unreachable, a revoked token) is retried in the background
  // with a growing pause, so a network blip at boot does not leave the bot deaf until someone restarts.
  // start() waits a bounded time: grammY itself keeps retrying getMe while the network is down, and the
  // app must not hang on it.
  async function startOne(id: ChannelId, channel: ChannelAdapter, attempt: number): Promise<void> {
    state[id] = 'starting';
    const attemptDone = channel.start().then(
      () => {
        if (stopping) return;
        state[id] = 'running';
        if (attempt > 0) log.info(`${id} channel started after ${attempt} retries`);
      },
      (err: unknown) => {
        state[id] = 'failed';
        if (stopping) return;
        const delayMs = Math.min((deps.retryBaseMs ?? 30_000) * 2 ** Math.min(attempt, 5), 600_000);
        log.error(`${id} channel failed to start; the other channels keep running; retrying in ${Math.round(delayMs / 1000)} s`, { err });
        const timer = setTimeout(() => {
          retryTimers.delete(id);
          if (!stopping) void startOne(id, channel, attempt + 1);
        }, delayMs);
        timer.unref();
        retryTimers.set(id, timer);
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deps.startTimeoutMs ?? 15_000);
      timer.unref();
    });
    await Promise.race([attemptDone, timeout]);
    clearTimeout(timer);
    if (state[id] === 'starting') log.warn(`${id} channel is still connecting; continuing in the background`);
  }

  return {
    telegram,
    slack,
    routers: all.flatMap(([, c]) => (c?.router ? [c.router] : [])),
    senders: all.flatMap(([, c]) => (c ? [c.sender] : [])),
    async start() {
      stopping = false;
      for (const [id, c] of all) if (c) await startOne(id, c, 0);
    },
    async stop() {
      stopping = true;
      for (const timer of retryTimers.values()) clearTimeout(timer);
      retryTimers.clear();
      for (const [id, c] of all) {
        if (!c || state[id] === undefined || state[id] === 'stopped') continue;
        await c.stop().catch((err) => log.warn(`${id} channel did not stop cleanly`, { err }));
        state[id] = 'stopped';
      }
    },
    async idle() {
      await Promise.all(all.map(([, c]) => c?.idle()));
    },
    status: () => ({ ...state }),
  };
}
