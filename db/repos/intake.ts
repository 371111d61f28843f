/**
 * Storage for the diagnostic intake: drafts (every answer as given, plus the full input history, so
 * nothing typed is ever lost), submitted applications with gap-free reference numbers, and their status
 * history. Access checks live here too: an enterprise reads only applications it owns.
 */
import { AppError } from '../errors.ts';
import type { Db, Queryable } from '../types.ts';

export type DraftStatus = 'open' | 'submitted' | 'discarded';
export type ApplicationStatus = 'submitted' | 'under_review' | 'needs_info' | 'accepted' | 'rejected' | 'withdrawn';
export const APPLICATION_STATUSES: readonly ApplicationStatus[] = ['submitted', 'under_review', 'needs_info', 'accepted', 'rejected', 'withdrawn'];

export interface DraftAnswer {
  value: unknown;
  input: string;
  at: string;
}

export interface DraftHistoryEntry {
  field: string;
  input: string;
  ok: boolean;
  error?: string;
  at: string;
}

export interface DraftRow {
  id: string;
  pack: string;
  userId: string;
  conversationId: string | null;
  status: DraftStatus;
  answers: Record<string, DraftAnswer>;
  history: DraftHistoryEntry[];
  currentField: string | null;
  returnTo: string | null;
  applicationId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ApplicationRow {
  id: string;
  pack: string;
  reference: string;
  userId: string;
  uscc: string;
  companyName: string;
  data: Record<string, unknown>;
  status: ApplicationStatus;
  conversationId: string | null;
  channel: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface StatusHistoryRow {
  status: ApplicationStatus;
  note: string | null;
  actor: string;
  at: Date;
}

const DRAFT_COLS = `id::text as id, pack, user_id as "userId", conversation_id as "conversationId", status, answers, history,
  current_field as "currentField", return_to as "returnTo", application_id::text as "applicationId",
  created_at as "createdAt", updated_at as "updatedAt"`;
const APP_COLS = `id::text as id, pack, reference, user_id as "userId", uscc, company_name as "companyName", data, status,
  conversation_id as "conversationId", channel, created_at as "createdAt", updated_at as "updatedAt"`;

export class IntakeRepo {
  constructor(private readonly db: Db) {}

  /** The user's open draft for this pack, creating it on first use. */
  async openDraft(pack: string, userId: string, conversationId: string | null, now: Date): Promise<DraftRow> {
    const found = await this.findOpenDraft(pack, userId);
    if (found) return found;
    const r = await this.db.query<DraftRow>(
      `insert into intake_drafts (pack, user_id, conversation_id, created_at, updated_at) values ($1, $2, $3, $4, $4)
       on conflict (pack, user_id) where status = 'open' do update set updated_at = intake_drafts.updated_at
       returning ${DRAFT_COLS}`,
      [pack, userId, conversationId, now],
    );
    return r.rows[0]!;
  }

  async findOpenDraft(pack: string, userId: string): Promise<DraftRow | null> {
    const r = await this.db.query<DraftRow>(`select ${DRAFT_COLS} from intake_drafts where pack = $1 and user_id = $2 and status = 'open'`, [pack, userId]);
    return r.rows[0] ?? null;
  }

  async getDraft(id: string): Promise<DraftRow | null> {
    const r = await this.db.query<DraftRow>(`select ${DRAFT_COLS} from intake_drafts where id = $1`, [id]);
    return r.rows[0] ?? null;
  }

  /**
   * Records one input: always appended to the history; when valid, also stored as the field's answer.
   * Also moves the cursor, so a restart resumes at the right question.
   */
  async record(
    draftId: string,
    entry: { field: string; input: string; ok: boolean; error?: string; value?: unknown; /** false: history only (e.g. one toggle of a multi-select). */ store?: boolean },
    cursor: { cursor: string | null; returnTo: string | null },
    now: Date,
  ): Promise<void> {
    const at = now.toISOString();
    const h: DraftHistoryEntry = { field: entry.field, input: entry.input, ok: entry.ok, ...(entry.error ? { error: entry.error } : {}), at };
    const answer = entry.ok && entry.store !== false ? { [entry.field]: { value: entry.value ?? null, input: entry.input, at } } : {};
    await this.db.query(
      `update intake_drafts set history = history || $2::jsonb, answers = answers || $3::jsonb,
         current_field = $4, return_to = $5, updated_at = $6 where id = $1`,
      [draftId, JSON.stringify([h]), JSON.stringify(answer), cursor.cursor, cursor.returnTo, now],
    );
  }

  /** Moves the cursor without an answer (e.g. "修改电话" jumps to the phone question). */
  async moveCursor(draftId: string, cursor: { cursor: string | null; returnTo: string | null }, now: Date): Promise<void> {
    await this.db.query('update intake_drafts set current_field = $2, return_to = $3, updated_at = $4 where id = $1', [draftId, cursor.cursor, cursor.returnTo, now]);
  }

  async discardDraft(draftId: string, now: Date): Promise<void> {
    await this.db.query(`update intake_drafts set status = 'discarded', updated_at = $2 where id = $1 and status = 'open'`, [draftId, now]);
  }

  /** The live (not withdrawn) application for this 统一社会信用代码, whoever owns it. */
  async findLiveByUscc(pack: string, uscc: string): Promise<ApplicationRow | null> {
    const r = await this.db.query<ApplicationRow>(`select ${APP_COLS} from applications where pack = $1 and uscc = $2 and status <> 'withdrawn'`, [pack, uscc]);
    return r.rows[0] ?? null;
  }

  /**
   * Submits a draft: allocates the next reference number, stores the application and its first status,
   * and closes the draft — all in one transaction. A live application for the same 统一社会信用代码 is a
   * conflict (AppError 'conflict' with details.reference).
   */
  async submit(input: {
    draftId: string;
    pack: string;
    prefix: string;
    userId: string;
    uscc: string;
    companyName: string;
    data: Record<string, unknown>;
    conversationId: string | null;
    channel: string | null;
    now: Date;
    year: number;
  }): Promise<ApplicationRow> {
    return this.db.transaction(async (tx) => {
      const existing = await tx.query<{ reference: string; userId: string }>(
        `select reference, user_id as "userId" from applications where pack = $1 and uscc = $2 and status <> 'withdrawn' for update`,
        [input.pack, input.uscc],
      );
      if (existing.rows[0]) throw duplicate(existing.rows[0]);
      const ref = await nextReference(tx, input.prefix, input.year);
      let row: ApplicationRow;
      try {
        const r = await tx.query<ApplicationRow>(
          `insert into applications (pack, reference, user_id, uscc, company_name, data, conversation_id, channel, created_at, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) returning ${APP_COLS}`,
          [input.pack, ref, input.userId, input.uscc, input.companyName, JSON.stringify(input.data), input.conversationId, input.channel, input.now],
        );
        row = r.rows[0]!;
      } catch (e) {
        if ((e as AppError).code === 'conflict') throw duplicate({ reference: '', userId: '' });
        throw e;
      }
      await tx.query(`insert into application_status_history (application_id, status, note, actor, at) values ($1, 'submitted', null, $2, $3)`, [row.id, `user:${input.userId}`, input.now]);
      await tx.query(`update intake_drafts set status = 'submitted', application_id = $2, current_field = null, updated_at = $3 where id = $1`, [input.draftId, row.id, input.now]);
      return row;
    });
  }

  /** Replaces the data of the owner's application (an update after a duplicate was detected). */
  async updateApplication(reference: string, userId: string, data: Record<string, unknown>, companyName: string, draftId: string | null, now: Date): Promise<ApplicationRow> {
    return this.db.transaction(async (tx) => {
      const r = await tx.query<ApplicationRow>(
        `update applications set data = $3, company_name = $4, updated_at = $5 where reference = $1 and user_id = $2 returning ${APP_COLS}`,
        [reference, userId, JSON.stringify(data), companyName, now],
      );
      const row = r.rows[0];
      if (!row) throw new AppError('forbidden', `application ${reference} is not owned by ${userId}`, { userMessage: '只能修改本企业自己提交的申请。' });
      await tx.query(`insert into application_status_history (application_id, status, note, actor, at) values ($1, $2, '企业更新了申请信息', $3, $4)`, [row.id, row.status, `user:${userId}`, now]);
      if (draftId) await tx.query(`update intake_drafts set status = 'submitted', application_id = $2, current_field = null, updated_at = $3 where id = $1`, [draftId, row.id, now]);
      return row;
    });
  }

  /** Applications this user owns, newest first. */
  async listForUser(userId: string, pack?: string): Promise<ApplicationRow[]> {
    const r = await this.db.query<ApplicationRow>(
      `select ${APP_COLS} from applications where user_id = $1 and ($2::text is null or pack = $2) order by created_at desc, id desc`,
      [userId, pack ?? null],
    );
    return r.rows;
  }

  /** One application, only for its owner: anyone else gets 'forbidden' (not even whether it exists). */
  async getForUser(reference: string, userId: string): Promise<ApplicationRow> {
    const r = await this.db.query<ApplicationRow>(`select ${APP_COLS} from applications where reference = $1`, [reference]);
    const row = r.rows[0];
    if (!row || row.userId !== userId)
      throw new AppError('forbidden', `user ${userId} may not read application ${reference}`, { userMessage: '没有找到您名下的这个申请编号。' });
    return row;
  }

  /** For staff (the console): any application by reference. */
  async getByReference(reference: string): Promise<ApplicationRow | null> {
    const r = await this.db.query<ApplicationRow>(`select ${APP_COLS} from applications where reference = $1`, [reference]);
    return r.rows[0] ?? null;
  }

  /** For staff (the console): applications, newest first, optionally by status. */
  async list(options: { pack?: string; status?: ApplicationStatus; limit?: number; offset?: number } = {}): Promise<ApplicationRow[]> {
    const r = await this.db.query<ApplicationRow>(
      `select ${APP_COLS} from applications where ($1::text is null or pack = $1) and ($2::text is null or status = $2)
       order by created_at desc, id desc limit $3 offset $4`,
      [options.pack ?? null, options.status ?? null, options.limit ?? 100, options.offset ?? 0],
    );
    return r.rows;
  }

  async history(applicationId: string): Promise<StatusHistoryRow[]> {
    const r = await this.db.query<StatusHistoryRow>(
      'select status, note, actor, at from application_status_history where application_id = $1 order by id',
      [applicationId],
    );
    return r.rows;
  }

  /** Changes the status (staff), recording who and why. Returns the updated row. */
  async changeStatus(reference: string, status: ApplicationStatus, note: string | null, actor: string, now: Date): Promise<ApplicationRow> {
    if (!APPLICATION_STATUSES.includes(status))
      throw AppError.validation({ status: `状态应为：${APPLICATION_STATUSES.join('、')}。` });
    return this.db.transaction(async (tx) => {
      const r = await tx.query<ApplicationRow>(`update applications set status = $2, updated_at = $3 where reference = $1 returning ${APP_COLS}`, [reference, status, now]);
      const row = r.rows[0];
      if (!row) throw new AppError('not_found', `application ${reference} not found`, { userMessage: `没有找到申请 ${reference}。` });
      await tx.query('insert into application_status_history (application_id, status, note, actor, at) values ($1, $2, $3, $4, $5)', [row.id, status, note, actor, now]);
      return row;
    });
  }
}

function duplicate(existing: { reference: string; userId: string }): AppError {
  return new AppError('conflict', `a live application exists for this USCC (${existing.reference})`, {
    userMessage: '该统一社会信用代码已有申请。',
    details: { reference: existing.reference, ownerUserId: existing.userId },
  });
}

async function nextReference(tx: Queryable, prefix: string, year: number): Promise<string> {
  const r = await tx.query<{ last: number }>(
    `insert into application_counters (prefix, year, last) values ($1, $2, 1)
     on conflict (prefix, year) do update set last = application_counters.last + 1 returning last`,
    [prefix, year],
  );
  return `${prefix}-${year}-${String(r.rows[0]!.last).padStart(6, '0')}`;
}
