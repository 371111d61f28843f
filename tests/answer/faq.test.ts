import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, faqRepo, type FaqRepo } from '../../db/index.ts';
import { createAnswerer, type PackAnswerer } from '../../knowledge/index.ts';
import { openAnswerKit, type AnswerTestKit } from './kb.ts';

const NOW = new Date('2026-05-10T04:00:00Z');
const SOURCE = {
  document: '金华市推进中小企业数字化转型城市试点建设实施意见（征求意见稿）',
  section: '四、工作内容 > （四）加大数字化改造资金支持 > 17.',
  quote: '中央补助资金实行竞争性分配，先完成验收的企业先得。',
};

describe('curated FAQ pairs', () => {
  let kit: AnswerTestKit;
  let repo: FaqRepo;
  let answerer: PackAnswerer;
  beforeAll(async () => {
    kit = await openAnswerKit();
    repo = faqRepo(kit.testDb.db);
    answerer = createAnswerer({ retriever: kit.knowledge.retriever, tagger: kit.knowledge.tagger, pack: kit.pack, db: kit.testDb.db });
  });
  afterAll(async () => kit?.close());

  it('creates, reads, lists, updates and deletes pairs, with the conversation link', async () => {
    const p = await repo.create({
      pack: 'jinhua',
      question: '补助是先到先得吗',
      variants: ['补助先到先得吗', ' 补助先到先得吗 ', '中央补助怎么分'],
      answer: '是的：中央补助资金实行竞争性分配，先完成验收的企业先得。',
      source: SOURCE,
      conversationId: 'conv-1',
      messageId: 'msg-7',
      createdBy: 'admin',
    });
    expect(p.variants).toEqual(['补助先到先得吗', '中央补助怎么分']);
    expect((await repo.get(p.id)).conversationId).toBe('conv-1');
    expect((await repo.list({ conversationId: 'conv-1' })).map((x) => x.id)).toEqual([p.id]);
    const u = await repo.update(p.id, { answer: '是的，先完成验收的企业先得。', enabled: false });
    expect(u.answer).toBe('是的，先完成验收的企业先得。');
    expect(u.enabled).toBe(false);
    expect(u.messageId).toBe('msg-7');
    expect(await repo.list({ pack: 'jinhua', enabledOnly: true })).toEqual([]);
    await repo.remove(p.id);
    await expect(repo.get(p.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(repo.get('not-a-uuid')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('rejects blank fields with field-level Chinese messages', async () => {
    const e = await repo.create({ pack: 'jinhua', question: ' ', answer: '', source: { document: '', section: '', quote: '' } }).catch((x) => x);
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('validation');
    expect(Object.keys(e.fields)).toEqual(expect.arrayContaining(['question', 'answer', 'source.document']));
    expect(e.fields.question).toMatch(/[\u4e00-\u9fff]/);
  });

  it('takes precedence over retrieval when a variant matches closely, cited as a curated answer', async () => {
    await repo.create({
      pack: 'jinhua',
      question: '中央补助资金是先到先得吗',
      variants: ['补助是先到先得吗'],
      answer: '是的。中央补助资金实行竞争性分配，先完成验收的企业先得。',
      answerEn: 'Yes. Central funds are allocated competitively: enterprises that pass acceptance first are paid first.',
      source: SOURCE,
    });
    const a = await answerer.answer('补助是不是先到先得？', { now: NOW });
    expect(a.mode).toBe('faq');
    expect(a.abstained).toBe(false);
    expect(a.citations).toEqual([expect.objectContaining({ kind: 'faq', document: SOURCE.document, section: SOURCE.section, quote: SOURCE.quote })]);
    expect(a.text).toContain('先完成验收的企业先得');
    expect(a.text).toContain('人工审核');
  });

  it('does not use a pair for a merely related question, nor a disabled or other-pack pair', async () => {
    const a = await answerer.answer('达到三级的试点项目最高补助多少', { now: NOW });
    expect(a.mode).toBe('extractive');
    await repo.create({ pack: 'other-city', question: '链式转型模式要打造几个', answer: '别的城市的答案', source: SOURCE });
    const b = await answerer.answer('链式转型模式要打造几个', { now: NOW });
    expect(b.mode).toBe('extractive');
    expect(b.text).not.toContain('别的城市');
  });
});
