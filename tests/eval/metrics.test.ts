/** The scoring rules on hand-made cases: each rule is exercised where it would be easy to get wrong. */
import { describe, expect, it } from 'vitest';
import { evaluation } from '../../knowledge/index.ts';
import { parseEvalArgs } from '../../console/cli/eval.ts';

const { answerContainsAll, evidenceRank, percentile, summarize, scoreItem, parseEvalSet } = evaluation;
type EvalItem = evaluation.EvalItem;

const item = (over: Partial<EvalItem> & { id: string }): EvalItem => ({ q: '问题', evidence: [], answer_contains: [], abstain: false, ...over });

describe('evidenceRank', () => {
  const passages = ['第一段：无关内容。', '达到二级、三级、四级的试点项目按照实际投入分别给予\n最高50万元、 80万元、100万元补助', '表1\t拟改造规上工业中小企业数量（家）\t93'];
  it('finds evidence ignoring whitespace (tabs, newlines, spaces) on either side', () => {
    expect(evidenceRank(passages, ['最高50万元、80万元、100万元补助'])).toBe(2);
    expect(evidenceRank(passages, ['拟改造 规上工业中小企业数量（家）'])).toBe(3);
  });
  it('takes the best rank over several evidence strings', () => {
    expect(evidenceRank(passages, ['拟改造规上工业中小企业数量', '无关内容'])).toBe(1);
  });
  it('folds full-width characters', () => {
    expect(evidenceRank(['投入５０万元'], ['投入50万元'])).toBe(1);
  });
  it('returns null when missing, beyond the depth, or with no evidence', () => {
    expect(evidenceRank(passages, ['最高60万元'])).toBeNull();
    expect(evidenceRank(passages, ['拟改造规上'], 2)).toBeNull();
    expect(evidenceRank(passages, [])).toBeNull();
    expect(evidenceRank(passages, ['  '])).toBeNull();
  });
  it('does not match a substring split across two passages', () => {
    expect(evidenceRank(['最高50万元、', '80万元补助'], ['最高50万元、80万元补助'])).toBeNull();
  });
});

describe('passageOf', () => {
  it('shows a hit as its section path then its text, so a heading-held fact counts', () => {
    const hit = { sectionPath: ['五、推进计划', '（一）第一阶段（2024年9月-2025年12月）', '1.'], text: '1.2024年9月—2024年11月：编制国家试点工作实施方案' };
    const passage = evaluation.passageOf(hit as never);
    expect(evidenceRank([passage], ['第一阶段（2024年9月-2025年12月）'])).toBe(1);
    expect(evidenceRank([passage], ['编制国家试点工作实施方案'])).toBe(1);
  });
});

describe('answerContainsAll', () => {
  it('treats 万 and 万元 alike, in both directions', () => {
    expect(answerContainsAll('最高给予80万元补助', ['80万'])).toBe(true);
    expect(answerContainsAll('最高给予80万补助', ['80万元'])).toBe(true);
  });
  it('ignores whitespace and needs every string', () => {
    expect(answerContainsAll('第一年 50 %，第二年40%', ['50%', '40%'])).toBe(true);
    expect(answerContainsAll('第一年50%', ['50%', '40%'])).toBe(false);
  });
  it('does not confuse different amounts', () => {
    expect(answerContainsAll('最高8万元', ['80万'])).toBe(false);
    expect(answerContainsAll('最高80万元', ['8万'])).toBe(false);
  });
  it('is true for an empty expectation', () => {
    expect(answerContainsAll('anything', [])).toBe(true);
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 95)).toBe(10);
    expect(percentile(xs, 10)).toBe(1);
    expect(percentile([], 95)).toBe(0);
    expect(percentile([7], 50)).toBe(7);
  });
});

