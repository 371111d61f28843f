/**
 * Turns an OutgoingMessage (light `**bold**` text plus citations) into chunks of a channel's markup that
 * each fit that channel's size limit. The text is parsed into styled segments once and every chunk is
 * rendered from its own segments, so a split can never fall inside a tag or an escaped entity, and bold
 * that spans a split is closed and reopened instead of leaking. Telegram (HTML) and Slack (mrkdwn) differ
 * only in the Style they pass in.
 */
import type { Citation } from '../../../knowledge/index.ts';
import type { OutgoingMessage } from '../../types.ts';

export interface Segment {
  text: string;
  bold: boolean;
}

/** How one channel writes text: escaping, bold, a quoted block, and its per-message limit. */
export interface Style {
  escape(text: string): string;
  bold(escaped: string): string;
  /** Wraps already-rendered lines as a quotation. */
  quote(renderedLines: string[]): string;
  /** Maximum length of one rendered chunk, in UTF-16 code units (Telegram counts the same way). */
  limit: number;
}

/** A line of text, or a quotation made of lines; the unit that chunks are packed from. */
interface Block {
  lines: Segment[][];
  quote: boolean;
  /** Continues the previous block's line (a citation's quote follows its source and colon). */
  attach?: boolean;
}

/**
 * Parses `**bold**` exactly as the engine's formatText does (a bold span stays on one line and holds no
 * `*`; anything else is literal), so a channel's text minus its markup equals the engine's plainText.
 */
export function parseLight(text: string): Segment[] {
  return text
    .split(/(\*\*[^*\n]+\*\*)/)
    .filter((part) => part !== '')
    .map((part) => (/^\*\*[^*\n]+\*\*$/.test(part) ? { text: part.slice(2, -2), bold: true } : { text: part, bold: false }));
}

/** Splits segments at line breaks, keeping each line's styling. */
function toLines(segments: Segment[]): Segment[][] {
  const lines: Segment[][] = [[]];
  for (const seg of segments) {
    const parts = seg.text.split('\n');
    parts.forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part) lines[lines.length - 1].push({ text: part, bold: seg.bold });
    });
  }
  return lines;
}

function renderLine(line: Segment[], style: Style): string {
  return line.map((s) => (s.bold ? style.bold(style.escape(s.text)) : style.escape(s.text))).join('');
}

function renderBlock(block: Block, style: Style): string {
  const lines = block.lines.map((l) => renderLine(l, style));
  return block.quote ? style.quote(lines) : lines.join('\n');
}

/**
 * The engine's canonical layout (bot/render.ts formatMessage): the text, a blank line, 依据：, then one
 * numbered line per citation, `《document》 section：quote`.
 */
function messageBlocks(message: OutgoingMessage): Block[] {
  const blocks: Block[] = toLines(parseLight(message.text)).map((line) => ({ lines: [line], quote: false }));
  const citations = message.citations ?? [];
  if (citations.length) {
    blocks.push({ lines: [[]], quote: false }, { lines: [[{ text: '依据：', bold: true }]], quote: false });
    citations.forEach((c, i) => {
      const source = `《${c.document}》${c.section ? ' ' + c.section : ''}`;
      blocks.push({ lines: [[{ text: `${i + 1}. `, bold: false }, { text: source, bold: true }, { text: '：', bold: false }]], quote: false });
      blocks.push({ lines: toLines([{ text: c.quote, bold: false }]), quote: true, attach: true });
    });
  }
  return blocks;
}

const BREAK_AFTER = /[。！？；!?;，,、\s]/u;

/** Cuts one overlong line into pieces whose rendering fits `budget`, preferring punctuation or spaces. */
function cutLine(line: Segment[], style: Style, budget: number): Segment[][] {
  const chars: { ch: string; bold: boolean }[] = [];
  for (const seg of line) for (const ch of seg.text) chars.push({ ch, bold: seg.bold });
  const pieces: Segment[][] = [];
  const toSegments = (cs: typeof chars): Segment[] => {
    const segs: Segment[] = [];
    for (const c of cs) {
      const last = segs[segs.length - 1];
      if (last && last.bold === c.bold) last.text += c.ch;
      else segs.push({ text: c.ch, bold: c.bold });
    }
    return segs;
  };
  // Escaping is per character and bold costs a fixed tag pair per run, so a piece's rendered length can
  // be summed incrementally instead of re-rendering every prefix.
  const boldOverhead = style.bold('').length;
  let start = 0;
  while (start < chars.length) {
    let end = start;
    let cost = 0;
    let lastBreak = -1;
    while (end < chars.length) {
      const c = chars[end];
      const add = style.escape(c.ch).length + (c.bold && (end === start || !chars[end - 1].bold) ? boldOverhead : 0);
      if (cost + add > budget) break;
      cost += add;
      if (BREAK_AFTER.test(c.ch)) lastBreak = end + 1;
      end++;
    }
    if (end === start) end = start + 1; // a single character that cannot fit: never loop forever
    else if (end < chars.length && lastBreak > start && lastBreak - start > (end - start) / 2) end = lastBreak;
    pieces.push(toSegments(chars.slice(start, end)));
    start = end;
  }
  return pieces;
}

/** Splits a block so each part renders within the limit. */
function fitBlock(block: Block, style: Style): Block[] {
  if (renderBlock(block, style).length <= style.limit) return [block];
  const overhead = renderBlock({ lines: [[]], quote: block.quote }, style).length;
  const budget = Math.max(1, style.limit - overhead - 1);
  const out: Block[] = [];
  let current: Segment[][] = [];
  const flush = () => {
    if (current.length) out.push({ lines: current, quote: block.quote, attach: out.length === 0 && block.attach });
    current = [];
  };
  for (const line of block.lines) {
    const pieces = renderLine(line, style).length <= budget ? [line] : cutLine(line, style, budget);
    for (const piece of pieces) {
      const candidate = { lines: [...current, piece], quote: block.quote };
      if (current.length && renderBlock(candidate, style).length > style.limit) flush();
      current.push(piece);
    }
  }
  flush();
  return out;
}

// Whitespace-only lines at a chunk's edges are dropped: Telegram rejects a message that is only blanks.
const isBlank = (b: Block) => !b.quote && b.lines.every((l) => l.every((s) => !s.text.trim()));

/** Renders a message into one or more chunks, each within `style.limit`, split at line boundaries first. */
export function renderChunks(message: OutgoingMessage, style: Style): string[] {
  const blocks = messageBlocks(message).flatMap((b) => fitBlock(b, style));
  const chunks: string[] = [];
  let current: string[] = [];
  let length = 0;
  const flush = () => {
    while (current.length && current[current.length - 1].trim() === '') current.pop();
    if (current.length) chunks.push(current.join('\n'));
    current = [];
    length = 0;
  };
  for (const block of blocks) {
    if (current.length === 0 && isBlank(block)) continue; // no chunk starts with an empty line
    const rendered = renderBlock(block, style);
    const separator = current.length && !block.attach ? 1 : 0;
    const added = separator + rendered.length;
    if (current.length && length + added > style.limit) {
      flush();
      if (isBlank(block)) continue;
      current.push(rendered);
      length = rendered.length;
      continue;
    }
    if (block.attach && current.length) current[current.length - 1] += rendered;
    else current.push(rendered);
    length += added;
  }
  flush();
  return chunks.length ? chunks : [style.escape(message.text.trim() || '…')];
}
