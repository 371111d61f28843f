/**
 * Turns structured blocks into retrievable chunks. A clause stays whole where it fits; a longer one is
 * split at sentence ends (。；！？) into parts that repeat its section path and title. A split never falls
 * inside a number (1.5, 2,000), a quoted name (“…”, 《…》, （…）) or a table row; small neighbouring
 * paragraphs under the same heading are merged so a chunk is never a stray signature line.
 */
import type { Block, BlockKind } from './structure.ts';

export interface ChunkDraft {
  kind: BlockKind;
  sectionPath: string[];
  text: string;
  title?: string;
  meta: Record<string, unknown>;
}

export interface ChunkingOptions {
  /** Longest chunk in characters before a clause is split. */
  maxChars: number;
  /** Parts shorter than this are folded into their neighbour. */
  minChars: number;
}

export const DEFAULT_CHUNKING: ChunkingOptions = { maxChars: 480, minChars: 80 };

const OPEN = '“‘《（(〈「『【[';
const CLOSE = '”’》）)〉」』】]';

/**
 * Offsets after which a split is allowed at the given break characters: outside every bracket/quote and
 * never between two digits or a digit and a decimal point.
 */
function breakPoints(text: string, breakers: string): number[] {
  const out: number[] = [];
  let depth = 0;
  const straight = { '"': false };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c)) depth = Math.max(0, depth - 1);
    else if (c === '"') straight['"'] = !straight['"'];
    if (depth > 0 || straight['"']) continue;
    if (breakers.includes(c)) {
      const prev = text[i - 1] ?? '';
      const next = text[i + 1] ?? '';
      if (/[\d.．,，:：]/.test(c) && /\d/.test(prev) && /\d/.test(next)) continue;
      // Keep a closing quote or bracket with the sentence it ends.
      let j = i + 1;
      while (j < text.length && CLOSE.includes(text[j])) j++;
      out.push(j);
    }
  }
  return out;
}

/** Is offset `at` a safe place for a hard cut (not inside a digit run, a Latin word or a quote)? */
function safeCut(text: string, at: number): boolean {
  const a = text[at - 1] ?? '';
  const b = text[at] ?? '';
  if (/[\dA-Za-z.%％]/.test(a) && /[\dA-Za-z.%％万亿元]/.test(b)) return false;
  let depth = 0;
  for (let i = 0; i < at; i++) {
    if (OPEN.includes(text[i])) depth++;
    else if (CLOSE.includes(text[i])) depth = Math.max(0, depth - 1);
  }
  return depth === 0;
}

function pack(pieces: string[], max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const p of pieces) {
    if (cur && cur.length + p.length > max) {
      out.push(cur);
      cur = p;
    } else cur += p;
  }
  if (cur) out.push(cur);
  return out;
}

function cutAt(text: string, points: number[]): string[] {
  const out: string[] = [];
  let from = 0;
  for (const p of points) {
    if (p > from && p < text.length) {
      out.push(text.slice(from, p));
      from = p;
    }
  }
  out.push(text.slice(from));
  return out.filter((s) => s.length > 0);
}

/** Splits one text into parts of at most `max` characters (best effort), following the rules above. */
export function splitText(text: string, max: number, min = 0): string[] {
  if (text.length <= max) return [text];
  const sentences = cutAt(text, breakPoints(text, '。；！？;'));
  const pieces: string[] = [];
  for (const s of sentences) {
    if (s.length <= max) {
      pieces.push(s);
      continue;
    }
    // One overlong sentence: fall back to commas, then to safe hard cuts.
    for (const c of pack(cutAt(s, breakPoints(s, '，,、：:')), max)) {
      if (c.length <= max) {
        pieces.push(c);
        continue;
      }
      let rest = c;
      while (rest.length > max) {
        let at = max;
        while (at > max / 2 && !safeCut(rest, at)) at--;
        if (at <= max / 2) {
          at = max;
          while (at < rest.length && !safeCut(rest, at)) at++;
        }
        pieces.push(rest.slice(0, at));
        rest = rest.slice(at);
      }
      if (rest) pieces.push(rest);
    }
  }
  const parts = pack(pieces, max);
  // Fold a short tail into the previous part rather than leave a fragment.
  if (parts.length > 1 && parts[parts.length - 1].length < min) {
    const tail = parts.pop()!;
    parts[parts.length - 1] += tail;
  }
  return parts;
}

export function chunkBlocks(blocks: Block[], options: ChunkingOptions = DEFAULT_CHUNKING): ChunkDraft[] {
  // Merge small neighbours that share a unit (same heading, same kind) first.
  const merged: Block[] = [];
  for (const b of blocks) {
    const prev = merged[merged.length - 1];
    if (
      prev &&
      b.kind !== 'table_row' &&
      prev.kind === b.kind &&
      prev.unit === b.unit &&
      !prev.title &&
      !b.title &&
      prev.text.length + b.text.length + 1 <= options.maxChars &&
      Boolean(prev.meta?.note) === Boolean(b.meta?.note)
    ) {
      merged[merged.length - 1] = { ...prev, text: prev.text + '\n' + b.text };
    } else merged.push(b);
  }
  const out: ChunkDraft[] = [];
  for (const b of merged) {
    const parts = b.kind === 'table_row' ? [b.text] : splitText(b.text, options.maxChars, options.minChars);
    parts.forEach((text, i) => {
      const meta: Record<string, unknown> = { ...(b.meta ?? {}) };
      if (b.title) meta.title = b.title;
      if (parts.length > 1) Object.assign(meta, { part: i + 1, parts: parts.length });
      out.push({ kind: b.kind, sectionPath: b.path, text: text.trim(), title: b.title, meta });
    });
  }
  return out.filter((c) => c.text.length > 0);
}
