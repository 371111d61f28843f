/**
 * Conversation transcripts: every message in and out (including staff replies, which the web chat polls
 * for), every answer with its citations, hit scores and mode, and the users' 👍/👎 feedback. The console
 * lists and filters conversations from here.
 */
import crypto from 'node:crypto';
import type { Queryable, SqlParam } from '../types.ts';

export interface StoredCitation {
  document: string;
  section: string;
  quote: string;
  documentId?: string;
  chunkId?: string;
  kind?: string;
}

export interface StoredButton {
  label: string;
  payload: string;
}

export interface MessageRow {
  id: string;
  conversationId: string;
  direction: 'in' | 'out';
  kind: string;
  text: string;
  payload: string | null;
  citations: StoredCitation[] | null;
  buttons: StoredButton[][] | null;
  answerId: string | null;
  author: string | null;
  createdAt: Date;
}

export interface NewMessage {
  conversationId: string;
  direction: 'in' | 'out';
  kind?: string;
  text: string;
  payload?: string | null;
  citations?: StoredCitation[] | null;
  buttons?: StoredButton[][] | null;
  answerId?: string | null;
  author?: string | null;
  createdAt?: Date;
}

export interface AnswerRow {
  id: string;
  conversationId: string;
  question: string;
  rewrittenQuery: string | null;
  text: string;
  citations: StoredCitation[];
  hits: Record<string, unknown>[];
  abstained: boolean;
  mode: string;
  confidence: number | null;
  lang: string;
  feedback: -1 | 1 | null;
  feedbackReason: string | null;
  feedbackAt: Date | null;
  createdAt: Date;
}

export interface NewAnswer {
  conversationId: string;
  question: string;
  rewrittenQuery?: string | null;
  text: string;
  citations: StoredCitation[];
  hits: Record<string, unknown>[];
  abstained: boolean;
  mode: string;
  confidence?: number | null;
  lang: string;
  createdAt?: Date;
}

export interface ConversationSummary {
  id: string;
  userId: string;
  userName: string | null;
  role: string;
  channel: string;
  chatId: string;
  createdAt: Date;
  lastMessageAt: Date;
  messages: number;
  answers: number;
  abstained: number;
  downvotes: number;
  upvotes: number;
  handoffStatus: 'waiting' | 'answered' | 'closed' | null;
  flowId: string | null;
  lastText: string | null;
}

export interface ConversationFilter {
  channel?: string;
  from?: Date;
  to?: Date;
  abstained?: boolean;
  downvoted?: boolean;
  waiting?: boolean;
  /** Conversations whose active flow is this one (e.g. 'intake'). */
  flowId?: string;
  /** Conversations in which an intake (申报诊断) was started, whether still open, submitted or discarded. */
  hasIntake?: boolean;
  userId?: string;
  limit?: number;
  offset?: number;
}

const MSG_COLS = `id::text as id, conversation_id as "conversationId", direction, kind, text, payload, citations, buttons,
  answer_id::text as "answerId", author, created_at as "createdAt"`;
const ANSWER_COLS = `a.id::text as id, a.conversation_id as "conversationId", a.question, a.rewritten_query as "rewrittenQuery", a.text,
  a.citations, coalesce(h.hits, a.hits) as hits, a.abstained, a.mode, a.confidence, a.lang, a.feedback, a.feedback_reason as "feedbackReason",
  a.feedback_at as "feedbackAt", a.created_at as "createdAt"`;
/** Answers with their hits, stored once per distinct set (migration 032). */
const ANSWERS = 'answers a left join answer_hits h on h.key = a.hits_key';
/** Hit sets this process has stored: a known set travels as its key alone. Bounded; forgetting is harmless. */
const MAX_KNOWN_HITS = 5000;

export class TranscriptRepo {
  private readonly knownHits = new Set<string>();

  constructor(private readonly db: Queryable) {}

