/**
 * The policy's own wording for what users type: the glossary's synonyms ("最多" → "最高", "补多少钱" →
 * "补助"), the pack's industry and region aliases ("电钻" → "电动工具", "永康" → "永康市") and Chinese
 * numerals before a unit ("三十万" → "30万"). `normalize` rewrites a question into that wording; `expand`
 * appends the policy terms to the question as asked, so retrieval sees both.
 */
import type { Pack } from '../pack/index.ts';
import { parseChineseNumeral } from './figures.ts';
import type { Glossary } from './glossary.ts';

export interface Vocabulary {
  normalize(question: string): string;
  expand(question: string): string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// A Chinese numeral with a tens/hundreds digit (三十, 两百) before a unit; "三级" or "一批" stay as they are.
const CN_AMOUNT = /([零一二两三四五六七八九]?[十百千][零一二两三四五六七八九十百千]*)(?=万|元|家|个|人|%|亿)/g;

// A year written in Chinese digits ("二零二五年").
const CN_YEAR = /[二〇零一两三四五六七八九]{4}(?=年)/g;
const YEAR_DIGIT: Record<string, string> = { 〇: '0', 零: '0', 一: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };

export function createVocabulary(pack: Pack, glossary: Glossary): Vocabulary {
  const pairs = [
    ...glossary.synonymPairs(),
    ...pack.industries.industries.flatMap((i) => i.aliases.filter((a) => !a.includes(i.name)).map((a) => ({ variant: a, canonical: i.name }))),
    ...pack.regions.regions.flatMap((r) => r.aliases.filter((a) => !r.name.startsWith(a) || a !== r.name).map((a) => ({ variant: a, canonical: r.name }))),
  ]
    .filter((p) => p.variant && p.variant !== p.canonical)
    .sort((a, b) => b.variant.length - a.variant.length);
  const re = pairs.length ? new RegExp(pairs.map((p) => escape(p.variant)).join('|'), 'g') : undefined;
  const lookup = new Map(pairs.map((p) => [p.variant, p.canonical]));
  const numerals = (q: string) =>
    q
      .replace(CN_YEAR, (m) => [...m].map((c) => YEAR_DIGIT[c] ?? c).join(''))
      .replace(CN_AMOUNT, (m) => String(parseChineseNumeral(m) ?? m));
  return {
    normalize(question) {
      const q = numerals(question);
      // A region alias inside its own full name ("永康" in "永康市") must not become "永康市市".
      return re ? q.replace(re, (m, offset: number, whole: string) => {
        const canonical = lookup.get(m) ?? m;
        return whole.startsWith(canonical, offset) ? m : canonical;
      }) : q;
    },
    expand(question) {
      const normalized = this.normalize(question);
      if (normalized === question) return question;
      const added = [...new Set(pairs.filter((p) => question.includes(p.variant) && !question.includes(p.canonical)).map((p) => p.canonical))];
      const numbers = numerals(question) !== question ? [numerals(question)] : [];
      return [question, ...added, ...numbers].join(' ');
    },
  };
}
