/**
 * Human handoffs: a conversation waiting for staff (opened by "转人工" or by repeated abstentions),
 * answered by staff from the console, then closed. At most one handoff per conversation is open.
 */
import type { Queryable } from '../types.ts';

export type HandoffStatus = 'waiting' | 'answered' | 'closed';
export type HandoffReason = 'user' | 'abstentions';

export interface HandoffRow {
  id: string;
  conversationId: string;
  userId: string;
  userName: string | null;
  channel: string;
  chatId: string;
  threadId: string;
  status: HandoffStatus;
  reason: HandoffReason;
  note: string | null;
  createdAt: Date;
  updatedAt: Date;
  answeredAt: Date | null;
  closedAt: Date | null;
  closedBy: string | null;
  /** The user's latest message, for the inbox list. */
  lastUserText: string | null;
}

const COLS = `h.id::text as id, h.conversation_id as "conversationId", h.user_id as "userId", u.display_name as "userName",
  h.channel, h.chat_id as "chatId", h.thread_id as "threadId", h.status, h.reason, h.note, h.created_at as "createdAt",
  h.updated_at as "updatedAt", h.answered_at as "answeredAt", h.closed_at as "closedAt", h.closed_by as "closedBy",
  (select m.text from messages m where m.conversation_id = h.conversation_id and m.direction = 'in' order by m.id desc limit 1) as "lastUserText"`;

export class HandoffRepo {
  constructor(private readonly db: Queryable) {}

  /** Opens a handoff, or returns the open one; `created` says which. */
  async open(h: { conversationId: string; userId: string; channel: string; chatId: string; threadId?: string; reason: HandoffReason; at: Date }): Promise<{ handoff: HandoffRow; created: boolean }> {
    const ins = await this.db.query<{ id: string }>(
      `insert into handoffs (conversation_id, user_id, channel, chat_id, thread_id, reason, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $7)
       on conflict (conversation_id) where status <> 'closed' do nothing returning id::text as id`,
      [h.conversationId, h.userId, h.channel, h.chatId, h.threadId ?? '', h.reason, h.at],
    );
    const open = (await this.openFor(h.conversationId))!;
    if (!ins.rows[0] && open.status === 'answered') {
      // The user asks for a human again after a staff reply: put it back in the inbox.
      await this.db.query(`update handoffs set status = 'waiting', updated_at = $2 where id = $1::bigint`, [open.id, h.at]);
      return { handoff: (await this.get(open.id))!, created: true };
    }
    return { handoff: open, created: ins.rows.length > 0 };
  }

  async openFor(conversationId: string): Promise<HandoffRow | null> {
    const r = await this.db.query<HandoffRow>(
      `select ${COLS} from handoffs h join users u on u.id = h.user_id where h.conversation_id = $1 and h.status <> 'closed'`,
      [conversationId],
    );
    return r.rows[0] ?? null;
  }

  async get(id: string): Promise<HandoffRow | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const r = await this.db.query<HandoffRow>(`select ${COLS} from handoffs h join users u on u.id = h.user_id where h.id = $1::bigint`, [id]);
    return r.rows[0] ?? null;
  }

  async list(f: { status?: HandoffStatus | HandoffStatus[]; limit?: number; offset?: number } = {}): Promise<HandoffRow[]> {
    const statuses = f.status === undefined ? null : Array.isArray(f.status) ? f.status : [f.status];
    const r = await this.db.query<HandoffRow>(
      `select ${COLS} from handoffs h join users u on u.id = h.user_id
       where ($1::text[] is null or h.status = any($1::text[]))
       order by case h.status when 'waiting' then 0 when 'answered' then 1 else 2 end, h.created_at
       limit $2 offset $3`,
      [statuses, f.limit ?? 50, f.offset ?? 0],
    );
    return r.rows;
  }

  async markAnswered(id: string, at: Date): Promise<void> {
    await this.db.query(`update handoffs set status = 'answered', answered_at = $2, updated_at = $2 where id = $1::bigint and status <> 'closed'`, [id, at]);
  }

  /** Closes it; false when it was not open. */
  async close(id: string, at: Date, by?: string, note?: string): Promise<boolean> {
    if (!/^\d{1,18}$/.test(id)) return false;
    const r = await this.db.query(
      `update handoffs set status = 'closed', closed_at = $2, updated_at = $2, closed_by = $3, note = coalesce($4, note)
       where id = $1::bigint and status <> 'closed'`,
      [id, at, by ?? null, note ?? null],
    );
    return r.affectedRows > 0;
  }
}
