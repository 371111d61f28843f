/**
 * One layout for every channel: the text, then each citation as 《document》section：quote. Channels
 * pass their own escaping and bold markup, so Telegram (HTML), Slack (mrkdwn), the web chat and the
 * terminal show the same content; `plainText` is the canonical form the cross-channel tests compare.
 */
import type { Citation } from '../knowledge/index.ts';
import type { Button, OutgoingMessage } from './types.ts';

export interface TextStyle {
  /** Escapes text for the channel (HTML entities, Slack's &<>). */
  escape(text: string): string;
  /** Wraps already-escaped text in bold. */
  bold(text: string): string;
  /** Wraps an already-escaped quote (e.g. <blockquote>); defaults to the text itself. */
  quote?(text: string): string;
}

export const plainStyle: TextStyle = { escape: (t) => t, bold: (t) => t };

/** Renders `**bold**` spans with the channel's bold and escapes the rest. */
export function formatText(text: string, style: TextStyle): string {
  return text
    .split(/(\*\*[^*\n]+\*\*)/)
    .map((part) => (/^\*\*[^*\n]+\*\*$/.test(part) ? style.bold(style.escape(part.slice(2, -2))) : style.escape(part)))
    .join('');
}

export function citationLine(c: Citation, style: TextStyle = plainStyle): string {
  const source = `《${c.document}》${c.section ? ' ' + c.section : ''}`;
  const quote = style.escape(c.quote);
  return `${style.bold(style.escape(source))}：${style.quote ? style.quote(quote) : quote}`;
}

export function formatCitations(citations: Citation[] | undefined, style: TextStyle = plainStyle): string {
  if (!citations?.length) return '';
  return [style.bold(style.escape('依据：')), ...citations.map((c, i) => `${i + 1}. ${citationLine(c, style)}`)].join('\n');
}

/** The whole message body (text and citations) in a channel's style. */
export function formatMessage(message: OutgoingMessage, style: TextStyle = plainStyle): string {
  const cites = formatCitations(message.citations, style);
  const body = formatText(message.text, style);
  return cites ? `${body}\n\n${cites}` : body;
}

/** The canonical plain form: what every channel must show, once its markup is stripped. */
export function plainText(message: OutgoingMessage): string {
  return formatMessage(message, plainStyle);
}

export function buttonLabels(message: OutgoingMessage): string[][] {
  return (message.buttons ?? []).map((row) => row.map((b) => b.label));
}

/** Lays out buttons in rows of `perRow`. */
export function rows(buttons: Button[], perRow = 2): Button[][] {
  const out: Button[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) out.push(buttons.slice(i, i + perRow));
  return out;
}

/** A button that runs an engine command when pressed (e.g. commandButton('主菜单', 'menu')). */
export function commandButton(label: string, command: string): Button {
  return { label, payload: `/${command}` };
}
