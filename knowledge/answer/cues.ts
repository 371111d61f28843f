/**
 * Answer cues: what in a passage shows that it answers the question asked, beyond sharing its words. A
 * "多少家服务商" question is answered where a number stands next to 服务商 ("服务商90个"), a "是什么意思"
 * question where the term is followed by its explanation ("“小快轻准”（小型化、…）", "设备联网率：指…"), a
 * who-question where an agent is named ("由市经信局牵头"), a where-question where the pack's regions are
 * named. Curator notes that the corpus adds to excerpts ("完整性说明：…", "价值：…", "备注（非原文）") describe
 * the document rather than the policy, so they never outrank a clause that matches as well.
 */
import { toHalfWidth } from './figures.ts';
import type { QuestionKind } from './question.ts';

export interface Cues {
  /** The noun a count question counts ("多少家数字化服务商" → its bigrams) and its unit (家, 人 …). */
  counted?: { unit?: string; grams: string[] };
  /** The term a definition question asks about ("小快轻准是什么意思" → 小快轻准). */
  defined?: string;
  /** Names of the pack's regions (with aliases), which answer a where-question. */
  places: string[];
  /** The noun a "什么样的X" question wants qualified ("什么样的营商环境" → 营商环境). */
  qualified?: string;
  /** One part of a code the question asks about ("“1+3+N”宣传活动里的3" → 3). */
  component?: string;
}

// "由金华市经信局牵头", "市财政局负责": the agent a who-question asks for.
export const AGENT = /由[^，。；]{2,20}(牵头|负责|编制|组织|承担)|[局委办院中心会](牵头|负责)/;

const NOTE = /^\s*[>*\s]*(完整性说明|价值[：:]|备注（非原文）|背景（新闻稿|【缺失|【以下原文缺失】)/;

/** A curator's note about the excerpt, not text of the policy itself. */
export function isCuratorNote(text: string): boolean {
  return NOTE.test(text);
}

// 多少/几, an optional counting unit, then the counted noun (up to the next particle or punctuation).
const COUNTED = /(?:多少|几)(个|家|项|名|位|批|户|人|所|座|次)?([\p{Script=Han}A-Za-z]{0,8})/u;
// Units that on their own say what is counted ("多少人以下" is answered by "1000人以下").
const TELLING_UNITS = new Set(['人', '户', '名', '位']);
const DEFINE = /^(?:请问)?[“"]?(.{2,16}?)[”"]?(?:这个说法|这个词|这个概念)?(?:是什么意思|什么意思|啥意思|是指什么|指什么|的含义|的定义|怎么定义|如何定义|怎么算|如何计算|怎么计算|是怎么认定的?|如何认定|怎么认定)|^(?:请问)?什么(?:是|叫)[“"]?(.{2,16}?)[”"]?[？?]?$/;

export function questionCues(question: string, kind: QuestionKind, places: string[]): Cues {
  const q = toHalfWidth(question).replace(/\s+/g, '');
  const cues: Cues = { places };
  if (kind === 'count') {
    const m = q.match(COUNTED);
    if (m) {
      // The noun ends where the sentence goes on ("企业用过…", "以下算中小企业" has none).
      const noun = (m[2] ?? '')
        .replace(/^(及以上|以上|以下|左右|的|是|在|有|要)/, '')
        .split(/[算是为能要有的了吗呢用在过]/)[0]!
        .slice(0, 6);
      const grams: string[] = [];
      for (let i = 0; i + 1 < noun.length; i++) grams.push(noun.slice(i, i + 2));
      if (grams.length || (m[1] && TELLING_UNITS.has(m[1]))) cues.counted = { unit: m[1], grams };
    }
  }
  const d = q.match(DEFINE);
  const term = (d?.[1] ?? d?.[2])?.replace(/^(这个|那个|所谓的?)/, '');
  if (term && term.length >= 2) cues.defined = term;
  const k = q.match(/什么样的?([\p{Script=Han}]{2,8}?)(?:[？?]|$)/u);
  if (k) cues.qualified = k[1];
  const c = q.match(/([0-9A-Za-z]+(?:\+[0-9A-Za-z]+)+)[^，。？?]*?(?:里|中)的?[“"]?([0-9A-Za-z]+)[”"]?(?:是|指|代表)/);
  if (c && c[1]!.split('+').includes(c[2]!)) cues.component = c[2];
  return cues;
}

