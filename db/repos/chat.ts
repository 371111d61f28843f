/**
 * Storage for the dialogue engine's per-message work: who is writing (users and their channel
 * identities), which conversation they are in and its persisted flow state, delivery dedupe, the
 * DB-backed rate-limit counters shared by every process, long button payloads, and app secrets.
 */
import crypto from 'node:crypto';
import { AppError } from '../errors.ts';
import type { Queryable } from '../types.ts';

export type ChatUserRole = 'enterprise' | 'officer' | 'admin' | 'reviewer';
export type ChatLang = 'zh' | 'en';

export interface UserRow {
  id: string;
  role: ChatUserRole;
  displayName: string | null;
  lang: ChatLang;
}

export interface ConversationRow {
  id: string;
  userId: string;
  channel: string;
  chatId: string;
  threadId: string;
  flowId: string | null;
  flowVersion: number | null;
  flowState: unknown;
  revision: number;
  abstainStreak: number;
  createdAt: Date;
  lastMessageAt: Date;
}

const USER_COLS = 'u.id, u.role, u.display_name as "displayName", u.lang';
const CONV_COLS = `id, user_id as "userId", channel, chat_id as "chatId", thread_id as "threadId", flow_id as "flowId",
  flow_version as "flowVersion", flow_state as "flowState", revision, abstain_streak as "abstainStreak",
  created_at as "createdAt", last_message_at as "lastMessageAt"`;

/**
 * The identity ($1 channel, $2 external id, $3 display name) and its refresh: last_seen_at at most once a
 * minute, or when the display name changed, so a busy user's messages do not each rewrite the row.
 */
const IDENTITY_CTES = `with ident as (select user_id, last_seen_at, display_name from channel_identities where channel = $1 and external_id = $2),
       touched as (
         update channel_identities ci set last_seen_at = now(), display_name = coalesce($3, ci.display_name)
         from ident where ci.channel = $1 and ci.external_id = $2
           and (ident.last_seen_at < now() - interval '60 seconds' or ($3::text is not null and $3::text is distinct from ident.display_name))
         returning 1)`;

