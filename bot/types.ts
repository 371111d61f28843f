/**
 * The channel-neutral contracts of the dialogue engine. A channel adapter turns its transport's update
 * into an IncomingMessage at the edge, and renders OutgoingMessages back; the engine and every flow see
 * only these shapes. Nothing here knows grammY, Bolt or Express.
 */
import type { Citation, Lang } from '../knowledge/index.ts';

export type ChannelId = 'telegram' | 'slack' | 'web' | 'terminal' | 'api';

export type AttachmentKind = 'photo' | 'sticker' | 'file' | 'audio' | 'video' | 'location' | 'other';

export interface IncomingMessage {
  /** Unique per delivery on its channel (Telegram update_id, Slack event_id …): duplicates are dropped. */
  id: string;
  channel: ChannelId;
  /** The sender's identity on that channel. */
  user: { externalId: string; displayName?: string; languageCode?: string };
  chat: { id: string; kind: 'private' | 'group'; threadId?: string };
  text?: string;
  /** A pressed button's payload, as the engine issued it. */
  payload?: string;
  attachments?: { kind: AttachmentKind; name?: string }[];
  receivedAt: Date;
}

export interface Button {
  label: string;
  /** Opaque to channels; issued and verified by the engine (signed, may expire). */
  payload: string;
}

export interface OutgoingMessage {
  /** Plain text with light formatting: **bold** and line breaks; adapters escape everything else. */
  text: string;
  citations?: Citation[];
  /** Rows of buttons. */
  buttons?: Button[][];
  meta?: {
    kind?: 'answer' | 'menu' | 'help' | 'error' | 'flow' | 'notice' | 'handoff';
    abstained?: boolean;
    /** Id of the stored answer, for 👍/👎 feedback. */
    answerId?: string;
    lang?: Lang;
  };
}

export type UserRole = 'enterprise' | 'officer' | 'admin' | 'reviewer';

/** The engine's view of the person writing, resolved from the channel identity. */
export interface ChatUser {
  id: string;
  role: UserRole;
  displayName?: string;
  lang: Lang;
}

export interface FlowContext {
  conversationId: string;
  user: ChatUser;
  channel: ChannelId;
  now: Date;
}

export interface FlowResult<S> {
  /** The state to persist; null ends the flow. */
  state: S | null;
  replies: OutgoingMessage[];
}

/**
 * A typed state machine persisted per conversation. State must be JSON; it is stored after every step
 * so a restart (or a week's pause) resumes where the user was. Flows get their collaborators through
 * their factory, never from the context.
 */
export interface Flow<S = unknown> {
  id: string;
  /** Bumped when the state shape changes; stored state of another version is migrated or restarted. */
  version: number;
  /** Menu entry that starts the flow, if any (e.g. { label: '资格测算' }). */
  menuLabel?: string;
  /** Commands that start the flow, without the slash (e.g. ['status']). */
  commands?: string[];
  /** Free text that starts the flow when no flow is active (e.g. an officer's progress question). */
  matches?(ctx: FlowContext, text: string): boolean | Promise<boolean>;
  start(ctx: FlowContext, input: IncomingMessage): Promise<FlowResult<S>>;
  step(ctx: FlowContext, state: S, input: IncomingMessage): Promise<FlowResult<S>>;
  /** Validates stored state on resume; return null to restart the flow. */
  restore?(raw: unknown): S | null;
}

export interface EngineResult {
  conversationId: string;
  replies: OutgoingMessage[];
  /** True when the message was a duplicate delivery and nothing was done. */
  duplicate?: boolean;
}

export interface Engine {
  handle(message: IncomingMessage, options?: { onDelta?: (text: string) => void }): Promise<EngineResult>;
}

/** Delivers messages the user did not just ask for (handoff replies, application status changes). */
export interface ChannelSender {
  channel: ChannelId;
  send(chatId: string, messages: OutgoingMessage[], options?: { threadId?: string }): Promise<void>;
}
