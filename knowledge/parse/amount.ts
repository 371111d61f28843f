/**
 * Money amounts as enterprises type them — 八千万, 1.2亿, 1,200万, 12000000元, ５０万, 两百万, 一亿二,
 * 三千五百万, 120w — into 万元, the unit the policy uses. Arithmetic is exact: the amount is built as an
 * integer number of 分 (BigInt) and only turned into a JS number at the end, so 0.8亿 is 8000万, not
 * 7999.999…. A bare number without a unit is ambiguous (120 vs 120万) and is rejected unless the caller
 * says which unit its question asked for.
 */
import { fail, ok, toHalfWidth, type Parsed } from './result.ts';

export interface Amount {
  /** The amount in 万元 (exact up to 分). */
  wan: number;
  /** The same amount as a decimal string of 万元, e.g. "12000" or "0.5", for display and exact storage. */
  wanText: string;
  /** True when the user hedged ("八千多万", "约", "左右"). */
  approximate: boolean;
  /** The matched text. */
  raw: string;
}

export type BareUnit = 'wan' | 'yuan' | 'reject';

const CN_DIGIT: Record<string, string> = { 零: '0', 〇: '0', 一: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9', 壹: '1', 贰: '2', 叁: '3', 肆: '4', 伍: '5', 陆: '6', 柒: '7', 捌: '8', 玖: '9' };
const SMALL_UNIT: Record<string, bigint> = { 十: 10n, 拾: 10n, 百: 100n, 佰: 100n, 千: 1000n, 仟: 1000n };
/** Value of one 万 / 亿 in 分. */
const FEN_PER: Record<'yuan' | 'wan' | 'yi', bigint> = { yuan: 100n, wan: 1_000_000n, yi: 10_000_000_000n };

/** An exact decimal: n / 10^scale. */
interface Dec {
  n: bigint;
  scale: number;
}
const dec = (s: string): Dec => {
  const [i, f = ''] = s.split('.');
  return { n: BigInt((i || '0') + f), scale: f.length };
};
const mul = (a: Dec, k: bigint): Dec => ({ n: a.n * k, scale: a.scale });
const add = (a: Dec, b: Dec): Dec => {
  const s = Math.max(a.scale, b.scale);
  return { n: a.n * 10n ** BigInt(s - a.scale) + b.n * 10n ** BigInt(s - b.scale), scale: s };
};
const ZERO: Dec = { n: 0n, scale: 0 };

/** Renders fen as a decimal string of 万元 without trailing zeros. */
export function fenToWanText(fen: bigint): string {
  const neg = fen < 0n;
  const abs = neg ? -fen : fen;
  const i = abs / 1_000_000n;
  const f = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return (neg ? '-' : '') + i.toString() + (f ? '.' + f : '');
}

type Token = { kind: 'num'; text: string } | { kind: 'unit'; value: bigint } | { kind: 'big'; unit: 'wan' | 'yi' };

function tokenize(body: string): Token[] | null {
  const tokens: Token[] = [];
  let num = '';
  const flush = () => {
    if (num) tokens.push({ kind: 'num', text: num });
    num = '';
  };
  for (const ch of body) {
    if (/[0-9]/.test(ch)) num += ch;
    else if (ch in CN_DIGIT) num += CN_DIGIT[ch];
    else if (ch === '.' || ch === '点') {
      if (num.includes('.')) return null;
      num += num ? '.' : '0.';
    } else if (ch in SMALL_UNIT) {
      flush();
      tokens.push({ kind: 'unit', value: SMALL_UNIT[ch] });
    } else if (ch === '万' || ch === '萬' || ch === 'w' || ch === 'W') {
      flush();
      tokens.push({ kind: 'big', unit: 'wan' });
    } else if (ch === '亿' || ch === '億') {
      flush();
      tokens.push({ kind: 'big', unit: 'yi' });
    } else return null;
  }
  flush();
  return tokens;
}

/**
 * Value of a group below 万 (e.g. "三千五", "1千2百", "1200", "十二") as a decimal. `lastUnit` of the
 * group before lets "一万五" mean 15000, as people say it.
 */
function groupValue(tokens: Token[]): { value: Dec; trailingDigit: string | null } | null {
  let acc = ZERO;
  let cur: string | null = null;
  let prevUnit: bigint | null = null;
  for (const t of tokens) {
    if (t.kind === 'num') {
      if (cur !== null) return null;
      cur = t.text;
    } else if (t.kind === 'unit') {
      acc = add(acc, mul(dec(cur ?? '1'), t.value));
      cur = null;
      prevUnit = t.value;
    }
  }
  if (cur === null) return { value: acc, trailingDigit: null };
  // "三千五" = 3500: a lone non-zero digit right after a unit counts in the next lower unit.
  if (prevUnit !== null && /^[1-9]$/.test(cur)) return { value: add(acc, mul(dec(cur), prevUnit / 10n)), trailingDigit: null };
  if (prevUnit === null && /^[1-9]$/.test(cur)) return { value: acc, trailingDigit: cur };
  return { value: add(acc, dec(cur)), trailingDigit: null };
}

/** Parses the numeric body (no 元) into 分, with `bare` deciding the unit of a unit-less number. */
function bodyToFen(body: string, bare: 'wan' | 'yuan' | null): bigint | null {
  const tokens = tokenize(body);
  if (!tokens || tokens.length === 0 || !tokens.some((t) => t.kind === 'num' || t.kind === 'unit')) return null;
  let total = ZERO;
  let group: Token[] = [];
  let lastBig: 'wan' | 'yi' | null = null;
  let sawBig = false;
  for (const t of tokens) {
    if (t.kind === 'big') {
      // "亿" then "万" in the same group ("一千万亿") is not something enterprises write; reject it.
      if (lastBig === 'wan' && t.unit === 'wan') return null;
      const g = group.length ? groupValue(group) : { value: { n: 1n, scale: 0 }, trailingDigit: null };
      if (!g) return null;
      const v = g.trailingDigit ? dec(g.trailingDigit) : g.value;
      total = add(total, mul(v, FEN_PER[t.unit]));
      group = [];
      lastBig = t.unit;
      sawBig = true;
    } else group.push(t);
  }
  if (group.length) {
    const g = groupValue(group);
    if (!g) return null;
    if (sawBig) {
      if (g.trailingDigit) {
        // "一亿二" = 1.2亿, "一万五" = 1.5万: a lone digit after 万/亿 is a tenth of it.
        total = add(total, mul(dec(g.trailingDigit), FEN_PER[lastBig!] / 10n));
      } else if (lastBig === 'wan') {
        // "1万2000" = 12000元: what follows 万 is in 元.
        total = add(total, mul(g.value, FEN_PER.yuan));
      } else {
        // "1亿2000" may mean 1亿2000万 or 1亿2000元; ask rather than guess.
        return null;
      }
    } else {
      if (bare === null) return null;
      const v = g.trailingDigit ? dec(g.trailingDigit) : g.value;
      total = add(total, mul(v, FEN_PER[bare]));
    }
  }
  // Round to the 分 (amounts finer than a 分 are typing noise).
  const divisor = 10n ** BigInt(total.scale);
  return (total.n + divisor / 2n) / divisor;
}

const NUMERIC_CHARS = '0-9.点零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖十拾百佰千仟万萬亿億';
/** One amount candidate: a numeric run, an optional 多/余, an optional 元/块 and 钱. */
const AMOUNT_RE = new RegExp(`([${NUMERIC_CHARS}wW]+)(多|余|来)?(万|萬|亿|億)?\\s*(元|块钱|块|人民币)?`, 'g');

function normalise(text: string): string {
  return toHalfWidth(text)
    .replace(/(\d),(?=\d{3}(?!\d))/g, '$1')
    .replace(/(\d)\s+(?=\d{3}(?!\d))/g, '$1');
}

export interface AmountOptions {
  /** Unit of a number typed without one; default 'reject' (ask again). */
  bareUnit?: BareUnit;
}

interface Candidate extends Amount {
  index: number;
  hadUnit: boolean;
}

function candidates(text: string, bareUnit: BareUnit): Candidate[] {
  const s = normalise(text);
  const out: Candidate[] = [];
  for (const m of s.matchAll(AMOUNT_RE)) {
    let [raw, body, more, bigAfterMore, yuan] = m as unknown as [string, string, string | undefined, string | undefined, string | undefined];
    // "万一", "千万别…": a run must start with a digit (or 十, as in 十万) to be an amount.
    if (!/^[0-9.零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖十拾]/.test(body)) continue;
    if (bigAfterMore) body += bigAfterMore;
    // "八千多万", "一百来万": the hedge sits between the number and its 万.
    const hadUnit = /[万萬亿億wW]/.test(body) || !!yuan;
    // A trailing 元 with no 万/亿 makes the number 元 ("12000000元"); otherwise the caller's bare unit applies.
    const bare = yuan && !/[万萬亿億wW]$/.test(body) ? 'yuan' : hadUnit || bareUnit === 'reject' ? null : bareUnit;
    const fen = bodyToFen(body, bare);
    if (fen === null) continue;
    // A lone Chinese digit with no unit ("一", "二级") is not an amount.
    if (!hadUnit && !/[0-9]/.test(body) && [...body].length < 2) continue;
    const approximate = !!more || /约|大概|大约|左右|差不多|将近|近|超过|以上/.test(text);
    out.push({ wan: Number(fenToWanText(fen)), wanText: fenToWanText(fen), approximate, raw, index: m.index ?? 0, hadUnit });
  }
  return out;
}

/**
 * Parses a reply that should be one amount ("1.2亿", "大概八千多万元", "投入120万"). Words around the number
 * are allowed; two different amounts are not, because we would have to guess which one was meant.
 */
/** 10万亿元 in 万元: far above any enterprise's figures, far below where floating point loses 分. */
const MAX_WAN = 1e9;

export function parseAmount(text: string, options: AmountOptions = {}): Parsed<Amount> {
  const bareUnit = options.bareUnit ?? 'reject';
  const s = text.trim();
  if (!s) return fail('请填写金额，例如“120万”或“1.2亿”。');
  if (/^[-−]|^负/.test(toHalfWidth(s))) return fail('金额不能为负数，请重新填写。');
  const found = candidates(s, bareUnit);
  if (found.length === 0) {
    const bareNumber = candidates(s, 'wan').length > 0;
    return fail(bareNumber ? '请带上单位，例如“120万”“1.2亿”或“1200000元”。' : '没有看懂这个金额，请写成“120万”“1.2亿”或“八千万”这样的形式。');
  }
  // A run of digits longer than any real balance sheet (found by the property tests) is a typo, not a figure.
  if (found.some((c) => !Number.isFinite(c.wan) || c.wan > MAX_WAN)) return fail('这个金额大得不像真实数字，请核对后重新填写，例如“120万”或“1.2亿”。');
  const distinct = new Set(found.map((c) => c.wanText));
  if (distinct.size > 1) return fail(`您写了多个金额（${found.map((c) => c.raw.trim()).join('、')}），请只填写一个。`);
  const { index: _i, hadUnit: _h, ...amount } = found[0];
  return { ok: true, value: amount };
}

/** Every amount with a unit in a free-form sentence, in order ("去年产值八千万，投入120万"). */
export function findAmounts(text: string): (Amount & { index: number })[] {
  return candidates(text, 'reject')
    .filter((c) => Number.isFinite(c.wan) && c.wan <= MAX_WAN)
    .map(({ hadUnit: _h, ...a }) => a);
}

/** Formats 万元 for users: 60 → "60万元", 12000 → "1.2亿元" only when asked; default keeps 万元. */
export function formatWan(wan: number | string): string {
  const text = typeof wan === 'number' ? trimDecimal(wan) : wan;
  return `${text}万元`;
}

function trimDecimal(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(6)));
}