export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(12).toString('base64url')}`;
}

export class ChatRepo {
  constructor(private readonly db: Queryable) {}

  /**
   * Finds the user behind a channel identity, creating an enterprise user on first contact. last_seen_at
   * is refreshed at most once a minute (or when the display name changes), so a busy user's messages do
   * not each rewrite the identity row.
   */
  async identify(channel: string, externalId: string, displayName?: string): Promise<UserRow> {
    const found = await this.db.query<UserRow>(
      `${IDENTITY_CTES}
       select ${USER_COLS} from users u join ident on u.id = ident.user_id`,
      [channel, externalId, displayName ?? null],
    );
    if (found.rows[0]) return found.rows[0];
    const id = newId('u');
    await this.db.query('insert into users (id, display_name) values ($1, $2)', [id, displayName ?? null]);
    const linked = await this.db.query<{ user_id: string }>(
      `insert into channel_identities (channel, external_id, user_id, display_name) values ($1, $2, $3, $4)
       on conflict (channel, external_id) do update set last_seen_at = now() returning user_id`,
      [channel, externalId, id, displayName ?? null],
    );
    const userId = linked.rows[0]!.user_id;
    // Another process won the race: drop our orphan and use theirs.
    if (userId !== id) await this.db.query('delete from users where id = $1', [id]);
    return (await this.getUser(userId))!;
  }

  /**
   * A known user writing in a known conversation, in one statement: finds the user behind the identity
   * and their conversation (refreshing both timestamps as identify() and conversation() do) and claims
   * the delivery. Returns null when the identity is new, and no conversation when the user has none in
   * this chat yet: the caller then takes the step-by-step path, which creates what is missing.
   */
  async arrive(a: {
    channel: string;
    externalId: string;
    displayName?: string;
    chatId: string;
    threadId?: string;
    messageId: string;
    at: Date;
  }): Promise<{ user: UserRow; conversation: ConversationRow | null; claimed: boolean } | null> {
    const r = await this.db.query<ConversationRow & { uId: string; uRole: ChatUserRole; uName: string | null; uLang: ChatLang; claimed: boolean }>(
      `${IDENTITY_CTES},
       usr as (select u.id, u.role, u.display_name, u.lang from users u join ident on u.id = ident.user_id),
       found as (select ${CONV_COLS} from conversations where user_id = (select id from usr) and channel = $1 and chat_id = $4 and thread_id = $5),
       conv_touched as (
         update conversations c set last_message_at = now() from found f
         where c.id = f.id and f."lastMessageAt" < now() - interval '60 seconds' returning 1),
       claim as (
         insert into processed_updates (channel, message_id, processed_at, conversation_id)
         select $1, $6, $7, f.id from found f on conflict do nothing returning 1)
       select usr.id as "uId", usr.role as "uRole", usr.display_name as "uName", usr.lang as "uLang", f.*,
         exists (select 1 from claim) as claimed
       from usr left join found f on true`,
      [a.channel, a.externalId, a.displayName ?? null, a.chatId, a.threadId ?? '', a.messageId, a.at],
    );
    const row = r.rows[0];
    if (!row) return null;
    const { uId, uRole, uName, uLang, claimed, ...conversation } = row;
    return {
      user: { id: uId, role: uRole, displayName: uName, lang: uLang },
      conversation: conversation.id ? (conversation as ConversationRow) : null,
      claimed,
    };
  }

  async getUser(id: string): Promise<UserRow | null> {
    const r = await this.db.query<UserRow>(`select ${USER_COLS} from users u where u.id = $1`, [id]);
    return r.rows[0] ?? null;
  }

  async setRole(userId: string, role: ChatUserRole): Promise<void> {
    const r = await this.db.query('update users set role = $2, updated_at = now() where id = $1', [userId, role]);
    if (r.affectedRows === 0) throw new AppError('not_found', `user ${userId} not found`);
  }

  async setLang(userId: string, lang: ChatLang): Promise<void> {
    await this.db.query('update users set lang = $2, updated_at = now() where id = $1', [userId, lang]);
  }

  /** Moves a channel identity to another user (e.g. an officer binding their Telegram account). */
  async linkIdentity(channel: string, externalId: string, userId: string): Promise<void> {
    await this.db.query(
      `insert into channel_identities (channel, external_id, user_id) values ($1, $2, $3)
       on conflict (channel, external_id) do update set user_id = excluded.user_id`,
      [channel, externalId, userId],
    );
  }

  async identities(userId: string): Promise<{ channel: string; externalId: string }[]> {
    const r = await this.db.query<{ channel: string; externalId: string }>(
      'select channel, external_id as "externalId" from channel_identities where user_id = $1 order by last_seen_at desc',
      [userId],
    );
    return r.rows;
  }

  /** The conversation of (user, channel, chat, thread), created on first contact; last_message_at is kept to the minute. */
  async conversation(key: { userId: string; channel: string; chatId: string; threadId?: string }): Promise<ConversationRow> {
    const params = [key.userId, key.channel, key.chatId, key.threadId ?? ''];
    const found = await this.db.query<ConversationRow>(
      `with found as (select ${CONV_COLS} from conversations where user_id = $1 and channel = $2 and chat_id = $3 and thread_id = $4),
       touched as (
         update conversations c set last_message_at = now() from found f
         where c.id = f.id and f."lastMessageAt" < now() - interval '60 seconds' returning 1)
       select * from found`,
      params,
    );
    if (found.rows[0]) return found.rows[0];
    const r = await this.db.query<ConversationRow>(
      `insert into conversations (id, user_id, channel, chat_id, thread_id) values ($1, $2, $3, $4, $5)
       on conflict (channel, chat_id, thread_id, user_id) do update set last_message_at = now()
       returning ${CONV_COLS}`,
      [newId('c'), ...params],
    );
    return r.rows[0]!;
  }

  async getConversation(id: string): Promise<ConversationRow | null> {
    const r = await this.db.query<ConversationRow>(`select ${CONV_COLS} from conversations where id = $1`, [id]);
    return r.rows[0] ?? null;
  }

  /** The conversation of a channel identity in a chat, without creating anything. */
  async findConversation(channel: string, externalId: string, chatId: string, threadId = ''): Promise<ConversationRow | null> {
    const r = await this.db.query<ConversationRow>(
      `select ${CONV_COLS} from conversations c
       where c.channel = $1 and c.chat_id = $3 and c.thread_id = $4
         and c.user_id = (select user_id from channel_identities where channel = $1 and external_id = $2)`,
      [channel, externalId, chatId, threadId],
    );
    return r.rows[0] ?? null;
  }

  /** The user's most recently active conversation (where to notify them). */
  async latestConversation(userId: string): Promise<ConversationRow | null> {
    const r = await this.db.query<ConversationRow>(
      `select ${CONV_COLS} from conversations where user_id = $1 order by last_message_at desc limit 1`,
      [userId],
    );
    return r.rows[0] ?? null;
  }

  /**
   * Saves the flow state if nobody else stepped the conversation since `revision` was read; returns the
   * new revision, or null when another process won (the caller reports a conflict).
   */
  async saveFlow(
    conversationId: string,
    revision: number,
    flow: { id: string; version: number; state: unknown } | null,
  ): Promise<number | null> {
    const r = await this.db.query<{ revision: number }>(
      `update conversations set flow_id = $3, flow_version = $4, flow_state = $5::jsonb,
         flow_started_at = case when $3::text is null then null when flow_id is distinct from $3 then now() else flow_started_at end,
         revision = revision + 1, updated_at = now()
       where id = $1 and revision = $2 returning revision`,
      [conversationId, revision, flow?.id ?? null, flow?.version ?? null, flow ? JSON.stringify(flow.state) : null],
    );
    return r.rows[0]?.revision ?? null;
  }

  async setAbstainStreak(conversationId: string, streak: number): Promise<void> {
    await this.db.query('update conversations set abstain_streak = $2 where id = $1', [conversationId, streak]);
  }

  /** Claims a delivery for a conversation; false when it was already processed (a duplicate). */
  async claimUpdate(channel: string, messageId: string, at: Date, conversationId?: string): Promise<boolean> {
    const r = await this.db.query(
      'insert into processed_updates (channel, message_id, processed_at, conversation_id) values ($1, $2, $3, $4) on conflict do nothing returning message_id',
      [channel, messageId, at, conversationId ?? null],
    );
    return r.rows.length > 0;
  }

  async markUpdate(channel: string, messageId: string, conversationId: string): Promise<void> {
    await this.db.query('update processed_updates set conversation_id = $3 where channel = $1 and message_id = $2', [channel, messageId, conversationId]);
  }

  async pruneUpdates(before: Date): Promise<number> {
    return (await this.db.query('delete from processed_updates where processed_at < $1', [before])).affectedRows;
  }

  /** Counts one hit in the current fixed window and returns the count so far (shared across processes). */
  async hit(key: string, windowStart: Date): Promise<number> {
    const r = await this.db.query<{ count: number }>(
      `insert into rate_limits (key, window_start, count) values ($1, $2, 1)
       on conflict (key, window_start) do update set count = rate_limits.count + 1 returning count`,
      [key, windowStart],
    );
    const count = r.rows[0]!.count;
    if (count === 1) await this.db.query('delete from rate_limits where key = $1 and window_start < $2', [key, windowStart]);
    return count;
  }

  async storePayload(body: string, expiresAt: Date, now: Date): Promise<string> {
    const r = await this.db.query<{ id: string }>('insert into button_payloads (body, expires_at, created_at) values ($1, $2, $3) returning id::text as id', [body, expiresAt, now]);
    await this.db.query('delete from button_payloads where expires_at < $1', [now]);
    return r.rows[0]!.id;
  }

  async loadPayload(id: string): Promise<string | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const r = await this.db.query<{ body: string }>('select body from button_payloads where id = $1::bigint', [id]);
    return r.rows[0]?.body ?? null;
  }

  /** A secret kept in app_settings, generated once; concurrent first starts agree on one value. */
  async secret(key: string): Promise<string> {
    await this.db.query('insert into app_settings (key, value) values ($1, $2::jsonb) on conflict (key) do nothing', [
      key,
      JSON.stringify(crypto.randomBytes(32).toString('base64url')),
    ]);
    const r = await this.db.query<{ value: string }>('select value from app_settings where key = $1', [key]);
    return r.rows[0]!.value;
  }
}
