/**
 * Number normalisation shared by the index side and the query side: full-width digits, Chinese numerals
 * (五十万, 八千万, 两百万) and amounts in 元 / 万 / 万元 / 亿 all reduce to one canonical value in 元, so
 * "80万元" in a clause and "八十万" in a question meet on the same token. Pure functions, no I/O.
 */

/** Full-width ASCII (０-９, Ａ-Ｚ, ．，…) and the ideographic space become their half-width forms. */
export function toHalfWidth(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCodePoint(c - 0xfee0);
    else if (c === 0x3000) out += ' ';
    else out += ch;
  }
  return out;
}

const DIGIT: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 三: 3, 叁: 3, 四: 4, 肆: 4, 五: 5, 伍: 5,
  六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
};
const SMALL_UNIT: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const BIG_UNIT: Record<string, number> = { 万: 1e4, 萬: 1e4, 亿: 1e8, 億: 1e8 };

export type NumberParse = { ok: true; value: number } | { ok: false; reason: 'empty' | 'invalid' };

/**
 * Parses "1,200", "1.2", "５０", "五十", "两百", "一千二百三十", "十五", "3千" and the same followed by 万/亿
 * ("1.2亿", "八千万", "两百万"). Returns the plain number (no currency unit).
 */
export function parseChineseNumber(input: string): NumberParse {
  const s = toHalfWidth(input).replace(/\s+/g, '');
  if (!s) return { ok: false, reason: 'empty' };
  // Arabic digits, possibly with thousands separators, optionally followed by Chinese units (3千万, 1.2亿).
  const m = /^(\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.(\d+))?([十百千拾佰仟]?)([万萬亿億]*)$/.exec(s);
  if (m) {
    let v = Number(m[1].replace(/[,，]/g, '') + (m[2] ? '.' + m[2] : ''));
    if (m[3]) v *= SMALL_UNIT[m[3]];
    for (const u of m[4]) v *= BIG_UNIT[u];
    return Number.isFinite(v) ? { ok: true, value: round(v) } : { ok: false, reason: 'invalid' };
  }
  let total = 0; // completed 亿 sections
  let section = 0; // completed 万 sections within the current 亿 section
  let current = 0; // the part below 万
  let digit: number | null = null;
  let seen = false;
  for (const ch of s) {
    if (ch in DIGIT) {
      if (digit !== null) return { ok: false, reason: 'invalid' };
      digit = DIGIT[ch];
      seen = true;
    } else if (ch in SMALL_UNIT) {
      current += (digit ?? 1) * SMALL_UNIT[ch];
      digit = null;
      seen = true;
    } else if (ch in BIG_UNIT) {
      if (!seen) return { ok: false, reason: 'invalid' };
      const unit = BIG_UNIT[ch];
      const part = current + (digit ?? 0);
      if (unit === 1e8) {
        total = (total + section + part) * 1e8;
        section = 0;
      } else section = (section + part) * unit;
      current = 0;
      digit = null;
    } else return { ok: false, reason: 'invalid' };
  }
  if (!seen) return { ok: false, reason: 'invalid' };
  return { ok: true, value: total + section + current + (digit ?? 0) };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

export interface AmountMatch {
  /** The text as written, e.g. "80万元", "八千万", "12000000元". */
  raw: string;
  start: number;
  end: number;
  /** The amount in 元. */
  value: number;
}

const CN = '零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万萬亿億';
// A Chinese-numeral amount must start with a digit or 十 (so 千万不要 / 万一 are not amounts).
const AMOUNT_RE = new RegExp(
  String.raw`(\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*([十百千拾佰仟]?[万萬亿億]*)\s*(元|块钱|块)?` +
    `|([零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾][${CN}]*)(元|块钱|块)?`,
  'g',
);

/** Finds amounts of money: a number with a 万/亿 magnitude or a 元 unit. Bare numbers (2024年, 三级) are not amounts. */
export function normalizeAmounts(text: string): AmountMatch[] {
  const s = toHalfWidth(text);
  const out: AmountMatch[] = [];
  for (const m of s.matchAll(AMOUNT_RE)) {
    const start = m.index!;
    let raw = m[0].replace(/\s+$/, '');
    if (m[1] !== undefined) {
      const unit = m[2] ?? '';
      if (!/[万萬亿億]/.test(unit) && !m[3]) continue;
      // "2.0跃升" is no amount; neither is a year or count followed by 万 in prose like 年万 — require digits+unit only.
      const parsed = parseChineseNumber(m[1] + unit);
      if (!parsed.ok) continue;
      out.push({ raw, start, end: start + raw.length, value: parsed.value });
    } else {
      const numeral = m[4];
      if (!/[万萬亿億]$/.test(numeral) && !m[5]) continue;
      if (numeral.length === 1 && !m[5]) continue;
      const parsed = parseChineseNumber(numeral);
      if (!parsed.ok || parsed.value === 0) continue;
      raw = numeral + (m[5] ?? '');
      out.push({ raw, start, end: start + raw.length, value: parsed.value });
    }
  }
  return out;
}

/** The index/query token for an amount in 元, e.g. 800000 → "amt800000". */
export function amountToken(value: number): string {
  return `amt${String(round(value)).replace('.', 'p')}`;
}

/** A human form in 万元 where that reads naturally: 800000 → "80万元", 120000000 → "1.2亿元", 300 → "300元". */
export function formatAmount(value: number): string {
  if (value >= 1e8 && value % 1e6 === 0) return `${round(value / 1e8)}亿元`;
  if (value >= 1e4 && value % 100 === 0) return `${round(value / 1e4)}万元`;
  return `${round(value)}元`;
}

const PERCENT_RE = /(\d+(?:\.\d+)?)\s*%|百分之([零〇一二两三四五六七八九十百]+)/g;

/** Percentages: "50%", "５０％" and "百分之五十" become the token "pct50". */
export function percentTokens(text: string): string[] {
  const s = toHalfWidth(text);
  const out: string[] = [];
  for (const m of s.matchAll(PERCENT_RE)) {
    const v = m[1] !== undefined ? Number(m[1]) : (() => { const p = parseChineseNumber(m[2]); return p.ok ? p.value : NaN; })();
    if (Number.isFinite(v)) out.push(`pct${String(v).replace('.', 'p')}`);
  }
  return out;
}
