/**
 * Knowledge curation through the console over real HTTP: uploads (good, malformed, too big, zip bomb,
 * too many PDF pages), chunks with section paths, chunk edit/disable reaching retrieval, replacement with
 * no window of missing results, deletion, the retrieval test page, and dictionary edits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { startSignedInApp, type AdminClient } from '../helpers/admin-client.ts';
import { makeDocx, makePdf, makeZipBombDocx } from './fixtures/files.ts';

const PASSWORD = 'knowledge-admin-pass';
const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

describe('console knowledge pages', () => {
  let app: TestApp;
  let c: AdminClient;
  const docCount = async () => (await app.services.db.query<{ n: number }>('select count(*)::int as n from kb_documents')).rows[0].n;
  const search = (q: string) => app.services.knowledge.retriever.search(q, { k: 10 });

  beforeAll(async () => {
    ({ app, admin: c } = await startSignedInApp(PASSWORD));
  }, 400_000);
  afterAll(async () => app?.close());

  let docId = '';

  it('uploads a .docx; its headings become section paths and it is searchable at once', async () => {
    await c.get('/admin/documents');
    const file = makeDocx([
      { style: 'Heading1', text: '一、蓝莓数字化专项' },
      { style: 'Heading2', text: '（一）蓝莓工坊补助' },
      { text: '对建成蓝莓数字工坊的企业，一次性奖励不超过88万元。' },
    ]);
    const r = await c.upload('/admin/documents/upload', 'file', { name: '蓝莓专项.docx', data: file, type: DOCX_MIME }, { scope: 'city', issuer: '测试局' });
    expect(r.status).toBe(303);
    docId = decodeURIComponent(r.location!.match(/\/admin\/documents\/([^?]+)/)![1]);
    const page = await c.get(`/admin/documents/${encodeURIComponent(docId)}`);
    expect(page.text).toContain('一、蓝莓数字化专项 &gt; （一）蓝莓工坊补助');
    expect(page.text).toContain('88万元');
    const hits = await search('蓝莓数字工坊奖励多少');
    expect(hits[0]?.documentId).toBe(docId);
    const list = await c.get('/admin/documents');
    expect(list.text).toContain('蓝莓数字化专项');
    expect(list.text).toContain('已索引');
  });

  it('refuses malformed, oversized and bomb files with a clear message and changes nothing', async () => {
    const before = await docCount();
    const cases: [string, Uint8Array, number, RegExp][] = [
      ['坏文件.docx', new TextEncoder().encode('this is not a zip'), 400, /\.docx/],
      ['bomb.docx', makeZipBombDocx(16), 413, /压缩炸弹/],
      ['huge.pdf', makePdf(Array.from({ length: 301 }, (_, i) => `page ${i}`)), 413, /300 页/],
      ['broken.pdf', new TextEncoder().encode('%PDF-1.7 nothing else'), 400, /PDF/],
      ['virus.exe', new TextEncoder().encode('MZ'), 415, /不支持的文件类型/],
      ['big.txt', new Uint8Array(10 * 1024 * 1024 + 10).fill(0x41), 413, /文件太大/],
    ];
    for (const [name, data, status, message] of cases) {
      const r = await c.upload('/admin/documents/upload', 'file', { name, data });
      expect(r.status, name).toBe(status);
      expect(r.text, name).toMatch(message);
      expect(r.text, name).not.toContain('at ');
    }
    expect(await docCount()).toBe(before);
  });

  it('rejects an upload without the CSRF token', async () => {
    const before = await docCount();
    const r = await c.upload('/admin/documents/upload', 'file', { name: 'a.txt', data: new TextEncoder().encode('内容') }, {}, { csrf: false });
    expect(r.status).toBe(403);
    expect(await docCount()).toBe(before);
  });

  it('edits and disables a chunk, and retrieval follows', async () => {
    const chunks = await app.services.knowledge.documents.chunks(docId);
    const target = chunks.find((x) => x.text.includes('88万元'))!;
    await c.get(`/admin/documents/${encodeURIComponent(docId)}`);
    expect((await c.post(`/admin/chunks/${encodeURIComponent(target.id)}`, { text: '对建成草莓数字工坊的企业，一次性奖励不超过66万元。' })).status).toBe(303);
    expect((await search('草莓数字工坊'))[0]?.chunkId).toBe(target.id);
    expect((await c.post(`/admin/chunks/${encodeURIComponent(target.id)}/toggle`, { disabled: '1' })).status).toBe(303);
    expect((await search('草莓数字工坊')).some((h) => h.chunkId === target.id)).toBe(false);
    const page = await c.get(`/admin/documents/${encodeURIComponent(docId)}`);
    expect(page.text).toContain('已停用');
    expect((await c.post(`/admin/chunks/${encodeURIComponent(target.id)}/toggle`, { disabled: '0' })).status).toBe(303);
    expect((await search('草莓数字工坊')).some((h) => h.chunkId === target.id)).toBe(true);
    const empty = await c.post(`/admin/chunks/${encodeURIComponent(target.id)}`, { text: '  ' });
    expect(empty.status).toBe(400);
  });

  it('replaces a document with no window of missing results', async () => {
    let stop = false;
    let empties = 0;
    let searches = 0;
    const deadline = Date.now() + 60_000;
    const probe = (async () => {
      while (!stop && Date.now() < deadline) {
        const hits = await search('数字工坊 一次性奖励');
        searches++;
        if (!hits.some((h) => h.documentId === docId)) empties++;
        await new Promise((res) => setTimeout(res, 15));
      }
    })();
    const next = makeDocx([{ style: 'Heading1', text: '一、蓝莓数字化专项（修订）' }, { text: '对建成数字工坊的企业，一次性奖励不超过99万元。' }]);
    await c.get(`/admin/documents/${encodeURIComponent(docId)}`);
    const r = await c.upload(`/admin/documents/${encodeURIComponent(docId)}/replace`, 'file', { name: '蓝莓专项-修订.docx', data: next, type: DOCX_MIME });
    stop = true;
    expect(r.status).toBe(303);
    await probe;
    expect(searches).toBeGreaterThan(2);
    expect(empties).toBe(0);
    const page = await c.get(`/admin/documents/${encodeURIComponent(docId)}`);
    expect(page.text).toContain('99万元');
    expect(page.text).not.toContain('66万元');
  });

  it('shows ranked chunks with each ranker’s score on the retrieval test page', async () => {
    const r = await c.get(`/admin/retrieval?q=${encodeURIComponent('数字工坊一次性奖励多少')}&k=5`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('融合分');
    expect(r.text).toMatch(/<td class="num nowrap">\d\.\d{3}（\d+）<\/td>/);
    expect(r.text).toContain('99万元');
  });

  it('adds and removes a dictionary word and a synonym, audited', async () => {
    await c.get('/admin/dictionary');
    expect((await c.post('/admin/dictionary/words', { word: '蓝莓工坊', freq: '5000' })).status).toBe(303);
    expect((await c.post('/admin/dictionary/synonyms', { term: '小蓝莓', canonical: '蓝莓工坊' })).status).toBe(303);
    const page = await c.get('/admin/dictionary');
    expect(page.text).toContain('蓝莓工坊');
    expect(page.text).toContain('小蓝莓');
    const bad = await c.post('/admin/dictionary/words', { word: 'has space' });
    expect(bad.status).toBe(400);
    expect((await c.post('/admin/dictionary/synonyms/delete', { term: '小蓝莓' })).status).toBe(303);
    const audit = await app.services.db.query<{ action: string }>("select action from audit_log where action like 'dictionary.%' or action like 'synonym.%' order by id");
    expect(audit.rows.map((r) => r.action)).toEqual(['dictionary.add', 'synonym.add', 'synonym.remove']);
  });

  it('deletes a document, audited with its before state', async () => {
    expect((await c.post(`/admin/documents/${encodeURIComponent(docId)}/delete`)).status).toBe(303);
    expect(await app.services.knowledge.documents.get(docId)).toBeNull();
    expect((await search('数字工坊 一次性奖励')).some((h) => h.documentId === docId)).toBe(false);
    const a = await app.services.db.query<{ before: { title: string } }>("select before from audit_log where action = 'document.delete'");
    expect(a.rows[0].before.title).toContain('蓝莓');
  });

  it('keeps uploaded documents when the pack is re-ingested', async () => {
    await c.get('/admin/documents');
    const r = await c.upload('/admin/documents/upload', 'file', { name: 'note.md', data: new TextEncoder().encode('# 测试说明\n\n这是一份上传的说明。') });
    expect(r.status).toBe(303);
    const id = decodeURIComponent(r.location!.match(/\/admin\/documents\/([^?]+)/)![1]);
    const report = await app.services.knowledge.ingestPack();
    expect(report.removed).not.toContain(id);
    expect(await app.services.knowledge.documents.get(id)).not.toBeNull();
  });

  it('uploads each of .txt, .md, .pdf and .html; each is listed with its section paths and retrievable at once', async () => {
    const enc = (t: string) => new TextEncoder().encode(t);
    const files: { name: string; data: Uint8Array; type: string; query: string; expect: string; path?: string }[] = [
      { name: '榴莲通知.txt', data: enc('一、榴莲专项\n\n对建成榴莲数字车间的企业，奖励不超过41万元。\n'), type: 'text/plain', query: '榴莲数字车间奖励', expect: '41万元' },
      { name: '芒果专项.md', data: enc('# 一、芒果专项\n\n## （一）芒果工坊\n\n对建成芒果数字工坊的企业，奖励不超过42万元。\n'), type: 'text/markdown', query: '芒果数字工坊奖励', expect: '42万元', path: '一、芒果专项 &gt; （一）芒果工坊' },
      {
        name: '荔枝专项.html',
        data: enc('<html><head><title>荔枝专项通知</title><script>alert(1)</script></head><body><h1>一、荔枝专项</h1><h2>（一）荔枝工坊</h2><p>对建成荔枝数字工坊的企业，奖励不超过43万元。</p></body></html>'),
        type: 'text/html',
        query: '荔枝数字工坊奖励',
        expect: '43万元',
        path: '一、荔枝专项 &gt; （一）荔枝工坊',
      },
      { name: 'kiwi.pdf', data: makePdf(['Kiwi Digital Workshop Notice', 'Enterprises that build a kiwi digital workshop receive an award of up to 440000 yuan.']), type: 'application/pdf', query: 'Kiwi digital workshop subsidy', expect: '440000' },
    ];
    await c.get('/admin/documents');
    for (const f of files) {
      const r = await c.upload('/admin/documents/upload', 'file', { name: f.name, data: f.data, type: f.type });
      expect(r.status, f.name).toBe(303);
      const id = decodeURIComponent(r.location!.match(/\/admin\/documents\/([^?]+)/)![1]);
      const page = await c.get(`/admin/documents/${encodeURIComponent(id)}`);
      expect(page.text, f.name).toContain(f.expect);
      if (f.path) expect(page.text, f.name).toContain(f.path);
      expect(page.text, f.name).not.toContain('alert(1)');
      const hits = await search(f.query);
      expect(hits[0]?.documentId, f.name).toBe(id);
      expect(hits[0]?.text, f.name).toContain(f.expect);
    }
    const list = await c.get('/admin/documents');
    for (const name of ['榴莲', '芒果专项', '荔枝专项', 'kiwi']) expect(list.text, name).toContain(name);
  });

  it('refuses a file with no searchable body (a title page, a scan) on upload and on replace, changing nothing', async () => {
    const titleOnly = makePdf(['Scanned Notice', 'Page 2']);
    const before = await docCount();
    await c.get('/admin/documents');
    const r = await c.upload('/admin/documents/upload', 'file', { name: 'scan.pdf', data: titleOnly, type: 'application/pdf' });
    expect(r.status).toBe(400);
    expect(r.text).toContain('没有从“scan.pdf”中识别出可检索的正文');
    expect(await docCount()).toBe(before);

    const target = (await search('芒果数字工坊奖励'))[0]!.documentId;
    const chunksBefore = await app.services.knowledge.documents.chunks(target);
    await c.get(`/admin/documents/${encodeURIComponent(target)}`);
    const replaced = await c.upload(`/admin/documents/${encodeURIComponent(target)}/replace`, 'file', { name: 'scan.pdf', data: titleOnly, type: 'application/pdf' });
    expect(replaced.status).toBe(400);
    expect(replaced.text).toContain('现有内容未做任何改动');
    expect((await app.services.knowledge.documents.chunks(target)).map((x) => x.text)).toEqual(chunksBefore.map((x) => x.text));
    expect((await search('芒果数字工坊奖励'))[0]?.documentId).toBe(target);
    const audit = await app.services.db.query("select 1 from audit_log where action in ('document.upload', 'document.replace') and target_id = $1", [target]);
    expect(audit.rows.length).toBe(1);
  });

  it('applies a synonym added in the console to retrieval at once, and stops when it is removed', async () => {
    const mango = (await search('芒果数字工坊奖励'))[0]!.documentId;
    const lexicalMango = async () => (await search('霸王龙')).some((h) => h.documentId === mango && h.scores?.lexical !== undefined);
    expect(await lexicalMango()).toBe(false);
    await c.get('/admin/dictionary');
    expect((await c.post('/admin/dictionary/synonyms', { term: '霸王龙', canonical: '芒果' })).status).toBe(303);
    expect(await lexicalMango()).toBe(true);
    expect((await c.post('/admin/dictionary/synonyms/delete', { term: '霸王龙' })).status).toBe(303);
    expect(await lexicalMango()).toBe(false);
  });
});
