/**
 * Finds the figures in a piece of Chinese or English policy text — amounts, percentages, counts, dates —
 * and normalises them to comparable values, so that a generated answer can be checked figure by figure
 * against the sources it cites. Full-width digits, thousands separators, 万/亿 and Chinese numerals
 * (五十万, 百分之四十, 两百) all normalise to the same value as their Arabic spelling.
 */

export type FigureKind = 'amount' | 'percent' | 'count' | 'date' | 'number';

export interface Figure {
  kind: FigureKind;
  /** Normalised value: yuan for amounts, the percentage for percents, the plain number otherwise. */
  value: number;
  raw: string;
  index: number;
}

const FULL_WIDTH = /[０-９．，％]/g;

/** Full-width digits and signs to ASCII, so every later regex sees one spelling. */
export function toHalfWidth(text: string): string {
  return text.replace(FULL_WIDTH, (c) => {
    if (c === '．') return '.';
    if (c === '％') return '%';
    if (c === '，') return '，'; // a Chinese comma separates clauses; it is never a thousands separator
    return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
  });
}

const CN_DIGIT: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CN_SMALL_UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const CN_NUM_CHARS = '零〇一二两三四五六七八九十百千万亿';

/** Parses a Chinese numeral such as 五十, 两百, 一千二百, 三万五千; returns undefined when it is not one. */
export function parseChineseNumeral(s: string): number | undefined {
  if (!s || [...s].some((c) => !CN_NUM_CHARS.includes(c))) return undefined;
  let total = 0;
  let section = 0;
  let digit = -1;
  for (const c of s) {
    if (c in CN_DIGIT) {
      digit = CN_DIGIT[c]!;
    } else if (c in CN_SMALL_UNIT) {
      section += (digit < 0 ? 1 : digit) * CN_SMALL_UNIT[c]!;
      digit = -1;
    } else if (c === '万' || c === '亿') {
      const mult = c === '万' ? 1e4 : 1e8;
      total = (total + section + (digit < 0 ? 0 : digit)) * mult;
      section = 0;
      digit = -1;
    }
  }
  return total + section + (digit < 0 ? 0 : digit);
}

// A number (Arabic or Chinese), an optional magnitude, then what it measures. Chinese numerals only count
// when a unit follows or 百分之 precedes, so 一体化 or 三大 are not read as figures.
const ARABIC = String.raw`\d+(?:,\d{3})*(?:\.\d+)?`;
const CHINESE = `[${CN_NUM_CHARS}]+`;
const FIGURE_RE = new RegExp(
  String.raw`(百分之(?<pctcn>${CHINESE}|${ARABIC}))` +
    String.raw`|(?<num>${ARABIC})\s*(?<mag1>万|亿)?\s*(?:余|多)?\s*(?<unit1>%|元|家|个|项|次|年|月|日|号|级|倍|人|名)?` +
    String.raw`|(?<cn>${CHINESE})(?<unit2>%|元|家|个|项|次|年|月|日|号|级|倍|人|名)`,
  'g',
);

// "4万家", "24万余家中小企业": a magnitude before a counting unit is a count, not an amount.
const COUNT_UNITS = new Set(['家', '个', '项', '次', '人', '名']);

function unitKind(unit: string | undefined, hasMagnitude: boolean): FigureKind {
  if (unit === '%') return 'percent';
  if (unit && COUNT_UNITS.has(unit)) return 'count';
  if (unit === '元' || hasMagnitude) return 'amount';
  if (unit === '年' || unit === '月' || unit === '日' || unit === '号') return 'date';
  if (unit) return 'count';
  return 'number';
}

/** Every figure in `text`, in order. Amounts are in yuan: 50万元 and 500000元 are both 500000. */
export function extractFigures(text: string): Figure[] {
  const src = toHalfWidth(text);
  const out: Figure[] = [];
  for (const m of src.matchAll(FIGURE_RE)) {
    const g = m.groups ?? {};
    if (g.pctcn !== undefined) {
      const v = /\d/.test(g.pctcn) ? Number(g.pctcn.replace(/,/g, '')) : parseChineseNumeral(g.pctcn);
      if (v !== undefined && Number.isFinite(v)) out.push({ kind: 'percent', value: v, raw: m[0], index: m.index! });
      continue;
    }
    if (g.num !== undefined) {
      let v = Number(g.num.replace(/,/g, ''));
      if (g.mag1) v *= g.mag1 === '万' ? 1e4 : 1e8;
      // "财建〔2023〕117号" is a document number, not a date.
      const docNumber = g.unit1 === '号' && /[〕\]］]\s*$/.test(src.slice(Math.max(0, m.index! - 2), m.index!));
      out.push({ kind: docNumber ? 'number' : unitKind(g.unit1, Boolean(g.mag1)), value: round(v), raw: m[0].trim(), index: m.index! });
      continue;
    }
    if (g.cn !== undefined) {
      const v = parseChineseNumeral(g.cn);
      if (v === undefined) continue;
      out.push({ kind: unitKind(g.unit2, /[万亿]/.test(g.cn)), value: round(v), raw: m[0], index: m.index! });
    }
  }
  return out;
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** A comparable key: the same figure in two spellings gets the same key. */
export function figureKey(f: Pick<Figure, 'kind' | 'value'>): string {
  return `${f.kind === 'percent' ? 'p' : 'n'}:${f.value}`;
}

/**
 * The figures of `answer` that no source supports. A plain number matches any source figure of the same
 * value (a count written without its unit); an amount also matches its value in 万 (a source table in 万元
 * lists "50" for 50万元).
 */
export function unsupportedFigures(answer: string, sources: string[]): Figure[] {
  const keys = new Set<string>();
  for (const s of sources)
    for (const f of extractFigures(s)) {
      keys.add(figureKey(f));
      if (f.kind === 'amount') keys.add(`n:${round(f.value / 1e4)}`);
      // "50%" in a source supports "百分之五十" and "50%"; a bare number in a table supports "50%" only if
      // the table says so, which it does by carrying the % itself.
    }
  return extractFigures(answer).filter((f) => {
    if (keys.has(figureKey(f))) return false;
    if (f.kind === 'amount' && keys.has(`n:${round(f.value / 1e4)}`)) return false;
    return true;
  });
}
