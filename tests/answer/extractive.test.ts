import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alignEnumerations } from '../../knowledge/answer/extractive.ts';
import { useExtractiveAnswerer } from './kb.ts';

const CLAUSE_17 = '四、工作内容 > （四）加大数字化改造资金支持 > 17.';
const TITLE = '金华市推进中小企业数字化转型城市试点建设实施意见（征求意见稿）';
const BEFORE = new Date('2026-05-10T04:00:00Z');
const AFTER = new Date('2026-11-29T04:00:00Z');

describe('extractive answers on the real primary document', () => {
  const kb = useExtractiveAnswerer();

  it('aligns 二级、三级、四级 with 50万元、80万元、100万元 and leads with 80万元 for 三级', async () => {
    const a = await kb.answerer().answer('达到三级的试点项目最高补助多少？', { now: BEFORE });
    expect(a.mode).toBe('extractive');
    expect(a.abstained).toBe(false);
    const first = a.text.split('\n')[0]!;
    expect(first).toContain('80万元');
    expect(first).not.toMatch(/50万元|100万元/);
    expect(a.citations[0]).toMatchObject({ document: TITLE, section: CLAUSE_17, kind: 'clause' });
    expect(a.citations[0]!.quote).toContain('最高50万元、80万元、100万元补助');
    // Order: direct sentence, then the quote, then the citation.
    expect(a.text.indexOf('80万元')).toBeLessThan(a.text.indexOf('“'));
    expect(a.text.indexOf('“')).toBeLessThan(a.text.indexOf(`《${TITLE}》 ${CLAUSE_17}`));
  });

  it('states the whole enumeration when the question names no level', async () => {
    const a = await kb.answerer().answer('试点项目最高补助多少', { now: BEFORE });
    expect(a.text.split('\n')[0]).toMatch(/50万元、80万元、100万元/);
  });

  it('picks the figure for the year the question names', async () => {
    const first = await kb.answerer().answer('试点第一年的补助比例上限', { now: BEFORE });
    expect(first.text.split('\n')[0]).toContain('50%');
    expect(first.text.split('\n')[0]).not.toContain('40%');
    const second = await kb.answerer().answer('第二年的补助比例是多少', { now: BEFORE });
    expect(second.text.split('\n')[0]).toContain('40%');
  });

  it('answers from 表1 with the row and the column cited', async () => {
    const a = await kb.answerer().answer('专精特新中小企业2025年要改造多少', { now: BEFORE });
    expect(a.text.split('\n')[0]).toContain('110');
    expect(a.citations[0]).toMatchObject({ kind: 'table', section: '表1 > 拟改造企业中专精特新中小企业数量 > 2025年' });
  });

  it('meets the targets on the shared dev questions and our calibration sets', async () => {
    const read = (f: string) =>
      fs
        .readFileSync(new URL(f, import.meta.url), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as { id: string; q: string; abstain?: boolean; answer_contains?: string[] });
    // The original shared questions (d01–d20), every out-of-scope item of the eval set, and ours.
    const items = [
      ...read('../eval/dev-qa.jsonl').filter((i) => /^d\d+$/.test(i.id) || i.abstain),
      ...read('./data/in-scope.jsonl'),
      ...read('./data/out-of-scope.jsonl'),
    ];
    let correct = 0;
    let answerable = 0;
    let falseAbstentions = 0;
    const misses: string[] = [];
    for (const item of items) {
      const a = await kb.answerer().answer(item.q, { now: BEFORE });
      if (item.abstain) expect(a.abstained, item.q).toBe(true);
      else {
        answerable++;
        if (a.abstained) falseAbstentions++;
        else if (item.answer_contains!.every((s) => a.text.includes(s))) correct++;
        else misses.push(`${item.id} ${item.q}`);
      }
    }
    expect(correct / answerable, misses.join('\n')).toBeGreaterThanOrEqual(0.9);
    expect(falseAbstentions / answerable).toBeLessThan(0.05);
  });

  it('never lets figures in the lead sentence come from anywhere but the quoted clause', async () => {
    for (const q of ['达到四级的试点项目最高补助多少', '链式转型模式要打造几个', '2024年计划打造几家数字化水平四级试点企业']) {
      const a = await kb.answerer().answer(q, { now: BEFORE });
      const lead = a.text.split('\n')[0]!;
      for (const n of lead.match(/\d+(?:\.\d+)?/g) ?? []) expect(a.citations.map((c) => c.quote).join(' '), `${q}: ${n}`).toContain(n);
    }
  });
});

describe('enumeration alignment', () => {
  it('keeps the named item and its figure only', () => {
    const r = alignEnumerations('改造后数字化水平达到二级、三级、四级的试点项目按照实际投入分别给予最高50万元、80万元、100万元补助', '四级最高多少');
    expect(r?.text).toBe('改造后数字化水平达到四级的试点项目按照实际投入给予最高100万元补助');
    expect(r?.figure).toBe('100万元');
  });
  it('does nothing when the question names no item or several', () => {
    expect(alignEnumerations('达到二级、三级、四级的项目分别给予最高50万元、80万元、100万元补助', '最高多少')).toBeUndefined();
    expect(alignEnumerations('达到二级、三级、四级的项目分别给予最高50万元、80万元、100万元补助', '二级和三级差多少')).toBeUndefined();
  });
});
