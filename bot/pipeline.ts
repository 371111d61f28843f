/**
 * The grammY-style middleware pipeline: each stage gets the turn and a `next` that runs the rest, so a
 * stage can stop a message (rate limit, duplicate) or wrap the rest (error boundary, persistence).
 * A Turn is everything the engine knows about one incoming message while it is handled.
 */
import type { ConversationRow } from '../db/index.ts';
import type { ChatUser, IncomingMessage, OutgoingMessage } from './types.ts';

export interface EngineLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: EngineLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A flow state change to persist: undefined leaves the stored state alone, null ends the flow. */
export type FlowChange = { id: string; version: number; state: unknown } | null | undefined;

export interface Turn {
  readonly message: IncomingMessage;
  readonly now: Date;
  readonly onDelta?: (text: string) => void;
  /** Set by the identify stage. */
  user: ChatUser;
  /** Set by the conversation stage. */
  conversation: ConversationRow;
  replies: OutgoingMessage[];
  flowChange: FlowChange;
  duplicate: boolean;
  rateLimited: boolean;
  /** The verified body of a pressed button ('/menu x' or 'flowId:data'), once the router checked it. */
  payloadBody?: string;
  /** Free-form scratch space for custom middleware. */
  bag: Record<string, unknown>;
}

export type Middleware = (turn: Turn, next: () => Promise<void>) => Promise<void>;

export function compose(stages: Middleware[]): (turn: Turn) => Promise<void> {
  return (turn) => {
    let last = -1;
    const dispatch = async (i: number): Promise<void> => {
      if (i <= last) throw new Error('next() called more than once');
      last = i;
      const stage = stages[i];
      if (stage) await stage(turn, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}

/** Serialises work per key inside one process (messages of one conversation arriving in a burst). */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
