/**
 * The dialogue engine: one pipeline for every channel. identify the user → drop duplicate deliveries →
 * load the conversation → guards (message kind, rate limit, length) → error boundary → commit (persist
 * flow state and transcript, sign buttons) → custom middleware → route (commands, flows, Q&A).
 * Everything lives in the database, so several processes can share one PostgreSQL; within a process,
 * messages of one conversation are handled one at a time.
 */
import crypto from 'node:crypto';
import { AppError, ChatRepo, HandoffRepo, TranscriptRepo, type Db, type NewMessage } from '../db/index.ts';
import type { Answerer } from '../knowledge/index.ts';
import { FlowRegistry, type AnyFlow } from './flows.ts';
import { HandoffService } from './handoff.ts';
import type { EngineKit, EngineSettings } from './kit.ts';
import { PayloadSigner, signReplies } from './payloads.ts';
import { compose, KeyedLock, silentLogger, type EngineLogger, type Middleware, type Turn } from './pipeline.ts';
import { feedbackFlow } from './qa.ts';
import { route } from './router.ts';
import { storableMessage } from './storable.ts';
import { SenderRegistry, type DeliveryResult, type DeliveryTarget } from './senders.ts';
import { texts } from './texts.ts';
import type { ChannelSender, ChatUser, CommandHandler, Engine, EngineResult, IncomingMessage, OutgoingMessage } from './types.ts';

const BUILTIN_COMMANDS = new Set(['start', 'help', 'menu', 'cancel', 'lang', 'handoff', 'fb']);
const SECRET_SETTING = 'engine.button_secret';

export interface EngineOptions {
  db: Db;
  answerer: Answerer;
  /** The flows users can enter (eligibility, intake, progress …), in menu order. */
  flows?: AnyFlow[];
  /** Pluggable commands (/bind, /status …). */
  commands?: CommandHandler[];
  /** Extra stages, run after the guards and before routing (the turn has its user and conversation). */
  middleware?: Middleware[];
  limits: { ratePerMinute: number; maxMessageChars: number };
  /**
   * Counts messages per user and minute. Default: the database's shared counters, so several processes
   * on one PostgreSQL enforce one limit. Embedded PGlite is single-process by construction, so the
   * composition root gives it an in-memory counter (createMemoryRateCounter) and saves a write per message.
   */
  rateCounter?: RateCounter;
  /** Signs button payloads; when absent a secret is generated once and kept in app_settings. */
  secret?: string;
  /** How long a button stays valid (default 14 days). */
  buttonTtlMs?: number;
  abstentionsBeforeHandoff?: number;
  historyTurns?: number;
  clock?: () => Date;
  log?: EngineLogger;
}

/** Per-user message counts in fixed one-minute windows (the rate-limit guard). */
export interface RateCounter {
  /** Counts one hit for `key` in the window starting at `windowStart`; returns the count so far. */
  hit(key: string, windowStart: Date): Promise<number>;
}

/** Counters in this process's memory: right whenever one process owns the database (embedded PGlite). */
export function createMemoryRateCounter(): RateCounter {
  let window = 0;
  let counts = new Map<string, number>();
  return {
    async hit(key, windowStart) {
      const w = windowStart.getTime();
      // Fixed windows share their boundaries, so a new window drops every old count at once.
      if (w > window) {
        window = w;
        counts = new Map();
      }
      if (w < window) return 1;
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      return n;
    },
  };
}

export interface BotEngine extends Engine {
  readonly senders: SenderRegistry;
  readonly handoffs: HandoffService;
  readonly flows: FlowRegistry;
  readonly chat: ChatRepo;
  readonly transcripts: TranscriptRepo;
  registerSender(sender: ChannelSender): () => void;
  deliver(target: DeliveryTarget, messages: OutgoingMessage[], options?: { author?: string }): Promise<DeliveryResult>;
}

function toChatUser(u: { id: string; role: ChatUser['role']; displayName: string | null; lang: ChatUser['lang'] }): ChatUser {
  return { id: u.id, role: u.role, lang: u.lang, ...(u.displayName ? { displayName: u.displayName } : {}) };
}

