/**
 * Chinese tokenizing for the lexical ranker and the local embedder: @node-rs/jieba with the pack's domain
 * dictionary (专精特新, 小快轻准, 总包商 …), synonym canonicalisation (电钻 → 电动工具, 补贴 → 补助) and
 * the number tokens of ./numbers.ts. The same pipeline runs on chunks and on questions, so both sides
 * always agree on what a token is.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { amountToken, normalizeAmounts, percentTokens, toHalfWidth } from './numbers.ts';

export interface DictionaryEntry {
  word: string;
  /** jieba frequency; higher keeps the word whole more often. */
  freq?: number;
  tag?: string;
}

export interface SynonymEntry {
  /** The word as users or documents write it. */
  term: string;
  /** The form every member of its group is indexed under. */
  canonical: string;
}

export interface Lexicon {
  words: DictionaryEntry[];
  synonyms: SynonymEntry[];
}

const DEFAULT_FREQ = 50_000;

// Particles and question words: they match everywhere and would only add noise to the lexical ranker.
const STOPWORDS = new Set(
  ('的 了 和 与 及 或 等 是 在 对 为 以 由 把 被 将 就 都 也 还 又 吗 呢 吧 啊 呀 哦 嘛 么 着 过 之 其 该 此 这 那 这个 那个 ' +
    '什么 怎么 怎样 如何 哪些 哪个 哪 多少 几 几个 谁 请问 一下 我 我们 你 你们 他 她 它 有 没有 能 能否 可以 可不可以 是否 ' +
    'the a an of to and or is are what how which who').split(' '),
);

const jiebaCache = new Map<string, Jieba>();

/** One base jieba per distinct user dictionary: building it costs ~1 s, and removals need a fresh one. */
function jiebaFor(userDict: string): Jieba {
  let j = jiebaCache.get(userDict);
  if (!j) {
    j = Jieba.withDict(dict);
    if (userDict) j.loadDict(Buffer.from(userDict, 'utf8'));
    if (jiebaCache.size >= 4) jiebaCache.delete(jiebaCache.keys().next().value!);
    jiebaCache.set(userDict, j);
  }
  return j;
}

function userDictText(words: DictionaryEntry[]): string {
  // Text is lower-cased before cutting, so "1+N+X" must enter the dictionary as "1+n+x" to ever match.
  const key = (w: DictionaryEntry) => normalizeForSearch(w.word.trim());
  return words
    .map(key)
    .filter((w, i, a) => w && !/\s/.test(w) && a.indexOf(w) === i)
    .sort()
    .map((w) => {
      const e = words.find((x) => key(x) === w)!;
      return `${w} ${e.freq ?? DEFAULT_FREQ}${e.tag ? ' ' + e.tag : ''}`;
    })
    .join('\n');
}

/** Lower-case, half-width, and without the characters that never carry meaning for search. */
export function normalizeForSearch(text: string): string {
  return toHalfWidth(text).normalize('NFKC').toLowerCase();
}

const WORD_RE = /[\p{L}\p{N}]/u;

// Words jieba tags as places that name no particular place.
const GENERIC_PLACES = new Set(['城市', '全国', '国家', '地方', '本地', '当地', '省市', '市县', '区县', '县市', '各地', '全省', '全市', '中央']);

/** Part of the signature: a change in how text is cut re-tokenizes stored chunks at the next start. */
const TOKENIZER_VERSION = 'v2';

export class Tokenizer {
  private readonly jieba: Jieba;
  private readonly canonical: Map<string, string>;
  readonly signature: string;

  constructor(readonly lexicon: Lexicon) {
    const dictText = userDictText([...lexicon.words, ...lexicon.synonyms.flatMap((s) => [{ word: s.term }, { word: s.canonical }])]);
    this.jieba = jiebaFor(dictText);
    this.canonical = new Map(lexicon.synonyms.map((s) => [normalizeForSearch(s.term), normalizeForSearch(s.canonical)]));
    this.signature = TOKENIZER_VERSION + '\u0000' + dictText + '\u0000' + [...this.canonical].map(([a, b]) => `${a}>${b}`).sort().join(',');
  }

  /** Place names in a text (jieba's ns tag), e.g. 昆明, 广东, 天台县; generic words such as 城市 excluded. */
  places(text: string): string[] {
    if (!text) return [];
    const out = new Set<string>();
    for (const w of this.jieba.tag(normalizeForSearch(text), true))
      if (w.tag === 'ns' && [...w.word].length >= 2 && !GENERIC_PLACES.has(w.word)) out.add(w.word);
    return [...out];
  }

  /** Words with their part-of-speech tags, as jieba reads the text as written (the answer layer's terms). */
  tag(text: string): Array<{ word: string; tag: string }> {
    return text ? this.jieba.tag(text, true) : [];
  }

  /** Words as jieba cuts them (precise mode), lower-cased, punctuation and whitespace dropped. */
  words(text: string): string[] {
    if (!text) return [];
    return this.jieba.cut(normalizeForSearch(text), true).filter((w) => WORD_RE.test(w)).map((w) => w.trim()).filter(Boolean);
  }

  /**
   * The lexical tokens of a text: search-mode cut (sub-words of long words too), minus stopwords, plus
   * the canonical form of every synonym and the normalised amount/percent tokens. Order is kept; callers
   * that need a set dedupe.
   */
  tokens(text: string): string[] {
    if (!text) return [];
    const norm = normalizeForSearch(text);
    const out: string[] = [];
    for (const raw of this.jieba.cutForSearch(norm, true)) {
      const w = raw.trim();
      if (!w || !WORD_RE.test(w) || STOPWORDS.has(w)) continue;
      out.push(w);
      const c = this.canonical.get(w);
      if (c && c !== w) out.push(c);
    }
    // Synonym terms jieba did not cut out as one word (e.g. inside a longer compound).
    for (const [term, c] of this.canonical) if (term.length > 1 && norm.includes(term) && !out.includes(c)) out.push(c);
    for (const a of normalizeAmounts(norm)) out.push(amountToken(a.value));
    out.push(...percentTokens(norm));
    return out;
  }
}
