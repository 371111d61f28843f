/**
 * The answer-selection rules, each with a pure check and, where the rule is about which clause or sentence
 * answers, a question on the real knowledge base phrased differently from the dev set's.
 */
import { describe, expect, it } from 'vitest';
import { definesTerm, isCuratorNote, periodStart, questionCues, statesCount } from '../../knowledge/answer/cues.ts';
import { extractFigures } from '../../knowledge/answer/figures.ts';
import { chooseLead, type ScoredSentence } from '../../knowledge/answer/lead.ts';
import { contentOf as termsOf, coverage } from '../../knowledge/answer/overlap.ts';
import { classifyQuestion } from '../../knowledge/answer/question.ts';
import { packLexicon } from '../../knowledge/base/lexicon.ts';
import { loadPack } from '../../knowledge/index.ts';
import { Tokenizer } from '../../knowledge/text/index.ts';
import { useExtractiveAnswerer } from './kb.ts';

const NOW = new Date('2026-05-10T04:00:00Z');

describe('question terms', () => {
  // The knowledge base's own tokenizer with the pack lexicon, as the answerer gets it injected.
  const tokenizer = new Tokenizer(packLexicon(loadPack('jinhua')));
  // Compared without the spaces between words: how the lexicon cuts 项目验收 is not the point here.
  const contentOf = (q: string) => termsOf(q, tokenizer).replace(/\s+/g, '');
  it('drops interrogative phrases, keeping the topic', () => {
    expect(contentOf('项目验收结果拿来干什么用')).toBe('项目验收结果');
    expect(contentOf('试点企业管理办法叫什么名字')).toBe('试点企业管理办法');
    expect(contentOf('2024年试点优先纳入哪类企业')).not.toMatch(/类/);
    expect(contentOf('区县晾晒考核看哪些指标')).toBe('区县晾晒考核指标');
    expect(contentOf('设备联网率是什么意思')).not.toMatch(/意思/);
    expect(contentOf('第一批什么时候验收')).not.toMatch(/时候/);
    expect(contentOf('天台的项目要在多长时间内完成')).not.toMatch(/时间|长/);
  });

  it('counts a lone character half, since it also matches inside unrelated words', () => {
    const idf = { idf: () => 1 };
    // "出" is found only inside 出台: it must not outweigh a whole word the passage lacks.
    expect(coverage(['出', '三级'], '鼓励各地出台专项政策', idf)).toBeLessThan(coverage(['出', '三级'], '三级财政专项资金', idf));
  });
});

describe('question kinds', () => {
  it('asks for an amount only when it asks how much', () => {
    expect(classifyQuestion('达到三级最高补助多少').kind).toBe('amount');
    expect(classifyQuestion('小灯塔奖补怎么测算').kind).toBe('amount');
    expect(classifyQuestion('验收通过了才能拿补助吗').kind).not.toBe('amount');
    expect(classifyQuestion('补助资金由哪几级财政出').kind).not.toBe('amount');
  });
  it('reads 哪天 as a date and 哪几个县市 as a place', () => {
    expect(classifyQuestion('管理办法是哪天印发的').kind).toBe('date');
    expect(classifyQuestion('服装行业在哪几个县市试点').kind).toBe('where');
    expect(classifyQuestion('试点企业有几家').kind).toBe('count');
  });
});

describe('figures and cues', () => {
  it('reads a magnitude before a counting unit as a count', () => {
    expect(extractFigures('推动4万家以上中小企业')[0]).toMatchObject({ kind: 'count', value: 40000 });
    expect(extractFigures('已有24万余家中小企业')[0]).toMatchObject({ kind: 'count', value: 240000 });
    expect(extractFigures('最高50万元补助')[0]).toMatchObject({ kind: 'amount', value: 500000 });
  });

  it('reads 财建〔2023〕117号 as a document number, 6月5号 as a date', () => {
    expect(extractFigures('财建〔2023〕117号文').map((f) => f.kind)).toEqual(['number', 'number']);
    expect(extractFigures('6月5号').map((f) => f.kind)).toEqual(['date', 'date']);
  });

  it('finds the counted noun next to a number, either side, and not a year', () => {
    const cities = questionCues('前两批一共遴选了多少个试点城市', 'count', []).counted!;
    expect(statesCount('遴选两批66个试点城市', cities)).toBe(true);
    expect(statesCount('2023年试点城市工作通知', cities)).toBe(false);
    const providers = questionCues('要培育多少家数字化服务商', 'count', []).counted!;
    expect(statesCount('细分行业数字化服务商90个', providers)).toBe(true);
    expect(statesCount('培育服务商，建设平台3个', providers)).toBe(false);
    const people = questionCues('工业企业多少人以下算中小企业', 'count', []).counted!;
    expect(people.grams).toEqual([]);
    expect(statesCount('从业人员1000人以下', people)).toBe(true);
    expect(statesCount('年产值1亿元以下', people)).toBe(false);
  });

  it('sees a definition in an explanation, not in a tag', () => {
    expect(questionCues('小快轻准是什么意思', 'other', []).defined).toBe('小快轻准');
    expect(questionCues('设备联网率怎么算', 'other', []).defined).toBe('设备联网率');
    expect(definesTerm('打造“小快轻准”（小型化、快速化、轻量化、精准化）产品', '小快轻准')).toBe(true);
    expect(definesTerm('设备联网率：指联网设备占设备总数的比重', '设备联网率')).toBe(true);
    expect(definesTerm('题目：企业的生产设备联网率（单选）', '设备联网率')).toBe(false);
  });

  it('reads what-kind and code-part questions', () => {
    expect(questionCues('要打造什么样的营商环境', 'other', []).qualified).toBe('营商环境');
    expect(questionCues('“1+3+N”中的3指的是什么', 'other', []).component).toBe('3');
    expect(questionCues('1+3+N中的5是什么', 'other', []).component).toBeUndefined();
  });

  it('recognises the curator notes of excerpts', () => {
    expect(isCuratorNote('完整性说明：只得到通知开头')).toBe(true);
    expect(isCuratorNote('价值：说明浙江“三个全覆盖”的定位')).toBe(true);
    expect(isCuratorNote('备注（非原文）：工业包括采矿业')).toBe(true);
    expect(isCuratorNote('对列入市级优秀“小快轻准”数字化产品的，给予最高10万元奖励')).toBe(false);
  });
});