  async addMessage(m: NewMessage): Promise<string> {
    return (await this.addMessages([m]))[0]!;
  }

  /** Several messages in one statement (a turn's message in and its replies), ids in the given order. */
  async addMessages(messages: NewMessage[]): Promise<string[]> {
    if (messages.length === 0) return [];
    const params: SqlParam[] = [];
    const rows = messages.map((m) => {
      const at = params.length;
      params.push(
        m.conversationId,
        m.direction,
        m.kind ?? 'text',
        m.text,
        m.payload ?? null,
        m.citations && m.citations.length ? JSON.stringify(m.citations) : null,
        m.buttons && m.buttons.length ? JSON.stringify(m.buttons) : null,
        m.answerId ?? null,
        m.author ?? null,
        m.createdAt ?? null,
      );
      const p = (i: number) => `$${at + i}`;
      return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}::jsonb, ${p(7)}::jsonb, ${p(8)}::bigint, ${p(9)}, coalesce(${p(10)}::timestamptz, now()))`;
    });
    const r = await this.db.query<{ id: string }>(
      `insert into messages (conversation_id, direction, kind, text, payload, citations, buttons, answer_id, author, created_at)
       values ${rows.join(', ')} returning id::text as id`,
      params,
    );
    // Identity values follow the VALUES order; sorting makes that explicit for every engine.
    return r.rows.map((x) => x.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  }

  /** Messages of a conversation in order; `after` pages forward (polling), `limit` keeps the last N. */
  async messages(
    conversationId: string,
    options: { after?: string; limit?: number; direction?: 'in' | 'out'; /** only pushed ones (staff replies, notifications) */ pushed?: boolean } = {},
  ): Promise<MessageRow[]> {
    const r = await this.db.query<MessageRow>(
      `select * from (
         select ${MSG_COLS} from messages
         where conversation_id = $1 and id > coalesce($2::bigint, 0) and ($4::text is null or direction = $4)
           and (not $5::boolean or author is not null)
         order by id desc limit $3
       ) m order by id::bigint`,
      [conversationId, options.after ?? null, options.limit ?? 200, options.direction ?? null, options.pushed ?? false],
    );
    return r.rows;
  }

  /**
   * Stores an answer; its hits go to answer_hits once per distinct set (the same cached answer repeats
   * them thousands of times) and the row references them by hash. A set this process stored before is not
   * sent again. This repository writes outside transactions, so a stored set stays stored.
   */
  async addAnswer(a: NewAnswer): Promise<string> {
    const hits = JSON.stringify(a.hits);
    const key = crypto.createHash('sha256').update(hits).digest('base64url');
    const r = await this.db.query<{ id: string }>(
      `with h as (insert into answer_hits (key, hits) select $6, $7::text::jsonb where $7::text is not null on conflict (key) do nothing)
       insert into answers (conversation_id, question, rewritten_query, text, citations, hits_key, abstained, mode, confidence, lang, created_at)
       values ($1, $2, $3, $4, $5::jsonb, $6, $8, $9, $10, $11, coalesce($12, now())) returning id::text as id`,
      [
        a.conversationId,
        a.question,
        a.rewrittenQuery ?? null,
        a.text,
        JSON.stringify(a.citations),
        key,
        this.knownHits.has(key) ? null : hits,
        a.abstained,
        a.mode,
        a.confidence ?? null,
        a.lang,
        a.createdAt ?? null,
      ],
    );
    if (this.knownHits.size >= MAX_KNOWN_HITS) this.knownHits.clear();
    this.knownHits.add(key);
    return r.rows[0]!.id;
  }

  async getAnswer(id: string): Promise<AnswerRow | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const r = await this.db.query<AnswerRow>(`select ${ANSWER_COLS} from ${ANSWERS} where a.id = $1::bigint`, [id]);
    return r.rows[0] ?? null;
  }

  async answers(conversationId: string): Promise<AnswerRow[]> {
    const r = await this.db.query<AnswerRow>(`select ${ANSWER_COLS} from ${ANSWERS} where a.conversation_id = $1 order by a.id`, [conversationId]);
    return r.rows;
  }

  /** Records 👍 (1) or 👎 (-1); the last vote counts. Returns false when the answer does not exist. */
  async setFeedback(answerId: string, vote: 1 | -1, at: Date, reason?: string | null): Promise<boolean> {
    if (!/^\d{1,18}$/.test(answerId)) return false;
    const r = await this.db.query(
      `update answers set feedback = $2::smallint, feedback_at = $3, feedback_reason = case when $2::smallint = 1 then null else coalesce($4::text, feedback_reason) end
       where id = $1::bigint`,
      [answerId, vote, at, reason ?? null],
    );
    return r.affectedRows > 0;
  }

  async setFeedbackReason(answerId: string, reason: string): Promise<void> {
    await this.db.query('update answers set feedback_reason = $2 where id = $1::bigint', [answerId, reason]);
  }

  /** The last turns of a conversation as question/answer text, oldest first (for follow-up questions). */
  async history(conversationId: string, turns: number): Promise<{ role: 'user' | 'assistant'; text: string }[]> {
    const r = await this.db.query<{ question: string; text: string }>(
      'select question, text from (select id, question, text from answers where conversation_id = $1 order by id desc limit $2) a order by id',
      [conversationId, turns],
    );
    return r.rows.flatMap((a) => [
      { role: 'user' as const, text: a.question },
      { role: 'assistant' as const, text: a.text },
    ]);
  }

  async listConversations(f: ConversationFilter = {}): Promise<ConversationSummary[]> {
    const r = await this.db.query<ConversationSummary>(
      `select c.id, c.user_id as "userId", u.display_name as "userName", u.role, c.channel, c.chat_id as "chatId",
         c.created_at as "createdAt", c.last_message_at as "lastMessageAt", c.flow_id as "flowId",
         (select count(*)::int from messages m where m.conversation_id = c.id) as messages,
         (select count(*)::int from answers a where a.conversation_id = c.id) as answers,
         (select count(*)::int from answers a where a.conversation_id = c.id and a.abstained) as abstained,
         (select count(*)::int from answers a where a.conversation_id = c.id and a.feedback = -1) as downvotes,
         (select count(*)::int from answers a where a.conversation_id = c.id and a.feedback = 1) as upvotes,
         (select h.status from handoffs h where h.conversation_id = c.id order by h.id desc limit 1) as "handoffStatus",
         (select m.text from messages m where m.conversation_id = c.id and m.direction = 'in' order by m.id desc limit 1) as "lastText"
       from conversations c join users u on u.id = c.user_id
       where ($1::text is null or c.channel = $1)
         and ($2::timestamptz is null or c.last_message_at >= $2)
         and ($3::timestamptz is null or c.created_at <= $3)
         and (not $4::boolean or exists (select 1 from answers a where a.conversation_id = c.id and a.abstained))
         and (not $5::boolean or exists (select 1 from answers a where a.conversation_id = c.id and a.feedback = -1))
         and (not $6::boolean or exists (select 1 from handoffs h where h.conversation_id = c.id and h.status = 'waiting'))
         and ($7::text is null or c.flow_id = $7)
         and ($8::text is null or c.user_id = $8)
         and (not $11::boolean or exists (select 1 from intake_drafts d where d.conversation_id = c.id))
       order by c.last_message_at desc
       limit $9 offset $10`,
      [
        f.channel ?? null,
        f.from ?? null,
        f.to ?? null,
        f.abstained ?? false,
        f.downvoted ?? false,
        f.waiting ?? false,
        f.flowId ?? null,
        f.userId ?? null,
        f.limit ?? 50,
        f.offset ?? 0,
        f.hasIntake ?? false,
      ],
    );
    return r.rows;
  }
}
