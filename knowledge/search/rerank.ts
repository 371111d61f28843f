/**
 * Second-stage ranking of the fused candidates. Reciprocal rank fusion knows only ranks, so on its own it
 * lets an editorial note about a file, or another city's clause that happens to share words, outrank the
 * clause a Jinhua enterprise is asking about. This stage rescores the few dozen fused candidates with
 * evidence the rankers do not see: how much of the question's information (idf mass, and character
 * bigrams, which survive segmentation differences such as 改几家 / 改造) the passage covers, whether the
 * chunk is an editorial note rather than policy text, and whose policy it is — this city's documents
 * first, unless the question names another place or document.
 */
import type { DocumentScope } from '../../db/index.ts';

export interface RerankSettings {
  /** How many fused candidates are rescored. */
  pool: number;
  /** Weight of the normalised fusion score (1 = the top fused candidate). */
  fusion: number;
  /** Weight of the share of the query's idf mass found among the chunk's tokens. */
  coverage: number;
  /** Weight of the share of the query's character bigrams found in the passage. */
  bigrams: number;
  /** Added for documents of this city (scope 'city'), unless the query points at another document. */
  home: number;
  /** Subtracted for other cities' documents (reference only) when the query names no place. */
  away: number;
  /** Added for the documents the query names (a place or a term found only there). */
  named: number;
  /** Multiplies the score of passages marked 未核实 / 非官方 by the document's own editor. */
  unverifiedPenalty: number;
  /** Added when the passage holds the kind of fact asked for (a figure, a date, a list). */
  answerType: number;
  /** Added for a table row that has a column for the year the query asks about. */
  yearRow: number;
  /** Weight of the share of the query's character bigrams found in the section headings. */
  heading: number;
  /** Added for an anchor chunk, unless the query names another document. */
  anchor: number;
  /** Multiplies the score of editorial notes (completeness remarks, "价值" notes) on a file. */
  notePenalty: number;
}

// Tuned on the dev set (docs/eval.md): fusion stays the backbone; the other terms break its near-ties.
export const DEFAULT_RERANK: RerankSettings = {
  pool: 30,
  fusion: 1,
  coverage: 0.5,
  bigrams: 1,
  home: 0.3,
  away: 0.3,
  named: 0.3,
  notePenalty: 0.3,
  anchor: 1,
  unverifiedPenalty: 0.7,
  answerType: 0.3,
  yearRow: 0.5,
  heading: 0.5,
};

export interface RerankCandidate {
  id: string;
  fused: number;
  documentId: string;
  scope?: DocumentScope;
  sectionPath: string[];
  text: string;
  /** The query's terms found among the chunk's tokens. */
  matchedTerms: string[];
  note: boolean;
  kind?: string;
  /** Column headers of a table row. */
  columns?: string[];
}

export interface QueryEvidence {
  terms: { token: string; weight: number }[];
  bigrams: string[];
  /** Documents the query names; empty when it names none. */
  named: Set<string>;
  intent: QueryIntent;
  /** Chunks the question's intent points at (the validity clause for a deadline question). */
  anchors?: Set<string>;
}

/** What kind of fact a question asks for, read from its wording. */
export interface QueryIntent {
  figure: boolean;
  date: boolean;
  list: boolean;
  /** Who does something: an office, a department. */
  who: boolean;
  /** What a term means. */
  definition: boolean;
  /** A year the question is about (2024, "26年", "二〇二六年" after number normalisation). */
  year: string | null;
}

const FIGURE_Q = /多少|几[个家项年级批人次万亿%]|比例|最高|最多|上限|下限|至少|金额|多大|百分|占比|几成|标准是/u;
const DATE_Q = /什么时候|啥时候|何时|截止|到期|期限|哪天|日期|几月|哪年|多久|有效期|deadline|when/iu;
const LIST_Q = /哪些|哪几|哪[两三四五六七八九十]|分别|包括|有什么/u;
const WHO_Q = /谁|哪个部门|哪个单位|哪家单位|什么部门|什么单位|牵头单位|who/iu;
const DEF_Q = /什么意思|啥意思|是什么|指什么|是啥|含义|怎么理解|what (?:is|are|does)/iu;

