/**
 * Reads the structure of Chinese government documents (raw text as received, or Markdown) into blocks
 * that each know their section path: 一、 / （一） / 1. / 第X条 headings, Markdown # headings, inline
 * clauses whose heading and body share a line ("17.加大对试点企业的资金扶持。…"), an unnumbered heading
 * the numbering implies (工作目标 between 二、 and 四、 is section 三), and tables (tab-laid-out or
 * Markdown) whose rows stay whole. Chunking happens later; this file decides only what belongs where.
 */

export type BlockKind = 'clause' | 'table_row' | 'text';

export interface Block {
  kind: BlockKind;
  path: string[];
  text: string;
  /** A clause's first sentence (its title), when it has one. */
  title?: string;
  meta?: Record<string, unknown>;
  /** Blocks with the same unit may be merged into one chunk when small. */
  unit: string;
}

export interface ParsedTable {
  title: string;
  path: string[];
  /** Header of the row-label column (e.g. 绩效指标). */
  rowHeader: string;
  columns: string[];
  rows: { row: string; values: string[] }[];
}

export interface ParsedDocument {
  blocks: Block[];
  tables: ParsedTable[];
}

const CN_DIGITS = '零一二三四五六七八九';

export function chineseOrdinal(n: number): string {
  if (n <= 0 || n >= 100) return String(n);
  if (n < 10) return CN_DIGITS[n];
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return (tens === 1 ? '' : CN_DIGITS[tens]) + '十' + (ones ? CN_DIGITS[ones] : '');
}

export function parseChineseOrdinal(s: string): number | null {
  if (!/^[一二三四五六七八九十]+$/.test(s)) return null;
  if (s === '十') return 10;
  const i = s.indexOf('十');
  if (i < 0) return s.length === 1 ? CN_DIGITS.indexOf(s) : null;
  const tens = i === 0 ? 1 : CN_DIGITS.indexOf(s[0]);
  const ones = i === s.length - 1 ? 0 : CN_DIGITS.indexOf(s[s.length - 1]);
  return tens * 10 + ones;
}

/** Ranks order headings: smaller is higher. Markdown levels 1–6 sit above the Chinese numbering. */
const RANK = { part: 10, l1: 11, l2: 12, l3: 13 } as const;

const L1_RE = /^([一二三四五六七八九十]+)、\s*(.*)$/;
const L2_RE = /^[（(]([一二三四五六七八九十]+)[）)]\s*(.*)$/;
const L3_RE = /^(\d{1,2})\s*[.．、]\s*(.*)$/;
const ARTICLE_RE = /^(第[一二三四五六七八九十百零〇]+条)\s*(.*)$/;
const PART_RE = /^(第[一二三四五六七八九十]+[章部分节篇]+)\s*(.*)$/;
const TABLE_TITLE_RE = /^表\s*(\d+)\s+(\S.*)$/;
const CLOSING_RE = /^本(意见|办法|方案|通知|细则|规定|条例|措施)(自|由|从|经|适用|所称)/;
const SENTENCE_END = /[。！？]/;
const HEADING_PUNCT = /[。，；：,;:！？、“”"]/;

/** The text up to the first sentence end (or full-width colon for dated items), without the numbering. */
function firstSentence(body: string): string | undefined {
  const m = /^(.*?)[。：:]/.exec(body);
  const t = (m ? m[1] : body).trim();
  return t && t.length <= 60 ? t : undefined;
}

function isHeadingOnly(rest: string, full: string): boolean {
  return !SENTENCE_END.test(full) && full.length <= 40 && rest.length > 0;
}

function stripMarkdownInline(s: string): string {
  return s
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/__(.+?)__/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1');
}

function splitMdRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => stripMarkdownInline(c.trim()));
}

/** "拟改造规上工业中小企业数量（家）：2024年 93；2025年 242；2026年 226；总目标 561" */
export function tableRowText(row: string, columns: string[], values: string[]): string {
  const cells = columns.map((c, i) => (values[i] === undefined || values[i] === '' ? null : c ? `${c} ${values[i]}` : values[i])).filter((x) => x !== null);
  return `${row}：${cells.join('；')}`;
}

interface Entry {
  rank: number;
  label: string;
}

