/**
 * The answer cache in front of the extractive answerer (knowledge/cache), through the real HTTP app:
 * a repeated question is served from the cache, yet every input the answer depends on still counts — a
 * FAQ pair added, edited or disabled takes effect on the very next question, a follow-up is answered
 * against its own conversation's history, and a period-status answer follows the date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faqRepo } from '../../db/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

let now = new Date('2026-05-10T04:00:00Z');
let app: TestApp;
let n = 0;

async function ask(text: string, user = `cache-${n++}`): Promise<{ text: string; kind?: string; abstained: boolean }> {
  const r = await app.post('/api/chat', { user, text });
  expect(r.status).toBe(200);
  return { text: r.body.replies[0].text, kind: r.body.replies[0].kind, abstained: r.body.abstained };
}

describe('answer cache', () => {
  beforeAll(async () => {
    app = await startTestApp({ clock: () => now });
  }, 240_000);
  afterAll(async () => app?.close());

  it('serves a repeated question from the cache with the same answer', async () => {
    const cache = app.services.answerCache!;
    expect(cache).toBeDefined();
    const first = await ask('达到三级的试点项目最高补助多少？');
    const before = cache.stats();
    const second = await ask('达到三级的试点项目最高补助多少？');
    expect(second.text).toBe(first.text);
    expect(second.text).toContain('80万元');
    expect(cache.stats().hits).toBe(before.hits + 1);
  });

  it('takes a FAQ pair added, edited and disabled in the console into account on the next question', async () => {
    const q = '补助资金是先到先得吗？';
    const plain = await ask(q);
    await ask(q); // cached now
    const repo = faqRepo(app.services.db);
    const pair = await repo.create({
      pack: 'jinhua',
      question: q,
      answer: '是的：先完成验收的企业先得（测试口径甲）。',
      source: { document: '金华市推进中小企业数字化转型城市试点建设实施意见（征求意见稿）', section: '17.', quote: '先完成验收的企业先得。' },
    });
    expect((await ask(q)).text).toContain('测试口径甲');
    await repo.update(pair.id, { answer: '是的：先完成验收的企业先得（测试口径乙）。' });
    const edited = await ask(q);
    expect(edited.text).toContain('测试口径乙');
    expect(edited.text).not.toContain('测试口径甲');
    await repo.update(pair.id, { enabled: false });
    expect((await ask(q)).text).toBe(plain.text);
  });

  it('answers a follow-up against its own conversation, like the uncached answerer', async () => {
    const followUp = '那三级呢？';
    const a = `fu-a-${n++}`;
    const b = `fu-b-${n++}`;
    await ask('达到二级的试点项目最高补助多少？', a);
    await ask('第一阶段的时间范围', b);
    const fromA = await ask(followUp, a);
    const fromB = await ask(followUp, b);
    const direct = (history: string) =>
      app.services.answerer.answer(followUp, { history: [{ role: 'user', text: history }], now, lang: 'zh' });
    expect(fromA.text).toBe((await direct('达到二级的试点项目最高补助多少？')).text);
    expect(fromA.text).toContain('80万元');
    expect(fromB.text).toBe((await direct('第一阶段的时间范围')).text);
    expect(fromB.text).not.toBe(fromA.text);
  });

  it('gives the period status as of today, not as of the cached day', async () => {
    const q = '现在还能申请试点补助吗？';
    now = new Date('2026-05-10T04:00:00Z');
    const during = await ask(q);
    await ask(q);
    now = new Date('2026-10-15T04:00:00Z');
    const after = await ask(q);
    expect(after.text).not.toBe(during.text);
    expect(after.text).toBe((await app.services.answerer.answer(q, { now, lang: 'zh' })).text);
    now = new Date('2026-05-10T04:00:00Z');
  });
});