export function queryIntent(query: string): QueryIntent {
  const q = query.normalize('NFKC');
  const y = /(?:^|[^\d])(20\d\d)\s*年?/u.exec(q) ?? /(?:^|[^\d])(2\d)年/u.exec(q);
  return {
    figure: FIGURE_Q.test(q),
    date: DATE_Q.test(q),
    list: LIST_Q.test(q),
    who: WHO_Q.test(q),
    definition: DEF_Q.test(q),
    year: y ? (y[1]!.length === 2 ? '20' + y[1] : y[1]!) : null,
  };
}

const HAS_FIGURE = /\d|[一二三四五六七八九十百千万亿两]+[个家项万亿元%倍]/u;
const HAS_AGENT = /牵头|负责|由[^，。；]{1,16}(?:局|厅|部|委|中心|政府|小组|机构|协会)/u;
const HAS_DEF = /即|是指|指的是|主要包括|包括|分为/u;
const HAS_DATE = /\d{4}年|\d{1,2}月|\d{1,2}日|年底|年内/u;

function answerTypeMatch(intent: QueryIntent, text: string): number {
  let asked = 0;
  let met = 0;
  if (intent.date) (asked++, HAS_DATE.test(text) && met++);
  else if (intent.figure) (asked++, HAS_FIGURE.test(text) && met++);
  if (intent.list) (asked++, (text.match(/、/g)?.length ?? 0) >= 2 && met++);
  if (intent.who) (asked++, HAS_AGENT.test(text) && met++);
  else if (intent.definition) (asked++, HAS_DEF.test(text) && met++);
  return asked ? met / asked : 0;
}

// Function words and question particles carry no information about which clause is meant.
const STOP_CHARS = /[的了吗呢吧啊呀么是在有和与或及等个这那哪啥什怎谁几多少能会要可以我们你他她它]/gu;

/** CJK character bigrams of a text, ignoring particles and punctuation (a set, in order of appearance). */
export function cjkBigrams(text: string): string[] {
  const out = new Set<string>();
  for (const run of text.normalize('NFKC').replace(STOP_CHARS, ' ').match(/[\p{Script=Han}A-Za-z0-9]+/gu) ?? []) {
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  }
  return [...out];
}

const UNVERIFIED = /未核实|未经核实|非官方/u;

const compact = (s: string) => s.normalize('NFKC').replace(/\s+/gu, '');

export function rerank(candidates: RerankCandidate[], q: QueryEvidence, s: RerankSettings): { id: string; score: number }[] {
  if (candidates.length === 0) return [];
  const maxFused = Math.max(...candidates.map((c) => c.fused), 1e-9);
  const mass = q.terms.reduce((a, t) => a + t.weight, 0) || 1;
  return candidates
    .map((c) => {
      const toks = new Set(c.matchedTerms);
      const cov = q.terms.reduce((a, t) => a + (toks.has(t.token) ? t.weight : 0), 0) / mass;
      const hay = compact([...c.sectionPath, c.text].join(''));
      const bi = q.bigrams.length ? q.bigrams.filter((b) => hay.includes(b)).length / q.bigrams.length : 0;
      const path = compact(c.sectionPath.join(''));
      const head = q.bigrams.length ? q.bigrams.filter((b) => path.includes(b)).length / q.bigrams.length : 0;
      let score = s.fusion * (c.fused / maxFused) + s.coverage * cov + s.bigrams * bi + s.heading * head;
      score += s.answerType * answerTypeMatch(q.intent, c.text.normalize('NFKC'));
      if (q.intent.year && c.kind === 'table_row' && c.columns?.some((col) => col.includes(q.intent.year!))) score += s.yearRow;
      if (q.named.size) score += q.named.has(c.documentId) ? s.named : 0;
      else {
        if (c.scope === 'city') score += s.home;
        else if (c.scope === 'other-city') score -= s.away;
        if (q.anchors?.has(c.id)) score += s.anchor;
      }
      if (c.note) score *= s.notePenalty;
      // Material its own editor marks as unverified (未核实) answers only when nothing verified does.
      else if (UNVERIFIED.test(c.sectionPath.join('')) || UNVERIFIED.test(c.text)) score *= s.unverifiedPenalty;
      return { id: c.id, score };
    })
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}