export function parseStructure(text: string, format: 'raw-opinions' | 'markdown' | 'text'): ParsedDocument {
  const md = format === 'markdown';
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const blocks: Block[] = [];
  const tables: ParsedTable[] = [];
  const stack: Entry[] = [];
  const path = () => stack.map((e) => e.label);
  const push = (rank: number, label: string) => {
    while (stack.length && stack[stack.length - 1].rank >= rank) stack.pop();
    stack.push({ rank, label });
  };
  // Item numbers restart under each parent, so "1.2024年9月…" after "（一）第一阶段" is item 1.
  // Items may also run on across subsections (四、 numbers 1–19 through （一）…（四）).
  const lastItem = new Map<string, number>();
  const parentKey = () => stack.filter((e) => e.rank < RANK.l3).map((e) => e.label).join('\u0001');
  const sectionKey = () => stack.filter((e) => e.rank < RANK.l2).map((e) => e.label).join('\u0001');

  // Numbered first-level headings, to infer an unnumbered one from a gap in the numbering.
  const l1Numbers: { line: number; n: number }[] = [];
  lines.forEach((raw, i) => {
    const l = raw.trim();
    const m = L1_RE.exec(l);
    if (m && isHeadingOnly(m[2], l)) l1Numbers.push({ line: i, n: parseChineseOrdinal(m[1]) ?? 0 });
  });
  const inferredL1 = (i: number): number | null => {
    const prev = [...l1Numbers].reverse().find((h) => h.line < i);
    const next = l1Numbers.find((h) => h.line > i);
    if (!prev || !next || next.n - prev.n !== 2) return null;
    // Only the first short line in the gap is the heading.
    const gapHeading = lines.findIndex((raw, j) => j > prev.line && j < next.line && isBareHeading(raw.trim()));
    return gapHeading === i ? prev.n + 1 : null;
  };

  let seenBody = false;
  let blockSeq = 0;
  const addBlock = (kind: BlockKind, body: string, extra: { title?: string; meta?: Record<string, unknown>; unitKey?: string } = {}) => {
    const p = path();
    blocks.push({ kind, path: p, text: body, title: extra.title, meta: extra.meta, unit: extra.unitKey ?? p.join('\u0001') });
    blockSeq++;
  };

  for (let i = 0; i < lines.length; i++) {
    const rawLine = lines[i];
    let line = rawLine.trim();
    if (!line) continue;

    // Tab-laid-out table: a title line, then blank-line separated blocks of tab-indented cells.
    const tt = TABLE_TITLE_RE.exec(line);
    if (tt && !md) {
      const title = `表${tt[1]} ${tt[2].replace(/\s+/g, ' ').trim()}`;
      const groups: string[][] = [];
      let j = i + 1;
      let cur: string[] = [];
      for (; j < lines.length; j++) {
        const l = lines[j];
        if (/^\s*$/.test(l)) {
          if (cur.length) groups.push(cur), (cur = []);
          continue;
        }
        if (!/^\t/.test(l)) break;
        cur.push(l.trim());
      }
      if (cur.length) groups.push(cur);
      if (groups.length >= 2) {
        // A table belongs to its section, not to the numbered clause that happens to precede it.
        while (stack.length && stack[stack.length - 1].rank >= RANK.l2) stack.pop();
        const [header, ...rows] = groups;
        const table: ParsedTable = { title, path: [...path(), title], rowHeader: header[0], columns: header.slice(1), rows: [] };
        for (const r of rows) {
          const row = r[0];
          const values = r.slice(1);
          table.rows.push({ row, values });
          blocks.push({
            kind: 'table_row',
            path: table.path,
            text: tableRowText(row, table.columns, values),
            meta: { table: title, row, columns: table.columns, values, rowHeader: header[0] },
            unit: `${title}\u0001${row}\u0001${blockSeq++}`,
          });
        }
        tables.push(table);
        i = j - 1;
        seenBody = true;
        continue;
      }
    }

    if (md) {
      if (/^(-{3,}|\*{3,}|_{3,})$/.test(line)) continue;
      const h = /^(#{1,6})\s+(.*)$/.exec(line);
      if (h) {
        push(h[1].length, stripMarkdownInline(h[2]).trim());
        seenBody = true;
        continue;
      }
      if (line.startsWith('|')) {
        const rowsRaw: string[] = [];
        let j = i;
        for (; j < lines.length && lines[j].trim().startsWith('|'); j++) rowsRaw.push(lines[j]);
        i = j - 1;
        const cells = rowsRaw.map(splitMdRow).filter((r) => !r.every((c) => /^:?-{2,}:?$/.test(c) || c === ''));
        if (cells.length >= 2) {
          const [header, ...rows] = cells;
          const title = path().at(-1) ?? '表格';
          const table: ParsedTable = { title, path: path(), rowHeader: header[0], columns: header.slice(1), rows: [] };
          for (const r of rows) {
            table.rows.push({ row: r[0], values: r.slice(1) });
            blocks.push({
              kind: 'table_row',
              path: path(),
              text: tableRowText(r[0], table.columns, r.slice(1)),
              meta: { table: title, row: r[0], columns: table.columns, values: r.slice(1), rowHeader: header[0] },
              unit: `md-table\u0001${blockSeq++}`,
            });
          }
          tables.push(table);
        } else if (cells.length === 1) addBlock('text', cells[0].join(' '));
        continue;
      }
      const quote = /^>\s?(.*)$/.exec(line);
      if (quote) {
        const body = stripMarkdownInline(quote[1]).replace(/^[-*]\s+/, '').trim();
        if (body) addBlock('text', body, { meta: { note: true }, unitKey: path().join('\u0001') + '\u0001note' });
        continue;
      }
      line = stripMarkdownInline(line.replace(/^[-*+]\s+/, '')).trim();
      if (!line) continue;
    }

    // A title block at the top (short lines before any sentence) is metadata, not content.
    if (!seenBody && !SENTENCE_END.test(line) && line.length <= 40 && !L1_RE.test(line) && !L2_RE.test(line)) continue;

    const l1 = L1_RE.exec(line);
    if (l1) {
      if (isHeadingOnly(l1[2], line)) {
        push(RANK.l1, line);
        seenBody = true;
        continue;
      }
      push(RANK.l1, `${l1[1]}、${firstSentence(l1[2]) ?? ''}`.replace(/、$/, '、'));
      addBlock('clause', line, { title: firstSentence(l1[2]) });
      seenBody = true;
      continue;
    }
    const part = PART_RE.exec(line);
    if (part && isHeadingOnly(part[2] || part[1], line)) {
      push(RANK.part, line);
      seenBody = true;
      continue;
    }
    const l2 = L2_RE.exec(line);
    if (l2) {
      const label = `（${l2[1]}）`;
      if (isHeadingOnly(l2[2], line)) {
        push(RANK.l2, label + l2[2].trim());
      } else {
        const title = firstSentence(l2[2]);
        push(RANK.l2, label + (title ?? ''));
        addBlock('clause', line, { title });
      }
      seenBody = true;
      continue;
    }
    const art = ARTICLE_RE.exec(line);
    if (art) {
      push(RANK.l3, art[1]);
      addBlock('clause', line, { title: firstSentence(art[2]) });
      seenBody = true;
      continue;
    }
    const l3 = L3_RE.exec(line);
    if (l3) {
      const n = Number(l3[1]);
      const key = parentKey();
      const last = lastItem.get(key) ?? 0;
      const lastInSection = lastItem.get('§' + sectionKey()) ?? 0;
      if (n === last + 1 || n === lastInSection + 1 || n === 1) {
        lastItem.set(key, n);
        lastItem.set('§' + sectionKey(), n);
        if (isHeadingOnly(l3[2], line) && !/[：:]/.test(line)) {
          push(RANK.l3, `${n}.${l3[2].trim()}`);
        } else {
          push(RANK.l3, `${n}.`);
          addBlock('clause', line, { title: firstSentence(l3[2]) });
        }
        seenBody = true;
        continue;
      }
    }
    if (!md && isBareHeading(line)) {
      const n = inferredL1(i);
      if (n !== null) {
        push(RANK.l1, `${chineseOrdinal(n)}、${line}`);
        seenBody = true;
        continue;
      }
    }
    if (CLOSING_RE.test(line)) {
      // The closing clause belongs to no section, but a citation must still say where it is.
      stack.length = 0;
      push(RANK.l1, /施行|实施|有效期|[至到][^，。]*止/.test(line) ? '结尾（施行期限）' : '结尾');
      addBlock('clause', line, { title: firstSentence(line), meta: { closing: true } });
      seenBody = true;
      continue;
    }
    // 【以下原文缺失】, 【缺失：…】: the editor's markers about the file, not policy text.
    if (/^【[^】]*】$/.test(line)) {
      addBlock('text', line, { meta: { note: true }, unitKey: path().join('\u0001') + '\u0001note' });
      continue;
    }
    addBlock(stack.length ? 'clause' : 'text', line);
    seenBody = true;
  }
  return { blocks, tables };
}

function isBareHeading(line: string): boolean {
  return line.length > 0 && line.length <= 16 && !HEADING_PUNCT.test(line) && !TABLE_TITLE_RE.test(line) && !/^\t/.test(line) && !/\d{3,}/.test(line);
}
