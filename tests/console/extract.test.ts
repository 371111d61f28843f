import { describe, expect, it } from 'vitest';
import { extractUpload, htmlToText, UPLOAD_LIMITS } from '../../console/admin/files/extract.ts';
import { makeDocx, makePdf, makeZipBombDocx } from './fixtures/files.ts';

const u8 = (s: string) => new TextEncoder().encode(s);

describe('upload extraction', () => {
  it('keeps headings of a .docx as Markdown headings', async () => {
    const doc = await extractUpload('政策.docx', makeDocx([{ style: 'Heading1', text: '一、总体要求' }, { text: '对达到二级的企业给予补助。' }, { style: 'Heading2', text: '（一）资金支持' }, { text: '最高不超过50万元。' }]));
    expect(doc.format).toBe('markdown');
    expect(doc.body).toContain('# 一、总体要求');
    expect(doc.body).toContain('## （一）资金支持');
    expect(doc.body).toContain('最高不超过50万元。');
    expect(doc.title).toBe('一、总体要求');
  });

  it('refuses a zip-bomb .docx from its declared sizes, before inflating', async () => {
    const bomb = makeZipBombDocx(16);
    expect(bomb.length).toBeLessThan(UPLOAD_LIMITS.maxBytes);
    await expect(extractUpload('bomb.docx', bomb)).rejects.toMatchObject({ code: 'payload_too_large', userMessage: expect.stringContaining('压缩炸弹') });
  });

  it('gives clear messages for malformed files', async () => {
    await expect(extractUpload('x.docx', u8('not a zip at all'))).rejects.toMatchObject({ code: 'validation', userMessage: expect.stringContaining('.docx') });
    const truncated = makeDocx([{ text: '内容' }]).slice(0, 200);
    await expect(extractUpload('x.docx', truncated)).rejects.toMatchObject({ code: 'validation' });
    await expect(extractUpload('x.pdf', u8('%PDF-1.4 garbage garbage'))).rejects.toMatchObject({ code: 'validation', userMessage: expect.stringContaining('PDF') });
    await expect(extractUpload('x.pdf', u8('hello'))).rejects.toMatchObject({ code: 'validation' });
    await expect(extractUpload('x.exe', u8('MZ'))).rejects.toMatchObject({ code: 'unsupported', userMessage: expect.stringContaining('.docx') });
    await expect(extractUpload('x.txt', new Uint8Array([0xff, 0xfe, 0x00, 0x00, 0x41]))).rejects.toMatchObject({ code: 'validation' });
    await expect(extractUpload('x.txt', new Uint8Array())).rejects.toMatchObject({ code: 'validation' });
  });

  it('reads a PDF by page and refuses one with too many pages', async () => {
    const ok = await extractUpload('a.pdf', makePdf(['Digital pilot page one', 'Subsidy 500000 yuan']));
    expect(ok.body).toContain('Digital pilot page one');
    expect(ok.body).toContain('Subsidy 500000 yuan');
    const huge = makePdf(Array.from({ length: UPLOAD_LIMITS.maxPdfPages + 1 }, (_, i) => `p${i}`));
    await expect(extractUpload('huge.pdf', huge)).rejects.toMatchObject({ code: 'payload_too_large', userMessage: expect.stringContaining('页') });
  });

  it('turns HTML into text with headings, drops scripts, decodes entities', () => {
    const r = htmlToText('<html><head><title>通知</title><script>alert(1)</script></head><body><h1>关于&amp;试点</h1><p>第一段<br>第二行</p><table><tr><td>区县</td><td>目标</td></tr></table></body></html>');
    expect(r.title).toBe('通知');
    expect(r.body).toContain('# 关于&试点');
    expect(r.body).not.toContain('alert');
    expect(r.body).toMatch(/区县\t目标/);
  });

  it('decodes GB18030 text files', async () => {
    const gbk = new Uint8Array([0xd6, 0xd0, 0xce, 0xc4]); // 中文
    expect((await extractUpload('a.txt', gbk)).body).toBe('中文');
  });
});
