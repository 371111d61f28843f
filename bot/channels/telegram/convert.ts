/**
 * The Telegram edge: a Bot API Update becomes a channel-neutral IncomingMessage, and an OutgoingMessage
 * becomes HTML chunks plus an inline keyboard. Nothing past this file sees a Telegram type.
 */
import crypto from 'node:crypto';
import type { Update } from 'grammy/types';
import type { ChannelPayloadRepo } from '../../../db/index.ts';
import type { AttachmentKind, Button, IncomingMessage } from '../../types.ts';
import type { Style } from '../markup/index.ts';

/** Telegram's limit on one message's text. */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Telegram's limit on callback_data, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const telegramStyle: Style = {
  escape: escapeHtml,
  bold: (s) => `<b>${s}</b>`,
  quote: (lines) => `<blockquote>${lines.join('\n')}</blockquote>`,
  limit: TELEGRAM_TEXT_LIMIT,
};

/** HTML chunk → plain text, for resending when Telegram rejects our markup. */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

type Message = NonNullable<Update['message']>;

function attachmentsOf(m: Message): IncomingMessage['attachments'] {
  const kinds: [keyof Message, AttachmentKind][] = [
    ['sticker', 'sticker'],
    ['photo', 'photo'],
    ['document', 'file'],
    ['audio', 'audio'],
    ['voice', 'audio'],
    ['video', 'video'],
    ['video_note', 'video'],
    ['animation', 'video'],
    ['location', 'location'],
    ['venue', 'location'],
    ['contact', 'other'],
    ['poll', 'other'],
    ['dice', 'other'],
  ];
  const out: NonNullable<IncomingMessage['attachments']> = [];
  for (const [field, kind] of kinds) {
    if (m[field] === undefined) continue;
    // An animation also carries `document`; report it once.
    if (field === 'document' && m.animation) continue;
    out.push({ kind, name: field === 'document' ? m.document?.file_name : undefined });
  }
  return out.length ? out : undefined;
}

/** `/menu@shugai_bot args` → `/menu args`, so commands look the same as on every other channel. */
function normaliseCommand(text: string, botUsername?: string): string {
  if (!botUsername || !text.startsWith('/')) return text;
  return text.replace(new RegExp(`^(/[A-Za-z0-9_]+)@${botUsername}\\b`, 'i'), '$1');
}

/**
 * In a group the assistant speaks only when spoken to: a command, an @mention (removed from the text),
 * or a reply to one of its own messages. Otherwise it would answer every line of a busy group chat
 * (bots with privacy mode off receive them all). Returns the text to hand on, or undefined to stay quiet.
 */
function addressedText(m: Message, text: string, bot: { username?: string; id?: number }): string | undefined {
  if (text.startsWith('/')) return text;
  if (bot.id !== undefined && m.reply_to_message?.from?.id === bot.id) return text;
  if (bot.username) {
    const mention = new RegExp(`@${bot.username}\\b`, 'gi');
    if (mention.test(text)) return text.replace(mention, '').trim() || '/start';
  }
  return undefined;
}

/**
 * Returns undefined for updates the assistant does not answer (edits, channel posts, membership changes,
 * messages from other bots).
 */
export function toIncoming(update: Update, options: { botUsername?: string; botId?: number; now: Date; payload?: string }): IncomingMessage | undefined {
  const id = `tg:${update.update_id}`;
  if (update.message) {
    const m = update.message;
    if (!m.from || m.from.is_bot) return undefined;
    const raw = m.text ?? m.caption;
    let text = raw && raw.trim() ? normaliseCommand(raw.trim(), options.botUsername) : undefined;
    const attachments = attachmentsOf(m);
    if (!text && !attachments) return undefined; // service messages (joins, pins …)
    if (m.chat.type !== 'private') {
      const addressed = addressedText(m, text ?? '', { username: options.botUsername, id: options.botId });
      if (addressed === undefined) return undefined;
      text = addressed || undefined;
    }
    return {
      id,
      channel: 'telegram',
      user: { externalId: String(m.from.id), displayName: displayName(m.from), languageCode: m.from.language_code },
      chat: {
        id: String(m.chat.id),
        kind: m.chat.type === 'private' ? 'private' : 'group',
        threadId: m.is_topic_message && m.message_thread_id ? String(m.message_thread_id) : undefined,
      },
      text,
      attachments,
      receivedAt: options.now,
    };
  }
  if (update.callback_query) {
    const q = update.callback_query;
    const chat = q.message?.chat;
    const msg = q.message as { is_topic_message?: boolean; message_thread_id?: number } | undefined;
    return {
      id,
      channel: 'telegram',
      user: { externalId: String(q.from.id), displayName: displayName(q.from), languageCode: q.from.language_code },
      chat: {
        id: String(chat?.id ?? q.from.id),
        kind: !chat || chat.type === 'private' ? 'private' : 'group',
        threadId: msg?.is_topic_message && msg.message_thread_id ? String(msg.message_thread_id) : undefined,
      },
      payload: options.payload ?? q.data ?? '',
      receivedAt: options.now,
    };
  }
  return undefined;
}

function displayName(u: { first_name: string; last_name?: string; username?: string }): string {
  return [u.first_name, u.last_name].filter(Boolean).join(' ') || u.username || '';
}

/**
 * callback_data holds at most 64 bytes. The engine already signs its payloads within that limit, so they
 * travel as they are. Anything longer (a payload from elsewhere, or a future engine change) is stored in
 * the database under a content hash and the button carries "~" + key instead of being rejected by
 * Telegram; the database rather than process memory, so any app process can resolve the press. Engine
 * payloads always contain "|" (body|expiry|signature), so a "~" key without one cannot be mistaken for one.
 */
export function createPayloadCodec(repo: ChannelPayloadRepo) {
  return {
    async encode(payload: string): Promise<string> {
      if (Buffer.byteLength(payload, 'utf8') <= CALLBACK_DATA_LIMIT && !isStoredKey(payload)) return payload;
      const key = crypto.createHash('sha256').update(payload).digest('base64url').slice(0, 32);
      await repo.put(key, payload);
      return '~' + key;
    },
    /** Returns the engine's payload, or the raw data when it is unknown (the engine then says it expired). */
    async decode(data: string): Promise<string> {
      if (isStoredKey(data)) return (await repo.get(data.slice(1))) ?? data;
      return data;
    },
  };
}

const isStoredKey = (data: string) => data.startsWith('~') && !data.includes('|');

export type PayloadCodec = ReturnType<typeof createPayloadCodec>;

export async function inlineKeyboard(buttons: Button[][] | undefined, codec: PayloadCodec) {
  if (!buttons?.length) return undefined;
  const rows = await Promise.all(
    buttons.filter((row) => row.length).map((row) => Promise.all(row.map(async (b) => ({ text: b.label, callback_data: await codec.encode(b.payload) })))),
  );
  return { inline_keyboard: rows };
}
