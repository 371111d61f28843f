/**
 * Reads an officer's progress question ("永康电动工具签约多少家", "全市二级达标率", "本季度区县排名",
 * "东阳磁性材料还有哪些企业没验收") into a structured query: what is asked (a stage count, a KPI, a
 * list, the ranking, a summary), for which region and industry, which year or quarter, and which page.
 * Pure: the pack's names come in through the vocabulary; unknown names come back with suggestions.
 */
import {
  STAGES,
  STAGE_NAMES,
  parseQuarter,
  previousQuarter,
  quarterOf,
  type Quarter,
  type StageId,
  type Vocabulary,
} from '../../../knowledge/progress/index.ts';

export type Metric = 'stage' | 'level2' | 'littleGiant' | 'srdi' | 'cloud' | 'summary';

export type ProgressQuestion =
  | { kind: 'ranking'; quarter: Quarter; industry?: string }
  | { kind: 'list'; region?: string; industry?: string; reached?: StageId; notReached?: StageId; page: number; cityWide: boolean }
  | { kind: 'figure'; metric: Metric; stage?: StageId; region?: string; industry?: string; year?: number; cityWide: boolean }
  | { kind: 'unknownName'; what: 'region' | 'industry'; text: string; suggestions: string[] };

const STAGE_WORDS = STAGES.map((s) => ({ stage: s, word: STAGE_NAMES[s] }));
const CITY_WORDS = /全市|全金华|金华全市|全部区县|各区县|整体/;
const PROGRESS_WORDS = /签约|诊断|实施|验收|达标|兑现|入库|排名|晾晒|排行|二级|小巨人|专精特新|上云|用云|进度|进展|完成率|完成情况|目标|台账|多少家|几家|哪些企业|名单/;
// Policy questions mention these; they belong to Q&A even when they name a stage ("达标奖励多少").
const POLICY_WORDS = /补助|补贴|奖励|奖补|申请|条件|怎么|如何|需要什么|材料|流程|政策|资格|标准|多少钱|万元/;

/** True when free text from an officer looks like a progress question rather than a policy one. */
export function looksLikeProgressQuestion(text: string, vocab: Vocabulary): boolean {
  // Names can contain policy words (磁性材料 has 材料): judge the question without them.
  let rest = text;
  for (const w of [...vocab.industryWords, ...vocab.regionWords]) rest = rest.split(w).join(' ');
  return PROGRESS_WORDS.test(text) && !POLICY_WORDS.test(rest);
}

const INDUSTRY_PHRASE = /([\u4e00-\u9fff]{2,4}?)(行业|产业)/;

/** A place name ending in 市/县/区 that is not one of the pack's regions (nor the city itself). */
function unknownRegion(text: string, vocab: Vocabulary): ProgressQuestion | null {
  for (const m of text.matchAll(/([\u4e00-\u9fff]{2,3}?)(市|县|区)/g)) {
    const name = m[0];
    if (/^(全市|本市|金华市?|市区|全区|各区|区县|县市|城区|园区)$/.test(name) || name.startsWith('全') || name.startsWith('各')) continue;
    if (vocab.cityProper && [vocab.cityProper.name, ...vocab.cityProper.aliases].some((a) => name.includes(a))) continue;
    if (vocab.resolveRegion(name)) continue;
    return { kind: 'unknownName', what: 'region', text: name, suggestions: vocab.suggestRegions(name) };
  }
  return null;
}

function unknownIndustry(text: string, vocab: Vocabulary): ProgressQuestion | null {
  const m = INDUSTRY_PHRASE.exec(text);
  if (!m) return null;
  // "永康汽配行业": the place is a scope, not part of the industry's name.
  const prefix = vocab.regionWords.find((w) => m[1].startsWith(w) && m[1].length > w.length);
  const name = prefix ? m[1].slice(prefix.length) : m[1];
  return { kind: 'unknownName', what: 'industry', text: name, suggestions: vocab.suggestIndustries(name) };
}

export function parseProgressQuestion(raw: string, vocab: Vocabulary, today: string): ProgressQuestion {
  let text = raw.normalize('NFKC').replace(/\s+/g, '');
  let page = 1;
  const pm = /第(\d+)页$/.exec(text);
  if (pm) {
    page = Math.max(1, Number(pm[1]));
    text = text.slice(0, pm.index);
  }
  const region = vocab.findRegion(text)?.region;
  const industry = vocab.findIndustry(text)?.industry;
  const cityWide = !region && CITY_WORDS.test(text);

  // The ranking covers every district, so place names in it are not a scope.
  if (/排名|晾晒|排行|前三/.test(text)) {
    const explicit = parseQuarter(text);
    const current = quarterOf(today);
    const quarter = explicit ?? (/上季度|上一季度|上个季度/.test(text) ? previousQuarter(current) : current);
    if (!industry) {
      const unknown = unknownIndustry(text, vocab);
      if (unknown) return unknown;
    }
    return { kind: 'ranking', quarter, ...(industry ? { industry } : {}) };
  }
  const unknown = (!region && unknownRegion(text, vocab)) || (!industry && unknownIndustry(text, vocab));
  if (unknown) return unknown;

  const scope = { ...(region ? { region } : {}), ...(industry ? { industry } : {}), cityWide };
  const negated = /(?:还|仍|尚)?(?:没有|没|未|尚未|还未|不曾)(?:有)?(?:完成)?(入库|签约|诊断|实施|验收|达标|兑现)/.exec(text);
  const stageWord = STAGE_WORDS.find((s) => text.includes(s.word));
  if (/哪些|名单|列表|清单|哪几家|有谁|明细|列出/.test(text)) {
    if (negated) return { kind: 'list', ...scope, notReached: STAGE_WORDS.find((s) => s.word === negated[1])!.stage, page };
    return { kind: 'list', ...scope, ...(stageWord ? { reached: stageWord.stage } : {}), page };
  }

  const ym = /(20\d{2})年(?!第?[一二三四1-4]季)/.exec(text);
  const thisYear = Number(today.slice(0, 4));
  const year = ym ? Number(ym[1]) : /今年|本年度/.test(text) ? thisYear : /去年/.test(text) ? thisYear - 1 : undefined;
  const base = { ...scope, ...(year ? { year } : {}) };
  if (/二级|达标率/.test(text)) return { kind: 'figure', metric: 'level2', ...base };
  if (/小巨人/.test(text)) return { kind: 'figure', metric: 'littleGiant', ...base };
  if (/专精特新/.test(text)) return { kind: 'figure', metric: 'srdi', ...base };
  if (/上云|用云/.test(text)) return { kind: 'figure', metric: 'cloud', ...base };
  if (stageWord) return { kind: 'figure', metric: 'stage', stage: stageWord.stage, ...base };
  return { kind: 'figure', metric: 'summary', ...base };
}
