/**
 * FAQ pairs: curated question variants with an approved answer and the clause it rests on. The console
 * creates and edits them (including "mark an answer wrong → write the correct one", which links the pair
 * to that conversation and message); the answerer reads the enabled ones of its pack. Validation lives
 * here so every caller gets the same field-level messages.
 */
import { AppError, type FieldErrors } from '../errors.ts';
import type { Queryable } from '../types.ts';

export interface FaqSource {
  /** Document title as users know it. */
  document: string;
  /** Section path joined with ' > '. */
  section: string;
  quote: string;
}

export interface FaqPair {
  id: string;
  pack: string;
  question: string;
  variants: string[];
  answer: string;
  answerEn: string | null;
  source: FaqSource;
  conversationId: string | null;
  messageId: string | null;
  enabled: boolean;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface FaqInput {
  pack: string;
  question: string;
  variants?: string[];
  answer: string;
  answerEn?: string | null;
  source: FaqSource;
  conversationId?: string | null;
  messageId?: string | null;
  enabled?: boolean;
  createdBy?: string | null;
}

export type FaqPatch = Partial<Omit<FaqInput, 'pack'>>;

interface Row {
  id: string;
  pack: string;
  question: string;
  variants: unknown;
  answer: string;
  answer_en: string | null;
  source_document: string;
  source_section: string;
  source_quote: string;
  conversation_id: string | null;
  message_id: string | null;
  enabled: boolean;
  created_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS =
  'id::text as id, pack, question, variants, answer, answer_en, source_document, source_section, source_quote, conversation_id, message_id, enabled, created_by, created_at, updated_at';

function toPair(r: Row): FaqPair {
  const variants = typeof r.variants === 'string' ? (JSON.parse(r.variants) as string[]) : ((r.variants as string[]) ?? []);
  return {
    id: r.id,
    pack: r.pack,
    question: r.question,
    variants,
    answer: r.answer,
    answerEn: r.answer_en,
    source: { document: r.source_document, section: r.source_section, quote: r.source_quote },
    conversationId: r.conversation_id,
    messageId: r.message_id,
    enabled: r.enabled,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function validate(input: FaqPatch & { pack?: string }, creating: boolean): void {
  const f: FieldErrors = {};
  const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';
  if (creating && blank(input.pack)) f.pack = '缺少政策包（pack）。';
  if ((creating || input.question !== undefined) && blank(input.question)) f.question = '问题不能为空。';
  else if (input.question && input.question.length > 500) f.question = '问题太长（最多 500 字）。';
  if ((creating || input.answer !== undefined) && blank(input.answer)) f.answer = '答复不能为空。';
  else if (input.answer && input.answer.length > 4000) f.answer = '答复太长（最多 4000 字）。';
  if (input.variants !== undefined) {
    if (!Array.isArray(input.variants) || input.variants.some((v) => typeof v !== 'string')) f.variants = '问法变体必须是文本列表。';
    else if (input.variants.length > 50) f.variants = '问法变体最多 50 条。';
  }
  if (creating || input.source !== undefined) {
    if (!input.source || blank(input.source.document)) f['source.document'] = '请注明答复依据的文件（来源条款）。';
  }
  if (Object.keys(f).length) throw AppError.validation(f);
}

export interface FaqRepo {
  create(input: FaqInput): Promise<FaqPair>;
  get(id: string): Promise<FaqPair>;
  list(options?: { pack?: string; enabledOnly?: boolean; conversationId?: string; limit?: number; offset?: number }): Promise<FaqPair[]>;
  update(id: string, patch: FaqPatch): Promise<FaqPair>;
  remove(id: string): Promise<void>;
}

export function faqRepo(db: Queryable): FaqRepo {
  const get = async (id: string): Promise<FaqPair> => {
    if (!UUID.test(id)) throw new AppError('not_found', `faq pair ${id} not found`, { userMessage: '没有找到这条问答。' });
    const r = await db.query<Row>(`select ${COLUMNS} from faq_pairs where id = $1`, [id]);
    if (!r.rows[0]) throw new AppError('not_found', `faq pair ${id} not found`, { userMessage: '没有找到这条问答。' });
    return toPair(r.rows[0]);
  };
  const clean = (vs: string[] | undefined) => [...new Set((vs ?? []).map((v) => v.trim()).filter(Boolean))];
  return {
    async create(input) {
      validate(input, true);
      const r = await db.query<Row>(
        `insert into faq_pairs (pack, question, variants, answer, answer_en, source_document, source_section, source_quote, conversation_id, message_id, enabled, created_by)
         values ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning ${COLUMNS}`,
        [
          input.pack.trim(),
          input.question.trim(),
          JSON.stringify(clean(input.variants)),
          input.answer.trim(),
          input.answerEn?.trim() || null,
          input.source.document.trim(),
          input.source.section?.trim() ?? '',
          input.source.quote?.trim() ?? '',
          input.conversationId ?? null,
          input.messageId ?? null,
          input.enabled ?? true,
          input.createdBy ?? null,
        ],
      );
      return toPair(r.rows[0]!);
    },
    get,
    async list(options = {}) {
      const where: string[] = [];
      const params: (string | number | boolean)[] = [];
      if (options.pack) where.push(`pack = $${params.push(options.pack)}`);
      if (options.enabledOnly) where.push('enabled');
      if (options.conversationId) where.push(`conversation_id = $${params.push(options.conversationId)}`);
      const limit = Math.min(Math.max(options.limit ?? 500, 1), 5000);
      const r = await db.query<Row>(
        `select ${COLUMNS} from faq_pairs ${where.length ? `where ${where.join(' and ')}` : ''} order by created_at desc, id limit ${limit} offset ${Math.max(0, options.offset ?? 0)}`,
        params,
      );
      return r.rows.map(toPair);
    },
    async update(id, patch) {
      validate(patch, false);
      const current = await get(id);
      const next = {
        question: patch.question?.trim() ?? current.question,
        variants: patch.variants !== undefined ? clean(patch.variants) : current.variants,
        answer: patch.answer?.trim() ?? current.answer,
        answerEn: patch.answerEn !== undefined ? patch.answerEn?.trim() || null : current.answerEn,
        source: patch.source ? { document: patch.source.document.trim(), section: patch.source.section?.trim() ?? '', quote: patch.source.quote?.trim() ?? '' } : current.source,
        conversationId: patch.conversationId !== undefined ? patch.conversationId : current.conversationId,
        messageId: patch.messageId !== undefined ? patch.messageId : current.messageId,
        enabled: patch.enabled ?? current.enabled,
      };
      const r = await db.query<Row>(
        `update faq_pairs set question = $2, variants = $3::jsonb, answer = $4, answer_en = $5, source_document = $6, source_section = $7, source_quote = $8,
           conversation_id = $9, message_id = $10, enabled = $11, updated_at = now() where id = $1 returning ${COLUMNS}`,
        [id, next.question, JSON.stringify(next.variants), next.answer, next.answerEn, next.source.document, next.source.section, next.source.quote, next.conversationId, next.messageId, next.enabled],
      );
      return toPair(r.rows[0]!);
    },
    async remove(id) {
      await get(id);
      await db.query('delete from faq_pairs where id = $1', [id]);
    },
  };
}
