/**
 * The second-stage ranker: pure scoring rules on hand-made candidates, then on the real pack (PGlite, or
 * pg over the wire with TEST_DB=wire) the cases it exists for — a deadline question finds the validity
 * clause, another city's question finds that city's document, and editorial notes stay below policy text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnowledgeBase, loadPack, type KnowledgeBase } from '../../knowledge/index.ts';
import { cjkBigrams, DEFAULT_RERANK, queryIntent, rerank, type RerankCandidate } from '../../knowledge/search/rerank.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

const cand = (id: string, fused: number, over: Partial<RerankCandidate> = {}): RerankCandidate => ({
  id,
  fused,
  documentId: 'doc',
  sectionPath: [],
  text: '',
  matchedTerms: [],
  note: false,
  ...over,
});
const noQuery = { terms: [], bigrams: [], named: new Set<string>(), intent: queryIntent('') };

describe('rerank rules', () => {
  it('reads the kind of fact asked for', () => {
    expect(queryIntent('评上三级能拿多少钱')).toMatchObject({ figure: true, date: false, list: false, year: null });
    expect(queryIntent('数改补贴申请截止到什么时候')).toMatchObject({ date: true });
    expect(queryIntent('试点的三个行业是哪三个')).toMatchObject({ list: true });
    expect(queryIntent('26年规上企业改造目标是多少家').year).toBe('2026');
    expect(queryIntent('2025年要改造多少家规上企业').year).toBe('2025');
    expect(queryIntent('N+X清单由谁来编')).toMatchObject({ who: true });
    expect(queryIntent('小快轻准是什么意思')).toMatchObject({ definition: true, who: false });
  });

  it('cuts bigrams without particles or punctuation', () => {
    expect(cjkBigrams('老板要参加培训吗？')).toEqual(['老板', '参加', '加培', '培训']);
    expect(cjkBigrams('🙂🙂！！')).toEqual([]);
  });

  it('keeps the fusion order when nothing else differs', () => {
    const out = rerank([cand('b', 0.1), cand('a', 0.2)], noQuery, DEFAULT_RERANK);
    expect(out.map((o) => o.id)).toEqual(['a', 'b']);
  });

  it('puts an editorial note below policy text of about the same fusion score', () => {
    const out = rerank([cand('note', 0.2, { note: true }), cand('clause', 0.18)], noQuery, DEFAULT_RERANK);
    expect(out[0]!.id).toBe('clause');
  });

  it("prefers this city's documents, unless the query names another place's", () => {
    const home = cand('home', 0.18, { documentId: 'jinhua', scope: 'city' });
    const away = cand('away', 0.2, { documentId: 'kunming', scope: 'other-city' });
    expect(rerank([away, home], noQuery, DEFAULT_RERANK)[0]!.id).toBe('home');
    expect(rerank([away, home], { ...noQuery, named: new Set(['kunming']) }, DEFAULT_RERANK)[0]!.id).toBe('away');
  });

  it('lifts the passage that names who is in charge, for a who-question', () => {
    const q = { ...noQuery, intent: queryIntent('N+X清单由谁来编') };
    const lead = cand('lead', 0.18, { text: '进一步梳理细分领域，由金华市经信局牵头，形成清单' });
    const other = cand('other', 0.2, { text: '编制国家试点工作实施方案，明确具体目标' });
    expect(rerank([other, lead], q, DEFAULT_RERANK)[0]!.id).toBe('lead');
  });

  it('lifts the table row of the year asked about', () => {
    const q = { ...noQuery, intent: queryIntent('2025年要改造多少家规上企业') };
    const row = cand('row', 0.18, { kind: 'table_row', columns: ['2024年', '2025年', '2026年'], text: '拟改造规上工业中小企业数量（家）：2025年 242' });
    const prose = cand('prose', 0.2, { text: '完成581家以上企业数字化改造' });
    expect(rerank([prose, row], q, DEFAULT_RERANK)[0]!.id).toBe('row');
  });
});

describe('rerank on the real pack', () => {
  let t: TestDb;
  let kb: KnowledgeBase;
  beforeAll(async () => {
    t = await openTestDb();
    kb = createKnowledgeBase({ db: t.db, pack: loadPack('jinhua') });
    await kb.init();
  }, 300_000);
  afterAll(async () => t?.close());

  it('answers a deadline question from the validity clause', async () => {
    for (const q of ['数改补贴申请截止到什么时候', '现在还能申请试点补助吗']) {
      const [top] = await kb.retriever.search(q, { k: 3 });
      expect(top?.text, q).toContain('至2026年9月30日止');
    }
  });

  it("finds another city's document when the question names that city", async () => {
    const hits = await kb.retriever.search('昆明试点企业验收要交哪些材料', { k: 3 });
    expect(hits.every((h) => h.documentId.includes('kunming'))).toBe(true);
    const home = await kb.retriever.search('我们是永康做电钻的，能申请试点吗', { k: 1 });
    expect(home[0]?.documentId).toBe('jinhua-opinions');
  });

  it('never ranks an editorial marker such as 【以下原文缺失】 first', async () => {
    const [top] = await kb.retriever.search('2025年中小企业数字化转型城市试点工作重点任务', { k: 1 });
    expect(top?.text.startsWith('【')).toBe(false);
    expect(top?.meta?.note).not.toBe(true);
  });
});