function describeInbound(m: IncomingMessage): string {
  if (m.text) return m.text;
  if (m.attachments?.length) return m.attachments.map((a) => `[${a.kind}${a.name ? ' ' + a.name : ''}]`).join(' ');
  return '';
}

export async function createEngine(options: EngineOptions): Promise<BotEngine> {
  const log = options.log ?? silentLogger;
  const clock = options.clock ?? (() => new Date());
  const chat = new ChatRepo(options.db);
  const transcripts = new TranscriptRepo(options.db);
  const handoffRepo = new HandoffRepo(options.db);
  const secret = options.secret
    ? crypto.createHmac('sha256', options.secret).update('shugai button payloads').digest('base64url')
    : await chat.secret(SECRET_SETTING);
  const signer = new PayloadSigner(secret, chat, options.buttonTtlMs ?? 14 * 24 * 3600 * 1000);
  const settings: EngineSettings = {
    ratePerMinute: options.limits.ratePerMinute,
    maxMessageChars: options.limits.maxMessageChars,
    abstentionsBeforeHandoff: options.abstentionsBeforeHandoff ?? 2,
    historyTurns: options.historyTurns ?? 3,
  };
  const commands = new Map<string, CommandHandler>();
  for (const c of options.commands ?? [])
    for (const name of [c.name, ...(c.aliases ?? [])]) {
      if (BUILTIN_COMMANDS.has(name) || commands.has(name)) throw new AppError('config', `command /${name} is registered twice`);
      commands.set(name, c);
    }
  const flows = new FlowRegistry(options.flows ?? []);
  const kit: EngineKit = { chat, transcripts, handoffs: handoffRepo, flows, commands, answerer: options.answerer, signer, settings, log };
  flows.add(feedbackFlow(kit));
  const senders = new SenderRegistry({ chat, transcripts, signer, clock, log });
  const rateCounter: RateCounter = options.rateCounter ?? chat;

  const loadConversation = async (turn: Turn) => {
    const m = turn.message;
    turn.conversation = await chat.conversation({ userId: turn.user.id, channel: m.channel, chatId: m.chat.id, threadId: m.chat.threadId });
  };

  // Redeliveries come within minutes (Telegram, Slack retries); a week of ids is plenty, pruned hourly.
  let prunedAt = 0;
  /**
   * Identify the user, load the conversation, drop duplicate deliveries. A returning user in a known
   * conversation — nearly every message — costs one statement; first contact takes the step-by-step path.
   */
  const arrive: Middleware = async (turn, next) => {
    if (turn.now.getTime() - prunedAt > 3600_000) {
      prunedAt = turn.now.getTime();
      await chat.pruneUpdates(new Date(prunedAt - 7 * 24 * 3600_000));
    }
    const m = turn.message;
    const known = await chat.arrive({
      channel: m.channel,
      externalId: m.user.externalId,
      displayName: m.user.displayName,
      chatId: m.chat.id,
      threadId: m.chat.threadId,
      messageId: m.id,
      at: turn.now,
    });
    let claimed: boolean;
    if (known?.conversation) {
      turn.user = toChatUser(known.user);
      turn.conversation = known.conversation;
      claimed = known.claimed;
    } else {
      turn.user = toChatUser(known?.user ?? (await chat.identify(m.channel, m.user.externalId, m.user.displayName)));
      await loadConversation(turn);
      claimed = await chat.claimUpdate(m.channel, m.id, turn.now, turn.conversation.id);
    }
    if (claimed) return next();
    turn.duplicate = true;
    log.info('duplicate delivery dropped', { channel: m.channel, id: m.id });
  };

  const guard: Middleware = async (turn, next) => {
    const m = turn.message;
    const t = texts(turn.user.lang);
    const windowStart = new Date(Math.floor(turn.now.getTime() / 60_000) * 60_000);
    const count = await rateCounter.hit(`user:${turn.user.id}`, windowStart);
    if (count > settings.ratePerMinute) {
      turn.rateLimited = true;
      turn.replies.push({ text: t.rateLimited(settings.ratePerMinute), meta: { kind: 'notice' } });
      if (count === settings.ratePerMinute + 1) log.warn('rate limit hit', { user: turn.user.id, channel: m.channel });
      return;
    }
    if (m.payload === undefined) {
      const text = m.text?.trim() ?? '';
      if (!text) {
        turn.replies.push({ text: m.attachments?.length ? t.textOnly : t.empty, meta: { kind: 'notice' } });
        return;
      }
      const length = [...m.text!].length;
      if (length > settings.maxMessageChars) {
        turn.replies.push({ text: t.tooLong(settings.maxMessageChars, length), meta: { kind: 'notice' } });
        return;
      }
    }
    await next();
  };

  const errorBoundary: Middleware = async (turn, next) => {
    try {
      await next();
    } catch (e) {
      const err = AppError.wrap(e);
      log.error('message failed', { conversation: turn.conversation.id, channel: turn.message.channel, code: err.code, err: err.cause ?? err });
      turn.flowChange = undefined;
      const t = texts(turn.user.lang);
      turn.replies = [{ text: err.code === 'conflict' ? t.conflict : t.error, meta: { kind: 'error' } }];
      await transcripts
        .addMessage({ conversationId: turn.conversation.id, direction: 'out', kind: 'error', text: turn.replies[0]!.text, createdAt: turn.now })
        .catch(() => {});
    }
  };

  const commit: Middleware = async (turn, next) => {
    let failure: unknown;
    try {
      await next();
    } catch (e) {
      failure = e;
    }
    const conv = turn.conversation;
    const inbound: NewMessage = {
      conversationId: conv.id,
      direction: 'in',
      kind: turn.message.payload !== undefined ? 'button' : 'text',
      text: describeInbound(turn.message),
      payload: turn.payloadBody ?? (turn.message.payload !== undefined ? '(unverified)' : null),
      createdAt: turn.now,
    };
    // Whatever fails after this point, the user's message itself is kept.
    const keepInbound = async (e: unknown): Promise<never> => {
      await transcripts.addMessage(inbound);
      throw e;
    };
    if (failure !== undefined) await keepInbound(failure);
    if (turn.flowChange !== undefined) {
      const revision = await chat.saveFlow(conv.id, conv.revision, turn.flowChange).catch(keepInbound);
      if (revision === null) await keepInbound(new AppError('conflict', `conversation ${conv.id} was changed by another process`));
    }
    turn.replies = await signReplies(signer, turn.replies, turn.now).catch(keepInbound);
    // The message in and its replies in one statement: one write per turn instead of one per message.
    await transcripts
      .addMessages([
        inbound,
        ...turn.replies.map(
          (r): NewMessage => ({
            conversationId: conv.id,
            direction: 'out',
            kind: r.meta?.kind ?? 'text',
            text: r.text,
            citations: r.citations,
            buttons: r.buttons,
            answerId: r.meta?.answerId,
            createdAt: turn.now,
          }),
        ),
      ])
      .catch(keepInbound);
  };

  const routeStage: Middleware = async (turn) => route(turn, kit);
  const pipeline = compose([arrive, guard, errorBoundary, commit, ...(options.middleware ?? []), routeStage]);
  const lock = new KeyedLock();

  return {
    senders,
    handoffs: new HandoffService(handoffRepo, senders, clock),
    flows,
    chat,
    transcripts,
    registerSender: (sender) => senders.register(sender),
    deliver: (target, messages, opts) => senders.deliver(target, messages, opts),
    async handle(incoming, opts = {}): Promise<EngineResult> {
      const message = storableMessage(incoming);
      const key = `${message.channel}\u0000${message.chat.id}\u0000${message.chat.threadId ?? ''}\u0000${message.user.externalId}`;
      return lock.run(key, async () => {
        const turn = {
          message,
          now: clock(),
          onDelta: opts.onDelta,
          replies: [],
          flowChange: undefined,
          duplicate: false,
          rateLimited: false,
          bag: {},
        } as unknown as Turn;
        await pipeline(turn);
        return {
          conversationId: turn.conversation?.id ?? '',
          replies: turn.duplicate ? [] : turn.replies,
          ...(turn.duplicate ? { duplicate: true } : {}),
          ...(turn.rateLimited ? { rateLimited: true } : {}),
        };
      });
    },
  };
}
