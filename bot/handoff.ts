/**
 * Human handoff: "转人工" or repeated abstentions put the conversation in the staff inbox and tell the
 * user what happens next. HandoffService is the console's side: list the inbox, reply (delivered on
 * the user's own channel through the sender registry) and close.
 */
import { AppError, type HandoffReason, type HandoffRepo, type HandoffRow, type HandoffStatus } from '../db/index.ts';
import type { EngineKit } from './kit.ts';
import type { Turn } from './pipeline.ts';
import type { DeliveryResult, SenderRegistry } from './senders.ts';
import { texts } from './texts.ts';

/** Opens (or finds) the handoff for this turn's conversation and tells the user. */
export async function requestHandoff(turn: Turn, kit: EngineKit, reason: HandoffReason): Promise<void> {
  const t = texts(turn.user.lang);
  const conv = turn.conversation;
  const { created } = await kit.handoffs.open({
    conversationId: conv.id,
    userId: turn.user.id,
    channel: turn.message.channel,
    chatId: turn.message.chat.id,
    threadId: turn.message.chat.threadId,
    reason,
    at: turn.now,
  });
  if (created) kit.log.info('handoff requested', { conversation: conv.id, reason });
  const text = !created ? t.handoffAlready : reason === 'abstentions' ? t.handoffAfterAbstentions : t.handoffOpened;
  turn.replies.push({ text, meta: { kind: 'handoff' } });
}

/** Closes a waiting handoff on /cancel; returns whether there was one. */
export async function cancelHandoff(turn: Turn, kit: EngineKit): Promise<boolean> {
  const open = await kit.handoffs.openFor(turn.conversation.id);
  if (!open) return false;
  await kit.handoffs.close(open.id, turn.now, 'user');
  turn.replies.push({ text: texts(turn.user.lang).handoffCancelled, meta: { kind: 'notice' } });
  return true;
}

export class HandoffService {
  constructor(
    private readonly repo: HandoffRepo,
    private readonly senders: SenderRegistry,
    private readonly clock: () => Date,
  ) {}

  list(filter: { status?: HandoffStatus | HandoffStatus[]; limit?: number; offset?: number } = {}): Promise<HandoffRow[]> {
    return this.repo.list(filter);
  }

  get(id: string): Promise<HandoffRow | null> {
    return this.repo.get(id);
  }

  private async mustGet(id: string): Promise<HandoffRow> {
    const h = await this.repo.get(id);
    if (!h) throw new AppError('not_found', `handoff ${id} not found`, { userMessage: '没有找到这条人工服务请求。' });
    return h;
  }

  /** Sends a staff reply on the user's channel (stored in the transcript either way). */
  async reply(id: string, reply: { text: string; author: string }): Promise<DeliveryResult> {
    const text = reply.text.trim();
    if (!text) throw AppError.validation({ text: '回复内容不能为空。' });
    const h = await this.mustGet(id);
    if (h.status === 'closed') throw new AppError('conflict', `handoff ${id} is closed`, { userMessage: '这条人工服务已关闭，不能再回复。' });
    const user = await this.senders.userOf(h.conversationId);
    const prefix = texts(user?.lang ?? 'zh').staffPrefix;
    const result = await this.senders.deliver(
      { conversationId: h.conversationId },
      [{ text: `${prefix}\n${text}`, meta: { kind: 'staff' } }],
      { author: reply.author },
    );
    await this.repo.markAnswered(id, this.clock());
    return result;
  }

  /** Closes it and, unless `notify` is false, tells the user. */
  async close(id: string, options: { by: string; note?: string; notify?: boolean }): Promise<boolean> {
    const h = await this.mustGet(id);
    const closed = await this.repo.close(id, this.clock(), options.by, options.note);
    if (closed && options.notify !== false) {
      const user = await this.senders.userOf(h.conversationId);
      await this.senders.deliver({ conversationId: h.conversationId }, [{ text: texts(user?.lang ?? 'zh').handoffClosed, meta: { kind: 'notice' } }], {
        author: options.by,
      });
    }
    return closed;
  }
}
