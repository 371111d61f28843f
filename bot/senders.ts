/**
 * Delivery of messages the user did not just ask for (staff replies, application status changes).
 * Channel adapters register a ChannelSender; deliver() stores the messages in the transcript first
 * (nothing is lost if a channel is down) and then pushes them. The web chat and the API pull instead:
 * the widget polls for stored messages, so for them storing is delivering.
 */
import { AppError, type ChatRepo, type ConversationRow, type TranscriptRepo, type UserRow } from '../db/index.ts';
import { signReplies, type PayloadSigner } from './payloads.ts';
import type { EngineLogger } from './pipeline.ts';
import type { ChannelId, ChannelSender, OutgoingMessage } from './types.ts';

export type DeliveryTarget = { conversationId: string } | { userId: string };

export interface DeliveryResult {
  conversationId: string;
  channel: ChannelId;
  /** sent: pushed to the channel; stored: a pull channel (web) will pick it up; undeliverable: no sender for that channel (stored). */
  status: 'sent' | 'stored' | 'undeliverable';
  error?: string;
}

const PULL_CHANNELS: ReadonlySet<string> = new Set(['web', 'api']);

export class SenderRegistry {
  private readonly senders = new Map<ChannelId, ChannelSender>();

  constructor(
    private readonly deps: { chat: ChatRepo; transcripts: TranscriptRepo; signer: PayloadSigner; clock: () => Date; log: EngineLogger },
  ) {}

  /** Registers a channel's sender; returns a function that unregisters it. */
  register(sender: ChannelSender): () => void {
    this.senders.set(sender.channel, sender);
    return () => {
      if (this.senders.get(sender.channel) === sender) this.senders.delete(sender.channel);
    };
  }

  has(channel: ChannelId): boolean {
    return this.senders.has(channel);
  }

  async userOf(conversationId: string): Promise<UserRow | null> {
    const conv = await this.deps.chat.getConversation(conversationId);
    return conv ? this.deps.chat.getUser(conv.userId) : null;
  }

  private async resolve(target: DeliveryTarget): Promise<ConversationRow> {
    const conv = 'conversationId' in target ? await this.deps.chat.getConversation(target.conversationId) : await this.deps.chat.latestConversation(target.userId);
    if (!conv)
      throw new AppError('not_found', `no conversation for ${JSON.stringify(target)}`, { userMessage: '该用户还没有任何会话，无法发送消息。' });
    return conv;
  }

  /** Stores the messages in the conversation's transcript, then pushes them on its channel. */
  async deliver(target: DeliveryTarget, messages: OutgoingMessage[], options: { author?: string } = {}): Promise<DeliveryResult> {
    const conv = await this.resolve(target);
    const channel = conv.channel as ChannelId;
    const signed = await signReplies(this.deps.signer, messages, this.deps.clock());
    for (const m of signed)
      await this.deps.transcripts.addMessage({
        conversationId: conv.id,
        direction: 'out',
        kind: m.meta?.kind ?? 'notice',
        text: m.text,
        citations: m.citations,
        buttons: m.buttons,
        author: options.author ?? 'system',
      });
    if (PULL_CHANNELS.has(channel)) return { conversationId: conv.id, channel, status: 'stored' };
    const sender = this.senders.get(channel);
    if (!sender) return { conversationId: conv.id, channel, status: 'undeliverable', error: `no sender registered for ${channel}` };
    try {
      await sender.send(conv.chatId, signed, conv.threadId ? { threadId: conv.threadId } : undefined);
      return { conversationId: conv.id, channel, status: 'sent' };
    } catch (e) {
      const err = AppError.wrap(e, 'upstream');
      this.deps.log.error('delivery failed', { conversation: conv.id, channel, err });
      return { conversationId: conv.id, channel, status: 'undeliverable', error: err.message };
    }
  }
}