describe('the lead sentence of a clause', () => {
  const s = (sentence: string, score: number): ScoredSentence => ({ sentence, score, window: { text: sentence, score } });
  const periods = [s('“规模以上工业企业”，1998-2006年，是指年主营业务收入500万元及以上；', 0.9), s('2007-2010年，统计范围调整为500万元及以上；', 0.6), s('2011年开始至今，统计范围为2000万元及以上。', 0.5)];

  it('is the period in force when the question names no year', () => {
    expect(periodStart(periods[2]!.sentence)).toBe(2011);
    expect(chooseLead(periods, periods[0]!, { question: '规上工业企业怎么认定', kind: 'other' }).sentence).toContain('2000万元');
    expect(chooseLead(periods, periods[0]!, { question: '2006年规上工业企业怎么认定', kind: 'other' })).toBe(periods[0]);
  });

  it('is the part that begins with the asked component', () => {
    const parts = [s('开展“1+3+N”，即召开1场大会；', 0.9), s('3个细分行业分别召开专场会；', 0.3)];
    expect(chooseLead(parts, parts[0]!, { question: '“1+3+N”中的3指的是什么', kind: 'other', cues: questionCues('“1+3+N”中的3指的是什么', 'other', []) })).toBe(parts[1]);
  });
});

describe('answer selection on the real knowledge base', () => {
  const kb = useExtractiveAnswerer();

  const lead = async (q: string) => {
    const a = await kb.answerer().answer(q, { now: NOW });
    expect(a.abstained, q).toBe(false);
    return { a, first: a.text.split('\n')[0]! };
  };

  it('reads a numbered clause title as context for each of its sentences', async () => {
    const { a } = await lead('总包商遴选按照什么思路来');
    expect(a.citations[0]!.quote).toContain('分类竞合');
  });

  it('leads with the sentence holding the asked date, quoting the best-matching sentence too', async () => {
    const { a, first } = await lead('温州那个资金管理办法是哪一天发的');
    expect(first).toContain('2025年9月12日');
    expect(a.citations[0]!.quote).toContain('管理办法');
    expect(a.citations[0]!.quote).toContain('2025年9月12日');
  });

  it('answers a count with the number that stands next to the counted noun', async () => {
    const { first } = await lead('全国一共有多少个试点城市');
    expect(first).toContain('66个试点城市');
  });

  it('answers a name question instead of abstaining on its interrogative words', async () => {
    const { a } = await lead('竣工验收工作办法叫什么名字');
    expect(a.text).toContain('竣工验收工作办法》');
  });

  it('prefers the sentence holding the year the question names', async () => {
    const { first } = await lead('赋能专项行动到2027年专精特新企业改造要达到什么要求');
    expect(first).toContain('应改尽改');
  });

  it('answers a what-kind question with the qualified phrase', async () => {
    const { first } = await lead('要营造什么样的营商环境');
    expect(first).toContain('尊企、助企、惠企、安企');
  });

  it('reads "26年" as the 2026年 column of 表1', async () => {
    const { a, first } = await lead('26年规下企业要改造几家');
    expect(first).toContain('2026年为9');
    expect(a.citations[0]!.section).toBe('表1 > 拟改造规下工业中小企业数量（家） > 2026年');
  });

  it('cites the validity clause where it stands: at the end of the document', async () => {
    const { a } = await lead('这个意见施行到哪一天');
    expect(a.citations.find((c) => c.quote.includes('2026年9月30日'))?.section).toBe('结尾（施行期限）');
    expect(a.text).toMatch(/结尾（施行期限）/);
  });

  it('reads questions with the knowledge base tokenizer, which keeps the pack lexicon words whole', () => {
    expect(kb.kit().knowledge.tagger.tag('数字化改造总包商怎么遴选').map((t) => t.word)).toContain('总包商');
  });

  it('never answers from a curator note when a clause matches', async () => {
    const { a } = await lead('三个试点行业分别是什么');
    expect(a.text).not.toMatch(/完整性说明|全部缺失|其后内容缺失/);
    expect(a.text).toContain('磁性材料');
  });
});