const NUMBER = /(?<![\d.])\d+(?:\.\d+)?\s*(?:万|亿)?\s*(?:余|多)?\s*([个家项名位批户人所座次])?\s*(?:以上|左右|以下|余|多)?/g;

/** A number stands next to the counted noun: "66个试点城市", "服务商90个", "24万余家中小企业", "1000人以下". */
export function statesCount(text: string, counted: NonNullable<Cues['counted']>): boolean {
  const t = toHalfWidth(text);
  for (const m of t.matchAll(NUMBER)) {
    const end = m.index! + m[0].length;
    // A year or a date is no count.
    if (/^[年月日号%]/.test(t.slice(end))) continue;
    if (counted.unit && TELLING_UNITS.has(counted.unit) && m[1] === counted.unit) return true;
    const after = t.slice(end, end + 14).split(/[，。；：,;:、（）()]/)[0]!;
    const before = t.slice(Math.max(0, m.index! - 8), m.index!).split(/[，。；：,;:、（）()]/).pop()!;
    if (counted.grams.some((g) => after.includes(g) || before.includes(g))) return true;
  }
  return false;
}

/**
 * The term is followed by its explanation: "：（是）指…", "是指", "即", or a parenthesis that spells it out
 * ("（小型化、快速化、…）"), not one that tags it ("（单选）").
 */
export function definesTerm(text: string, term: string): boolean {
  const t = toHalfWidth(text);
  let at = t.indexOf(term);
  while (at >= 0) {
    const rest = t.slice(at + term.length, at + term.length + 40);
    if (/^[”"]?\s*([：:]\s*(是指|指|即)?|，?即|是指|指的是|，?是指)/.test(rest)) return true;
    if (/^[”"]?\s*[（(][^（()）]*([、，,]|即|指)[^（()）]*[）)]/.test(rest)) return true;
    at = t.indexOf(term, at + 1);
  }
  return false;
}

/** Whether `text` shows the cue of the question's kind (agent, count, definition, place). */
export function showsCue(text: string, kind: QuestionKind, cues: Cues | undefined): boolean {
  if (!cues) return false;
  if (cues.defined && definesTerm(text, cues.defined)) return true;
  // "全力打造“尊企、助企、惠企、安企”的营商环境" says what kind; "打造最优营商环境" barely does.
  if (cues.qualified && new RegExp(`[”"]的?${escapeRe(cues.qualified)}`).test(text)) return true;
  if (kind === 'who') return AGENT.test(text);
  if (kind === 'count' && cues.counted) return statesCount(text, cues.counted);
  if (kind === 'where') return cues.places.some((p) => text.includes(p));
  return false;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The part of an enumeration that begins with the asked component ("3个细分行业分别召开专场会"). */
export function beginsWithComponent(sentence: string, component: string): boolean {
  return new RegExp(`^[“"]?${escapeRe(component)}[”"]?\\s*(个|场|项|大|家|类|是|即|[：:、，,])`, 'i').test(sentence.trim());
}

// "1998-2006年", "2007—2010年", "2011年开始至今", "2011年起": a sentence that covers one period.
const PERIOD = /(\d{4})\s*(?:年?\s*[-—–至到]\s*\d{4}\s*年|年(?:开始|起|以来|以后))/;

/** The first year of the period a sentence covers, if it covers one. */
export function periodStart(sentence: string): number | undefined {
  const m = toHalfWidth(sentence).match(PERIOD);
  return m ? Number(m[1]) : undefined;
}
