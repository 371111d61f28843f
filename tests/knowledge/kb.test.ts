/**
 * The knowledge base on a real database (PGlite, or pg over the wire with TEST_DB=wire): ingestion,
 * idempotence by content hash, atomic re-ingestion, hybrid search with filters and ranker scores, bad
 * input, embedder swap without an empty window, and lexicon edits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knowledgeRepo } from '../../db/index.ts';
import { createKnowledgeBase, LocalEmbedder, loadPack, type KnowledgeBase } from '../../knowledge/index.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
let kb: KnowledgeBase;
let packDir: string;

const norm = (s: string) => s.replace(/\s+/g, '');

beforeAll(async () => {
  // A private copy of the pack, so this file can edit a document.
  packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-pack-'));
  fs.cpSync(loadPack('jinhua').dir, path.join(packDir, 'jinhua'), { recursive: true });
  t = await openTestDb();
  kb = createKnowledgeBase({ db: t.db, pack: loadPack('jinhua', packDir) });
  await kb.init();
}, 300_000); // over the wire protocol on a shared 2-core machine the first ingest can take minutes

afterAll(async () => {
  await t?.close();
  fs.rmSync(packDir, { recursive: true, force: true });
});

describe('ingestion', () => {
  it('stores every pack document with its metadata and scope', async () => {
    const docs = await kb.documents.list();
    expect(docs.length).toBe(17);
    const op = docs.find((d) => d.id === 'jinhua-opinions')!;
    expect(op).toMatchObject({ scope: 'city', format: 'raw-opinions', title: '金华市推进中小企业数字化转型城市试点建设实施意见（征求意见稿）' });
    expect(op.chunkCount).toBeGreaterThan(40);
    expect(docs.find((d) => d.id === '15-wenzhou-pilot-fund-management-excerpt')!.scope).toBe('other-city');
    const tables = await kb.documents.tables('jinhua-opinions');
    expect(tables[0].rows.find((r) => r.row.startsWith('拟打造数字化水平四级'))!.values).toEqual(['3', '3', '4', '10']);
  });

  it('stores chunks with section path, position, tokens and an embedding in the live index', async () => {
    const chunks = await kb.documents.chunks('jinhua-opinions', { limit: 500 });
    const c17 = chunks.find((c) => c.text.startsWith('17.'))!;
    expect(c17.sectionPath).toEqual(['四、工作内容', '（四）加大数字化改造资金支持', '17.']);
    expect(c17.tokens).toEqual(expect.arrayContaining(['补助', 'amt800000', '试点项目']));
    expect(chunks.map((c) => c.position)).toEqual(chunks.map((_, i) => i));
    const live = (await knowledgeRepo.liveIndex(t.db))!;
    const vecs = await knowledgeRepo.embeddingsFor(t.db, live.id, [c17.id]);
    expect(vecs.get(c17.id)).toHaveLength(live.dimensions);
  });

  it('stores the lexical columns bulk-loaded chunks derive from their tokens exactly as SQL derives them', async () => {
    const r = await t.db.query<{ n: number; bad: number }>(
      `select count(*)::int as n, count(*) filter (where tsv is distinct from array_to_tsvector(tokens) or ntokens <> cardinality(tokens))::int as bad from kb_chunks`,
    );
    expect(r.rows[0]).toMatchObject({ bad: 0 });
    expect(r.rows[0]!.n).toBeGreaterThan(200);
  });

  it('gives the planner statistics on the columns search filters on, and spends none on tokens, texts or vectors', async () => {
    const r = await t.db.query<{ t: string; c: string }>(
      `select tablename as t, attname as c from pg_stats where schemaname = current_schema() and tablename in ('kb_chunks', 'kb_embeddings')`,
    );
    const have = new Set(r.rows.map((x) => `${x.t}.${x.c}`));
    for (const c of ['kb_chunks.tsv', 'kb_chunks.ntokens', 'kb_chunks.document_id', 'kb_chunks.pack', 'kb_chunks.disabled', 'kb_embeddings.index_id', 'kb_embeddings.chunk_id'])
      expect(have).toContain(c);
    for (const c of ['kb_chunks.tokens', 'kb_chunks.text', 'kb_chunks.meta', 'kb_embeddings.embedding']) expect(have).not.toContain(c);
  });

  it('leaves the full-text index with nothing pending, so lexical queries never scan an unsorted list', async () => {
    // gin_clean_pending_list returns the pages it merged: none, when ingestion merged them already.
    const r = await t.db.query<{ n: number }>(`select gin_clean_pending_list('kb_chunks_tsv'::regclass)::int as n`);
    expect(r.rows[0]!.n).toBe(0);
  });

  it("builds the live index's HNSW graph with the local embedder's parameters (m 8, ef_construction 16)", async () => {
    const live = (await knowledgeRepo.liveIndex(t.db))!;
    const r = await t.db.query<{ opts: string[] }>(`select reloptions as opts from pg_class where relname = $1`, [`kb_embeddings_hnsw_${live.id}`]);
    expect(r.rows[0]?.opts).toEqual(expect.arrayContaining(['m=8', 'ef_construction=16']));
  });

  it('re-ingests nothing when no content changed, and only the changed document otherwise', async () => {
    const before = (await kb.documents.chunks('jinhua-opinions', { limit: 500 })).map((c) => c.id);
    const again = await kb.ingestPack();
    expect(again.ingested).toEqual([]);
    expect(again.unchanged.length).toBe(17);
    expect((await kb.documents.chunks('jinhua-opinions', { limit: 500 })).map((c) => c.id)).toEqual(before);

    const file = path.join(packDir, 'jinhua', 'documents', '07_above-scale-industrial-enterprise-definition.md');
    fs.appendFileSync(file, '\n补充说明：本条为测试追加的唯一标记句子青蛙跳水。\n');
    const changed = await kb.ingestPack();
    expect(changed.ingested).toEqual(['07-above-scale-industrial-enterprise-definition']);
    const hits = await kb.retriever.search('青蛙跳水', { k: 3 });
    expect(hits[0].text).toContain('青蛙跳水');
  });

  it('replaces a document atomically: concurrent searches never see it half-written', async () => {
    const ingest = kb.ingestPack({ force: true });
    const seen: number[] = [];
    const searches = Array.from({ length: 12 }, async (_, i) => {
      await new Promise((r) => setTimeout(r, i * 15));
      const hits = await kb.retriever.search('拟遴选服务商数量', { k: 3 });
      seen.push(hits.filter((h) => h.text.startsWith('拟遴选服务商数量')).length);
    });
    await Promise.all([ingest, ...searches]);
    expect(seen.every((n) => n === 1)).toBe(true);
  });
});

describe('hybrid search', () => {
  it('finds the subsidy clause for the walking-skeleton question, with both rankers reported', async () => {
    const [top] = await kb.retriever.search('达到三级的试点项目最高补助多少？');
    expect(top.sectionPath).toEqual(['四、工作内容', '（四）加大数字化改造资金支持', '17.']);
    expect(top.text).toContain('80万元');
    expect(top.documentTitle).toContain('金华市推进中小企业数字化转型城市试点建设实施意见');
    expect(top.scores.lexical!.rank).toBeGreaterThanOrEqual(1);
    expect(top.scores.vector!.rank).toBeGreaterThanOrEqual(1);
    expect(top.score).toBeGreaterThan(0);
  });

  it('finds the evidence in the top 5 for the development questions', async () => {
    const items = fs
      .readFileSync('/work/shared/eval/dev-qa.jsonl', 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((q) => !q.abstain);
    let hit5 = 0;
    for (const q of items) {
      const hits = await kb.retriever.search(q.q, { k: 5 });
      if (hits.some((h) => q.evidence.some((e: string) => norm(h.text).includes(norm(e))))) hit5++;
    }
    expect(hit5 / items.length).toBeGreaterThanOrEqual(0.85);
  });

  it('matches amounts written differently and synonyms', async () => {
    const hits = await kb.retriever.search('八十万的补贴是哪一条', { k: 3 });
    expect(hits.some((h) => h.text.startsWith('17.'))).toBe(true);
    const rows = await kb.retriever.search('规模以上的工业中小企业拟改造数量', { k: 5 });
    expect(rows.some((h) => h.kind === 'table_row' && h.text.includes('规上'))).toBe(true);
  });

  it('filters by document, scope, industry and region', async () => {
    const onlyOp = await kb.retriever.search('验收', { k: 10, documentIds: ['jinhua-opinions'] });
    expect(onlyOp.length).toBeGreaterThan(0);
    expect(onlyOp.every((h) => h.documentId === 'jinhua-opinions')).toBe(true);

    const all = await kb.retriever.search('温州 专项资金管理办法', { k: 10 });
    expect(all.some((h) => h.scope === 'other-city')).toBe(true);
    const noOther = await kb.retriever.search('温州 专项资金管理办法', { k: 10, scopes: ['city', 'province', 'national'] });
    expect(noOther.every((h) => h.scope !== 'other-city')).toBe(true);

    const apparel = await kb.retriever.search('电动工具行业', { k: 20, industry: 'apparel' });
    expect(apparel.every((h) => { const ind = (h.meta?.industries as string[]) ?? []; return ind.length === 0 || ind.includes('apparel'); })).toBe(true);
    const wuyi = await kb.retriever.search('重点实施地区', { k: 20, region: '武义县' });
    expect(wuyi.every((h) => { const r = (h.meta?.regions as string[]) ?? []; return r.length === 0 || r.includes('武义县'); })).toBe(true);
    expect(wuyi.some((h) => ((h.meta?.regions as string[]) ?? []).includes('武义县'))).toBe(true);

    expect(await kb.retriever.search('补助', { pack: 'no-such-pack' })).toEqual([]);
  });

  it('returns a normal result for bad input', async () => {
    for (const q of ['', '   ', '？？？！！！。。。', '😀🎉🙏', '…—…', '补'.repeat(2000), '电'.repeat(5000), 'What is the max subsidy for 三级 pilot projects?', "'; drop table kb_chunks; --", '\\\u0000|&!:*']) {
      const hits = await kb.retriever.search(q, { k: 5 });
      expect(Array.isArray(hits)).toBe(true);
    }
    expect(await kb.retriever.search('？？？！！！')).toEqual([]);
    const mixed = await kb.retriever.search('What is the max subsidy for 三级 pilot projects?', { k: 5 });
    expect(mixed.length).toBeGreaterThan(0);
  });
});

describe('embedder swap', () => {
  it('re-indexes alongside the live index and swaps atomically; search never returns nothing', async () => {
    const oldLive = (await knowledgeRepo.liveIndex(t.db))!;
    const next = new LocalEmbedder({ dimensions: 128, words: (s) => kb.tokenizer.words(s) });
    let stop = false;
    const counts: number[] = [];
    const poll = (async () => {
      while (!stop) {
        counts.push((await kb.retriever.search('达到三级的试点项目最高补助多少？', { k: 3 })).length);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const res = await kb.reindex(next);
    stop = true;
    await poll;
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.every((n) => n > 0)).toBe(true);
    const live = (await knowledgeRepo.liveIndex(t.db))!;
    expect(live.id).toBe(res.indexId);
    expect(live.id).not.toBe(oldLive.id);
    expect(live).toMatchObject({ embedderId: next.id, dimensions: 128 });
    expect((await knowledgeRepo.listIndexes(t.db)).map((i) => i.id)).toEqual([live.id]);
    const [top] = await kb.retriever.search('达到三级的试点项目最高补助多少？');
    expect(top.scores.vector).toBeDefined();
    expect(top.text).toContain('80万元');
  });
});

describe('lexicon admin', () => {
  it('adds and removes words and synonyms, and reload re-tokenizes the index', async () => {
    expect((await kb.lexicon.listWords()).some((w) => w.word === '专精特新' && w.source === 'pack')).toBe(true);
    expect((await kb.lexicon.listSynonyms()).some((s) => s.term === '电钻' && s.canonical === '电动工具')).toBe(true);

    expect(await kb.retriever.search('数转牵头单位', { k: 3 })).toSatisfy((h: unknown[]) => Array.isArray(h));
    await kb.lexicon.addSynonym('数转', '数字化改造');
    await kb.lexicon.addWord('金心助企', 60000);
    const n = await kb.lexicon.reload();
    expect(n).toBeGreaterThan(100);
    expect(kb.tokenizer.tokens('数转')).toContain('数字化改造');
    expect(kb.tokenizer.words('开展金心助企服务月')).toContain('金心助企');
    const c = (await kb.documents.chunks('jinhua-opinions', { limit: 500 })).find((x) => x.text.includes('金心助企'))!;
    expect(c.tokens).toContain('金心助企');

    expect(await kb.lexicon.removeSynonym('数转')).toBe(true);
    expect(await kb.lexicon.removeWord('金心助企')).toBe(true);
    await kb.lexicon.reload();
    expect(kb.tokenizer.tokens('数转')).not.toContain('数字化改造');
    await expect(kb.lexicon.addWord('  ')).rejects.toMatchObject({ code: 'validation' });
  });
});

describe('documents outside the pack', () => {
  it('ingests an uploaded text, keeps it across pack re-ingestion, and removes it on request', async () => {
    const body = '一、测试上传\n1.上传条款。这是一条只在上传文档里的独特句子：河马唱歌。\n2.第二条。普通内容。';
    const r = await kb.ingestText({ id: 'upload-test', title: '上传测试文档', body, scope: 'reference' });
    expect(r.chunks).toBe(2);
    let [top] = await kb.retriever.search('河马唱歌', { k: 1 });
    expect(top).toMatchObject({ documentId: 'upload-test', sectionPath: ['一、测试上传', '1.'], scope: 'reference' });
    expect((await kb.ingestPack()).removed).toEqual([]);
    [top] = await kb.retriever.search('河马唱歌', { k: 1 });
    expect(top.documentId).toBe('upload-test');
    await kb.removeDocument('upload-test');
    expect((await kb.retriever.search('河马唱歌', { k: 3 })).some((h) => h.documentId === 'upload-test')).toBe(false);
    await expect(kb.ingestText({ id: 'Bad Id', title: 'x', body: 'y' })).rejects.toMatchObject({ code: 'validation' });
  });
});
