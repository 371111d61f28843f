/**
 * Text that PostgreSQL can store. A JSON string may legally hold U+0000 or a lone UTF-16 surrogate, but
 * a `text` column refuses both, so a message carrying one would fail as a database error (a 500) instead
 * of being answered. Every string a channel hands the engine passes through here first: NUL characters
 * are dropped and lone surrogates become U+FFFD, which changes nothing a person typed on purpose.
 * (Found by the property tests of POST /api/chat.)
 */
import type { IncomingMessage } from './types.ts';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function storableText(s: string): string {
  return s.replace(/\u0000/g, '').replace(LONE_SURROGATE, '\ufffd');
}

export function storableMessage(m: IncomingMessage): IncomingMessage {
  const opt = (s: string | undefined) => (s === undefined ? undefined : storableText(s));
  return {
    ...m,
    id: storableText(m.id),
    user: { ...m.user, externalId: storableText(m.user.externalId), ...(m.user.displayName !== undefined ? { displayName: storableText(m.user.displayName) } : {}) },
    chat: { ...m.chat, id: storableText(m.chat.id), ...(m.chat.threadId !== undefined ? { threadId: storableText(m.chat.threadId) } : {}) },
    ...(m.text !== undefined ? { text: opt(m.text) } : {}),
    ...(m.payload !== undefined ? { payload: opt(m.payload) } : {}),
  };
}
