/**
 * The Slack edge: Events API messages, app mentions and Block Kit button presses become channel-neutral
 * IncomingMessages; OutgoingMessages become mrkdwn section blocks plus actions blocks. Slack's limits
 * (3,000 characters per section, 50 blocks per message, 75 per button label, 2,000 per value) are
 * applied here so the engine never has to know them.
 */
import type { AttachmentKind, Button, IncomingMessage, OutgoingMessage } from '../../types.ts';
import { plainText } from '../../index.ts';
import { renderChunks, type Style } from '../markup/index.ts';

export const SECTION_LIMIT = 3000;
const BLOCKS_PER_MESSAGE = 50;
const BUTTONS_PER_ACTIONS = 25;
const FALLBACK_LIMIT = 3000;
/** Prefix of every action_id we issue, so presses on other apps' blocks are not ours to handle. */
export const ACTION_PREFIX = 'shugai:';

const ZWSP = '\u200b';

export const slackStyle: Style = {
  escape: (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  // Slack only renders *bold* at word boundaries; zero-width spaces make one next to Chinese characters.
  bold: (s) => (s ? `${ZWSP}*${s}*${ZWSP}` : ''),
  // Italic rather than a `>` block: a quote follows its source on the same line (the engine's layout),
  // and `>` only works at the start of a line.
  quote: (lines) => lines.map((l) => (l ? `${ZWSP}_${l}_${ZWSP}` : '')).join('\n'),
  limit: SECTION_LIMIT,
};

export type SlackBlock = Record<string, unknown>;

function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max - 1).join('') + '…';
}

function actionsBlocks(buttons: Button[][] | undefined, msgIndex: number): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  (buttons ?? []).forEach((row, r) => {
    for (let start = 0; start < row.length; start += BUTTONS_PER_ACTIONS) {
      blocks.push({
        type: 'actions',
        elements: row.slice(start, start + BUTTONS_PER_ACTIONS).map((b, c) => ({
          type: 'button',
          text: { type: 'plain_text', text: truncate(b.label, 75), emoji: true },
          action_id: `${ACTION_PREFIX}${msgIndex}:${r}:${start + c}`,
          value: b.payload,
        })),
      });
    }
  });
  return blocks;
}

/** One OutgoingMessage → one or more chat.postMessage bodies (more only past 50 blocks). */
export function toSlackPosts(message: OutgoingMessage, msgIndex = 0): { text: string; blocks: SlackBlock[] }[] {
  const sections: SlackBlock[] = renderChunks(message, slackStyle).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
  const all = [...sections, ...actionsBlocks(message.buttons, msgIndex)];
  const fallback = truncate(plainText(message), FALLBACK_LIMIT);
  const posts: { text: string; blocks: SlackBlock[] }[] = [];
  for (let i = 0; i < all.length; i += BLOCKS_PER_MESSAGE) posts.push({ text: fallback, blocks: all.slice(i, i + BLOCKS_PER_MESSAGE) });
  return posts;
}

/** `<@U123> 你好` → `你好`: the mention that addressed the bot is not part of the question. */
export function stripMention(text: string, botUserId?: string): string {
  const re = botUserId ? new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g') : /^\s*<@[A-Z0-9]+(\|[^>]*)?>/;
  return text.replace(re, '').trim();
}

/** Slack sends &, < and > escaped in message text; the engine wants what the user typed. */
export function unescapeSlack(text: string): string {
  return text
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export interface SlackMessageEvent {
  type: string;
  subtype?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  channel: string;
  channel_type?: string;
  files?: { name?: string; mimetype?: string }[];
}

function fileKind(mimetype?: string): AttachmentKind {
  if (!mimetype) return 'file';
  if (mimetype.startsWith('image/')) return 'photo';
  if (mimetype.startsWith('audio/')) return 'audio';
  if (mimetype.startsWith('video/')) return 'video';
  return 'file';
}

/**
 * A DM message or an app_mention → IncomingMessage; undefined for what the assistant ignores (edits,
 * deletions, bots, channel chatter that did not mention it). In channels the reply goes to the thread.
 */
export function eventToIncoming(event: SlackMessageEvent, eventId: string, options: { botUserId?: string; now: Date }): IncomingMessage | undefined {
  if (event.bot_id || !event.user || (options.botUserId && event.user === options.botUserId)) return undefined;
  if (event.subtype && event.subtype !== 'file_share') return undefined;
  const mention = event.type === 'app_mention';
  if (!mention && event.channel_type !== 'im') return undefined;
  const raw = unescapeSlack(mention ? stripMention(event.text ?? '', options.botUserId) : (event.text ?? ''));
  const attachments = event.files?.length ? event.files.map((f) => ({ kind: fileKind(f.mimetype), name: f.name })) : undefined;
  const text = raw.trim() ? raw.trim() : undefined;
  if (!text && !attachments && !mention) return undefined;
  return {
    id: `slack:${eventId}`,
    channel: 'slack',
    user: { externalId: event.user },
    chat: {
      id: event.channel,
      kind: mention ? 'group' : 'private',
      threadId: mention ? (event.thread_ts ?? event.ts) : event.thread_ts,
    },
    // A bare mention is a greeting: show what the assistant can do.
    text: text ?? (attachments ? undefined : '/start'),
    attachments,
    receivedAt: options.now,
  };
}

export interface SlackActionBody {
  trigger_id?: string;
  user: { id: string; name?: string };
  channel?: { id: string };
  container?: { channel_id?: string; thread_ts?: string; message_ts?: string; is_ephemeral?: boolean };
  message?: { ts: string; thread_ts?: string };
  actions: { action_id: string; value?: string; action_ts?: string }[];
}

export function actionToIncoming(body: SlackActionBody, options: { now: Date }): IncomingMessage | undefined {
  const action = body.actions?.[0];
  const channel = body.channel?.id ?? body.container?.channel_id;
  if (!action || !channel || action.value === undefined) return undefined;
  const threadId = body.message?.thread_ts ?? body.container?.thread_ts;
  const dm = channel.startsWith('D');
  return {
    id: `slack:act:${body.trigger_id ?? `${action.action_ts}:${body.user.id}`}`,
    channel: 'slack',
    user: { externalId: body.user.id, displayName: body.user.name },
    chat: { id: channel, kind: dm ? 'private' : 'group', threadId: dm ? threadId : (threadId ?? body.message?.ts) },
    payload: action.value,
    receivedAt: options.now,
  };
}
