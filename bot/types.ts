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
  /**
   * A pressed button's payload. Channels pass it exactly as the engine issued it (signed); the engine
   * verifies it and hands flows the plain data their button carried.
   */
  payload?: string;
  attachments?: { kind: AttachmentKind; name?: string }[];
  receivedAt: Date;
}

export interface Button {
  label: string;
  /**
   * What a flow puts here is plain data (e.g. 'industry:电动工具') or an engine command ('/menu',
   * '/cancel', '/handoff'); the engine signs it when rendering, so channels only ever see an opaque,
   * signed, expiring string of at most 64 bytes (Telegram's callback_data limit).
   */
  payload: string;
}

export interface OutgoingMessage {
  /** Plain text with light formatting: **bold** and line breaks; adapters escape everything else. */
  text: string;
  citations?: Citation[];
  /** Rows of buttons. */
  buttons?: Button[][];
  meta?: {
    kind?: 'answer' | 'menu' | 'help' | 'error' | 'flow' | 'notice' | 'handoff' | 'staff';
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
 *
 * How a flow is entered: its menu button (input.payload = '/menu <id>'), one of its `commands`
 * (input.text = '/status …'), or `matches()` claiming free text (input.text = that text). While it is
 * active every message goes to `step` (typed text in input.text, a pressed button of this flow in
 * input.payload as the plain data the flow issued), except the engine's commands (/cancel, /menu …) and
 * "转人工".
 */
export interface Flow<S = unknown> {
  id: string;
  /** Bumped when the state shape changes; stored state of another version is migrated or restarted. */
  version: number;
  /** Menu entry that starts the flow, if any (e.g. '资格测算'). */
  menuLabel?: string;
  /** Its name in messages ("您正在进行「…」"); defaults to menuLabel, then id. */
  title?: string;
  /** Who may use it (menu entry, commands, matches); everyone when absent. */
  roles?: UserRole[];
  /** Commands that start the flow, without the slash (e.g. ['status']). */
  commands?: string[];
  /** Free text that starts the flow when no flow is active (e.g. an officer's progress question). */
  matches?(ctx: FlowContext, text: string): boolean | Promise<boolean>;
  start(ctx: FlowContext, input: IncomingMessage): Promise<FlowResult<S>>;
  step(ctx: FlowContext, state: S, input: IncomingMessage): Promise<FlowResult<S>>;
  /**
   * Validates stored state on resume (and migrates state of another version: `version` says which);
   * return null to restart the flow with a clear message.
   */
  restore?(raw: unknown, version: number): S | null;
  /** Called when the user leaves with /cancel (or starts another flow); may reply (e.g. "草稿已保存"). */
  onCancel?(ctx: FlowContext, state: S): Promise<OutgoingMessage[] | void>;
}

export interface EngineResult {
  conversationId: string;
  replies: OutgoingMessage[];
  /** True when the message was a duplicate delivery and nothing was done. */
  duplicate?: boolean;
  /** True when the per-user rate limit stopped the message. */
  rateLimited?: boolean;
}

export interface Engine {
  handle(message: IncomingMessage, options?: { onDelta?: (text: string) => void }): Promise<EngineResult>;
}

/** Delivers messages the user did not just ask for (handoff replies, application status changes). */
export interface ChannelSender {
  channel: ChannelId;
  send(chatId: string, messages: OutgoingMessage[], options?: { threadId?: string }): Promise<void>;
}

/** What a command handler sees: the flow context plus the raw input (channel identity, chat). */
export interface CommandContext extends FlowContext {
  input: IncomingMessage;
  /** Starts a registered flow as if its menu button had been pressed; its replies follow the command's. */
  startFlow(flowId: string): Promise<void>;
}

/**
 * A pluggable command (e.g. /bind CODE from progress, /status from intake), passed to the engine
 * factory. Commands that only start a flow need no handler: list them in the flow's `commands`.
 */
export interface CommandHandler {
  /** Without the slash, lower case (e.g. 'bind'). */
  name: string;
  aliases?: string[];
  /** One line for /help; hidden commands are not listed. */
  description?: string;
  hidden?: boolean;
  /** Who may run it; everyone when absent. */
  roles?: UserRole[];
  /** `args` is the text after the command, trimmed. */
  run(ctx: CommandContext, args: string): Promise<OutgoingMessage[]>;
}