describe('scoring and summary', () => {
  const a = item({ id: 'a', evidence: ['五十'], answer_contains: ['50万'] });
  const b = item({ id: 'b', evidence: ['八十'], answer_contains: ['80万'] });
  const c = item({ id: 'c', evidence: ['一百'], answer_contains: ['100万'] });
  const x = item({ id: 'x', abstain: true });
  const y = item({ id: 'y', abstain: true });
  const ans = (text: string, abstained = false, ms = 10) => ({ text, abstained, ms });
  const outcomes: evaluation.ItemOutcome[] = [
    { item: a, passages: ['五十万'], searchMs: 1, answer: ans('最高50万元') }, // rank 1, correct
    { item: b, passages: ['x', 'x', 'x', 'x', 'x', 'x', '八十'], searchMs: 2, answer: ans('最高80万') }, // rank 7: miss @5, in MRR
    { item: c, passages: ['x', '一百'], searchMs: 3, answer: ans('没有依据', true) }, // rank 2, false abstention
    { item: x, passages: ['x'], searchMs: 4, answer: ans('没有依据', true, 40) }, // correct abstention
    { item: y, passages: ['x'], searchMs: 5, answer: ans('最高50万元', false, 50) }, // answered out of scope
  ];

  it('scores items per the definitions', () => {
    expect(scoreItem(outcomes[0]!, 5)).toEqual({ id: 'a', hit: true, rank: 1, answerOk: true, abstained: false });
    expect(scoreItem(outcomes[1]!, 5)).toEqual({ id: 'b', hit: false, rank: 7, answerOk: true, abstained: false });
    expect(scoreItem(outcomes[2]!, 5)).toEqual({ id: 'c', hit: true, rank: 2, answerOk: false, abstained: true });
    expect(scoreItem(outcomes[3]!, 5)).toEqual({ id: 'x', hit: null, rank: null, answerOk: true, abstained: true });
    expect(scoreItem(outcomes[4]!, 5)).toEqual({ id: 'y', hit: null, rank: null, answerOk: false, abstained: false });
    expect(scoreItem(outcomes[1]!, 10).hit).toBe(true);
  });

  it('summarises retrieval over items with evidence, answers over in-scope items, abstention over the rest', () => {
    const s = summarize(outcomes, 5);
    expect(s.n).toBe(5);
    expect(s.retrieval).toMatchObject({ n: 3, hit1: 0.333, hit5: 0.667, mrr: Math.round(((1 + 1 / 7 + 1 / 2) / 3) * 1000) / 1000 });
    expect(s.answer).toEqual({ n: 3, accuracy: 0.667 });
    expect(s.abstain).toEqual({ correct: 1, total: 2, accuracy: 0.5, falseAbstain: 0.333, falseAbstainCount: 1 });
    expect(s.latency).toEqual({ p50: 10, p95: 50 });
    expect(s.search).toEqual({ p50: 3, p95: 5 });
  });

  it('reports answer figures as null for retrieval-only systems', () => {
    const s = summarize(outcomes.map(({ answer: _drop, ...rest }) => rest), 5);
    expect(s.answer.accuracy).toBeNull();
    expect(s.abstain).toMatchObject({ total: 0, accuracy: null, falseAbstain: null });
    expect(s.items.every((i) => i.answerOk === null && i.abstained === null)).toBe(true);
  });

  it('prints ours against the baselines side by side', () => {
    const ours = summarize(outcomes, 5);
    const bm25 = summarize(outcomes.map(({ answer: _drop, ...rest }) => rest), 5);
    const table = evaluation.formatComparison([{ name: 'ours', summary: ours }, { name: 'bm25', summary: bm25 }]);
    expect(table.split('\n')[0]).toMatch(/^metric\s+\|\s+ours \|\s+bm25$/);
    expect(table).toMatch(/hit@5\s+\|\s+0\.667 \|\s+0\.667/);
    expect(table).toMatch(/answer accuracy\s+\|\s+0\.667 \|\s+—/);
    expect(table).toMatch(/abstain accuracy\s+\|\s+0\.500 \(1\/2\) \|/);
    expect(table).toMatch(/false abstentions\s+\|\s+0\.333 \(1\/3\) \|/);
    expect(evaluation.formatFailures(ours, new Map([['b', '八十？']]))).toContain('b  evidence at rank 7  八十？');
  });

  it('produces the documented --json shape', () => {
    const json = evaluation.toJsonReport(summarize(outcomes, 5));
    expect(Object.keys(json).sort()).toEqual(['abstain', 'answer', 'items', 'latency', 'n', 'retrieval']);
    expect(Object.keys(json.retrieval).sort()).toEqual(['hit1', 'hit5', 'mrr']);
    expect(Object.keys(json.abstain).sort()).toEqual(['correct', 'falseAbstain', 'total']);
    expect(json.items[1]).toEqual({ id: 'b', hit: false, rank: 7, answerOk: true, abstained: false });
  });
});

describe('parseEvalSet', () => {
  it('defaults missing fields as the shared set writes them', () => {
    const [i] = parseEvalSet('{"id":"d20","q":"推荐几部好看的电影","abstain":true}\n\n');
    expect(i).toEqual({ id: 'd20', q: '推荐几部好看的电影', evidence: [], answer_contains: [], abstain: true });
  });
  it('names the line of a bad item', () => {
    expect(() => parseEvalSet('{"id":"a","q":"x"}\n{"id":"b"}')).toThrow(/:2: q/);
    expect(() => parseEvalSet('{"id":"a","q":"x"}\nnot json')).toThrow(/:2: not valid JSON/);
    expect(() => parseEvalSet('{"id":"a","q":"x"}\n{"id":"a","q":"y"}')).toThrow(/duplicate id a/);
    expect(() => parseEvalSet('{"id":"a","q":"x","abstain":true,"evidence":["e"]}')).toThrow(/abstain item/);
    expect(() => parseEvalSet('')).toThrow(/no questions/);
  });
});

describe('parseEvalArgs', () => {
  it('reads the documented options', () => {
    expect(parseEvalArgs(['f.jsonl', '--k', '3', '--json', '--baselines'])).toEqual({ file: 'f.jsonl', k: 3, json: true, baselines: true, configDb: false });
    expect(parseEvalArgs(['--k=10', 'f.jsonl']).k).toBe(10);
  });
  it('rejects bad input with a clear message', () => {
    expect(() => parseEvalArgs([])).toThrow(/no question file/);
    expect(() => parseEvalArgs(['f', '--k', 'zero'])).toThrow(/--k must be an integer/);
    expect(() => parseEvalArgs(['f', '--nope'])).toThrow(/unknown option --nope/);
  });
});
