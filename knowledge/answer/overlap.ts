/**
 * Lexical evidence that a passage answers a question: the IDF-weighted share of the question's character
 * bigrams that the passage contains. Bigrams are robust to however a tokenizer segments colloquial
 * questions, and the IDF comes from the loaded pack itself, so 企业 or 数字化 (everywhere) weigh little and
 * 竣工验收 or 晾晒 weigh a lot. This share is the retrieval confidence that abstention is calibrated on:
 * retriever scores are rank fusions and say nothing about whether anything relevant was found at all.
 */
import { toHalfWidth } from './figures.ts';

/** Part-of-speech tagging: the knowledge base's tokenizer (jieba with the pack lexicon), injected. */
export interface Tagger {
  tag(text: string): Array<{ word: string; tag: string }>;
}

// Particles, pronouns, prepositions and question words carry no evidence; removing them (not just
// skipping them) also stops bigrams from spanning a content word and a particle ("路径是").
// 'x' is punctuation and the fragments jieba cannot place ("县要"); the pack lexicon's words come back
// with an empty tag and are kept.
const STOP_TAGS = new Set(['uj', 'ul', 'uz', 'ug', 'uv', 'ud', 'y', 'r', 'c', 'p', 'e', 'o', 'x', 'zg']);
const STOP_WORDS = new Set(['是', '有', '要', '能', '会', '可以', '请问', '想', '知道', '还', '都', '也', '吗', '呢', '给', '我', '我们', '你', '一下', '现在', '目前', '的话', '到', '做', '干', '像', '这一块', '这块', '一块', '一共', '总共', '合计', '总计']);
// Colloquial "县里/市里/省里" is the policy's 县/市/省: the 里 only says "at that level".
const LEVEL_LI = /([县市省区镇乡村])里/g;
const QUESTION_WORDS = /多少万元|多少万|多少钱|多少个|多少|哪些|哪个|哪里|哪几|哪天|什么|啥|怎么样|怎么|咋|如何|多久|几个|几(?=[家个项次年月批部只首名位天]|$)/g;
// Interrogative phrases jieba cuts into several words ("叫/什么/名字", "拿来/干什么/用"): the asking, not the
// topic. Removed before tagging, so "项目验收结果拿来干什么用" is judged on 项目 验收 结果 alone.
const QUESTION_PHRASES =
  /(是)?(什么|啥)意思|多长时间|多少时间|多长|叫什么名字|叫什么|什么名字|什么名称|(拿来|用来|拿去)?(干|做)(什么|啥)用?|有什么用处?|(拿来|用来)(干|做)?|哪一?[类种样]|什么样的?|什么类型的?|什么时候|啥时候|何时|(由|找)?谁来?(负责|承担|担|管)?|看(?=哪|什么|啥)/g;

/**
 * The question's content words, space-separated: non-content words (jieba POS tags plus a short list) are
 * dropped, and bigrams never span two words ("项目 验收" must not demand "目验").
 */
export function contentOf(question: string, tagger: Tagger): string {
  return tagger
    .tag(toHalfWidth(question).replace(QUESTION_PHRASES, ' ').replace(LEVEL_LI, '$1'))
    .map(({ word, tag }) => (STOP_TAGS.has(tag) || STOP_WORDS.has(word) ? '' : word.replace(QUESTION_WORDS, ' ').trim()))
    .filter(Boolean)
    .join(' ');
}

/** Normalises text for matching: half-width digits, lower case, no punctuation or spaces. */
export function normalizeForMatch(text: string): string {
  return toHalfWidth(text)
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, ' ')
    .trim();
}

/** Character bigrams of the CJK runs plus whole ASCII words/numbers. */
export function bigrams(text: string): string[] {
  const out: string[] = [];
  for (const run of normalizeForMatch(text).split(' ')) {
    for (const piece of run.match(/[a-z0-9.]+|[^a-z0-9.]+/g) ?? []) {
      if (/^[a-z0-9.]+$/.test(piece)) {
        out.push(piece);
        continue;
      }
      if (piece.length === 1) out.push(piece);
      for (let i = 0; i + 1 < piece.length; i++) out.push(piece.slice(i, i + 2));
    }
  }
  return out;
}

/** The bigrams of a question with its question words removed, deduplicated. */
export function questionTerms(question: string, tagger: Tagger): string[] {
  return [...new Set(bigrams(contentOf(question, tagger)))];
}

export interface IdfModel {
  idf(term: string): number;
}

/** Builds an IDF model from passages (paragraphs of the pack's documents). */
export function buildIdf(passages: string[]): IdfModel {
  const df = new Map<string, number>();
  for (const p of passages) for (const t of new Set(bigrams(p))) df.set(t, (df.get(t) ?? 0) + 1);
  const n = Math.max(1, passages.length);
  const unseen = Math.log((n + 1) / 0.5);
  return {
    idf: (t) => {
      const d = df.get(t);
      return d === undefined ? unseen : Math.log((n + 1) / (d + 0.5));
    },
  };
}

/** A question's terms, or several phrasings' terms (as written, and in the policy's wording). */
export type Terms = string[] | string[][];

/**
 * IDF-weighted share of `terms` found in `passage` (0–1); with several phrasings, the best of them. Terms
 * the pack never uses still count in the denominator: a question about 天气 is not answered by a clause
 * that only shares 补助 with it.
 */
export function coverage(terms: Terms, passage: string, idf: IdfModel): number {
  if (terms.length === 0) return 0;
  if (Array.isArray(terms[0])) return Math.max(...(terms as string[][]).map((t) => coverage(t, passage, idf)));
  // Substring tests, so single-character terms ("家", "万") match inside words as bigrams do.
  const text = normalizeForMatch(passage);
  let total = 0;
  let hit = 0;
  for (const t of terms as string[]) {
    // A lone character ("出", "担") also matches inside unrelated words ("出台"): it counts half.
    const w = idf.idf(t) * (t.length === 1 && /\p{Script=Han}/u.test(t) ? 0.5 : 1);
    total += w;
    if (text.includes(t)) hit += w;
  }
  return total === 0 ? 0 : hit / total;
}

// Particles that differ between two phrasings of one question ("是不是…？" / "是…吗").
const PHRASING = /是不是|是否|能不能|可不可以|有没有|请问|一下|吗|呢|吧|啊|呀|的|了|是/g;

/**
 * Dice similarity of two questions' character bigrams, particles removed: used to match a question to
 * curated FAQ variants, where the whole phrasing matters, not only the content words.
 */
export function dice(a: string, b: string): number {
  const grams = (t: string) => new Set(bigrams(normalizeForMatch(t).replace(PHRASING, '')));
  const A = grams(a);
  const B = grams(b);
  if (A.size === 0 || B.size === 0) return 0;
  let both = 0;
  for (const t of A) if (B.has(t)) both++;
  return (2 * both) / (A.size + B.size);
}
