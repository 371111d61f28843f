/**
 * What every channel adapter does after turning a transport update into an IncomingMessage: hand it to
 * the engine and deliver the replies, inside an error boundary. Messages of one chat run in order (a
 * button press must not overtake the question before it); different chats run concurrently, so one slow
 * answer never holds up everyone else. A failure is logged and the user gets a short apology instead of
 * silence; it never reaches the transport's poller or HTTP server.
 */
import { AppError } from '../../../db/index.ts';
import type { Router } from 'express';
import type { ChannelSender, Engine, IncomingMessage, OutgoingMessage } from '../../types.ts';

/** The logger shape adapters need; console/log.ts satisfies it. */
export interface ChannelLog {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export type Deliver = (replies: OutgoingMessage[]) => Promise<void>;

/** What every adapter gives the composition root. */
export interface ChannelAdapter {
  sender: ChannelSender;
  /** Mounted on the app's HTTP server when the channel receives over HTTP; carries its own full path. */
  router?: Router;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when every update received so far has been handled. */
  idle(): Promise<void>;
}

export interface Dispatcher {
  /** Queues the message behind earlier ones of the same chat; resolves when it has been handled. */
  dispatch(message: IncomingMessage, deliver: Deliver): Promise<void>;
  /** Counts other work (e.g. an update still being converted) as in flight until it settles. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Resolves when everything queued or tracked so far has finished (used on shutdown and in tests). */
  drain(): Promise<void>;
}

export function createDispatcher(engine: Engine, log: ChannelLog): Dispatcher {
  const tails = new Map<string, Promise<void>>();
  const tracked = new Set<Promise<unknown>>();

  async function handle(message: IncomingMessage, deliver: Deliver): Promise<void> {
    let replies: OutgoingMessage[];
    try {
      const result = await engine.handle(message);
      if (result.duplicate) {
        log.debug('duplicate delivery dropped', { channel: message.channel, id: message.id });
        return;
      }
      replies = result.replies;
    } catch (err) {
      const e = AppError.wrap(err);
      log.error('engine failed on a message', { channel: message.channel, id: message.id, code: e.code, err: e });
      replies = [{ text: e.userMessage, meta: { kind: 'error' } }];
    }
    if (replies.length === 0) return;
    try {
      await deliver(replies);
    } catch (err) {
      log.error('delivering replies failed', { channel: message.channel, id: message.id, err: AppError.wrap(err, 'upstream') });
    }
  }

  return {
    dispatch(message, deliver) {
      const key = `${message.channel}:${message.chat.id}:${message.chat.threadId ?? ''}`;
      const run = (tails.get(key) ?? Promise.resolve()).then(() => handle(message, deliver));
      tails.set(key, run);
      void run.finally(() => {
        if (tails.get(key) === run) tails.delete(key);
      });
      return run;
    },
    track(work) {
      tracked.add(work);
      void work.then(
        () => tracked.delete(work),
        () => tracked.delete(work),
      );
      return work;
    },
    async drain() {
      while (tails.size > 0 || tracked.size > 0) await Promise.allSettled([...tails.values(), ...tracked]);
    },
  };
}
