/**
 * Turns an uploaded file (.txt, .md, .docx, .pdf, .html) into text the knowledge layer can chunk, with
 * headings kept as Markdown `#` lines so section paths survive. Everything is checked before any real
 * parsing: the extension and the file's magic bytes must agree, a .docx's declared uncompressed sizes
 * (zip bombs) and a PDF's page count are bounded, text must decode (UTF-8, else GB18030). Failures are
 * AppErrors with a Chinese message that says what to do; nothing is written anywhere here.
 */
import { unzipSync } from 'fflate';
import { Parser } from 'htmlparser2';
import mammoth from 'mammoth';
import { AppError } from '../../../db/index.ts';

export const UPLOAD_LIMITS = {
  maxBytes: 10 * 1024 * 1024,
  /** Sum of a .docx's declared uncompressed entry sizes. */
  maxDocxUncompressed: 60 * 1024 * 1024,
  maxDocxEntries: 2000,
  /** Uncompressed/compressed ratio above which one entry is treated as a bomb. */
  maxDocxRatio: 200,
  maxPdfPages: 300,
  maxTextChars: 2_000_000,
};

export type UploadKind = 'txt' | 'md' | 'docx' | 'pdf' | 'html';
export const ACCEPTED_EXTENSIONS = ['.txt', '.md', '.docx', '.pdf', '.html', '.htm'];

export interface ExtractedDocument {
  kind: UploadKind;
  /** Chunker input format: Markdown headings for converted files, plain text for .txt. */
  format: 'markdown' | 'text';
  title: string | null;
  body: string;
  warnings: string[];
}

const bad = (msg: string, why: string) => new AppError('validation', why, { userMessage: msg, fields: { file: msg } });

export function uploadKind(fileName: string): UploadKind {
  const ext = fileName.toLowerCase().match(/\.[a-z0-9]+$/)?.[0] ?? '';
  switch (ext) {
    case '.txt':
      return 'txt';
    case '.md':
    case '.markdown':
      return 'md';
    case '.docx':
      return 'docx';
    case '.pdf':
      return 'pdf';
    case '.html':
    case '.htm':
      return 'html';
    default:
      throw new AppError('unsupported', `unsupported extension ${ext}`, {
        userMessage: `不支持的文件类型${ext ? `（${ext}）` : ''}。请上传 .txt、.md、.docx、.pdf 或 .html 文件；.doc 请先另存为 .docx。`,
        fields: { file: '文件类型不支持。' },
      });
  }
}

export function decodeText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    try {
      // Chinese government files are often GBK/GB18030.
      text = new TextDecoder('gb18030', { fatal: true }).decode(bytes);
    } catch {
      throw bad('文件编码无法识别：请另存为 UTF-8 编码的文本再上传。', 'undecodable text');
    }
  }
  if (text.includes('\u0000')) throw bad('这不是文本文件（含有二进制内容），请检查文件类型。', 'binary content in text file');
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

const BLOCK_TAGS = new Set(['p', 'div', 'section', 'article', 'li', 'tr', 'table', 'ul', 'ol', 'blockquote', 'pre', 'br', 'hr', 'header', 'footer', 'main', 'dd', 'dt', 'caption']);
const SKIP_TAGS = new Set(['script', 'style', 'noscript', 'template', 'head', 'svg', 'iframe', 'object']);

/** HTML → Markdown-ish text: headings become `#` lines, blocks become lines, cells are tab-separated. */
export function htmlToText(source: string): { title: string | null; body: string } {
  const out: string[] = [];
  let line = '';
  let skip = 0;
  let heading = 0;
  let inTitle = false;
  let title = '';
  let firstH1 = '';
  const flush = () => {
    const t = line.replace(/[ \t\u00a0]+/g, (m) => (m.includes('\t') ? '\t' : ' ')).trim();
    if (t) out.push(heading ? `${'#'.repeat(heading)} ${t.replace(/\t/g, ' ')}` : t);
    line = '';
  };
  const parser = new Parser(
    {
      onopentag(name) {
        if (SKIP_TAGS.has(name)) skip++;
        if (name === 'title') inTitle = true;
        if (skip) return;
        const h = /^h([1-6])$/.exec(name);
        if (h) {
          flush();
          heading = Number(h[1]);
        } else if (BLOCK_TAGS.has(name)) flush();
        else if (name === 'td' || name === 'th') line += '\t';
      },
      ontext(text) {
        if (inTitle) title += text;
        if (skip) return;
        line += text.replace(/\s+/g, ' ');
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        if (SKIP_TAGS.has(name)) {
          skip = Math.max(0, skip - 1);
          return;
        }
        if (skip) return;
        if (/^h[1-6]$/.test(name)) {
          if (heading === 1 && !firstH1) firstH1 = line.trim();
          flush();
          heading = 0;
        } else if (BLOCK_TAGS.has(name)) flush();
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(source);
  parser.end();
  flush();
  return { title: title.trim() || firstH1 || null, body: out.join('\n\n') };
}

/** Reads a zip's central directory (no decompression) and refuses bombs by declared sizes. */
export function checkDocxContainer(bytes: Uint8Array): void {
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04))
    throw bad('这不是有效的 .docx 文件（文件头不对）。请用 Word 或 WPS 另存为 .docx 后再上传。', 'docx without zip header');
  let total = 0;
  let entries = 0;
  let hasDocument = false;
  try {
    unzipSync(bytes, {
      filter(file) {
        entries++;
        total += file.originalSize;
        if (file.name === 'word/document.xml') hasDocument = true;
        if (entries > UPLOAD_LIMITS.maxDocxEntries) throw new RangeError('too many entries');
        if (file.originalSize > UPLOAD_LIMITS.maxDocxUncompressed || (file.size > 0 && file.originalSize / file.size > UPLOAD_LIMITS.maxDocxRatio && file.originalSize > 1024 * 1024))
          throw new RangeError('bomb entry');
        return false; // never decompress here
      },
    });
  } catch (e) {
    if (e instanceof RangeError)
      throw new AppError('payload_too_large', `docx refused: ${e.message}`, {
        userMessage: '该 .docx 解压后体积异常（疑似压缩炸弹），已拒绝。请检查文件来源，或另存为新的 .docx 后再上传。',
        fields: { file: '解压后体积异常。' },
      });
    throw bad('.docx 文件已损坏，无法读取。请用 Word 或 WPS 打开后另存一份再上传。', 'corrupt docx zip');
  }
  if (total > UPLOAD_LIMITS.maxDocxUncompressed)
    throw new AppError('payload_too_large', 'docx uncompressed total too large', {
      userMessage: `该 .docx 解压后超过 ${UPLOAD_LIMITS.maxDocxUncompressed / 1024 / 1024} MB（疑似压缩炸弹），已拒绝。`,
      fields: { file: '解压后体积过大。' },
    });
  if (!hasDocument) throw bad('这不是 Word 文档（.docx 中没有正文部分）。', 'docx without word/document.xml');
}

async function extractDocx(bytes: Uint8Array): Promise<ExtractedDocument> {
  checkDocxContainer(bytes);
  let result: { value: string; messages: { type: string; message: string }[] };
  try {
    result = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) });
  } catch (e) {
    throw bad('.docx 文件内容损坏，无法解析。请用 Word 或 WPS 打开后另存一份再上传。', `mammoth failed: ${(e as Error).message}`);
  }
  const { title, body } = htmlToText(result.value);
  const warnings = result.messages.filter((m) => m.type === 'error').map((m) => m.message).slice(0, 5);
  return { kind: 'docx', format: 'markdown', title, body, warnings };
}

async function extractPdf(bytes: Uint8Array): Promise<ExtractedDocument> {
  if (!(bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46))
    throw bad('这不是有效的 PDF 文件（文件头不对）。', 'pdf without %PDF header');
  const { getDocumentProxy, extractText, getMeta } = await import('unpdf');
  let doc: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    doc = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 } as never);
  } catch (e) {
    const name = (e as { name?: string }).name ?? '';
    if (name === 'PasswordException') throw bad('PDF 有密码保护，请先解除密码再上传。', 'encrypted pdf');
    throw bad('PDF 文件已损坏或格式不正确，无法解析。', `pdf open failed: ${(e as Error).message}`);
  }
  try {
    // Page count comes from the document's catalogue, before any page is parsed.
    if (doc.numPages > UPLOAD_LIMITS.maxPdfPages)
      throw new AppError('payload_too_large', `pdf has ${doc.numPages} pages`, {
        userMessage: `PDF 共 ${doc.numPages} 页，超过上限 ${UPLOAD_LIMITS.maxPdfPages} 页。请拆分后分别上传。`,
        fields: { file: '页数过多。' },
      });
    const meta = await getMeta(doc).catch(() => ({ info: {} as Record<string, unknown> }));
    const { text } = await extractText(doc, { mergePages: false });
    const pages = (text as string[]).map((p) => p.replace(/[ \t]+\n/g, '\n').trim());
    const body = pages.join('\n\n');
    const warnings = body.trim() ? [] : ['PDF 中没有可提取的文字（可能是扫描件），请上传文字版。'];
    const t = (meta.info as Record<string, unknown>)?.Title;
    return { kind: 'pdf', format: 'text', title: typeof t === 'string' && t.trim() ? t.trim() : null, body, warnings };
  } finally {
    await (doc as unknown as { destroy?: () => Promise<void> }).destroy?.().catch(() => {});
  }
}

function firstHeading(body: string): string | null {
  const m = /^#{1,2}\s+(.+)$/m.exec(body);
  if (m) return m[1].trim();
  const first = body.split('\n').find((l) => l.trim());
  return first && first.trim().length <= 60 ? first.trim() : null;
}

export async function extractUpload(fileName: string, bytes: Uint8Array): Promise<ExtractedDocument> {
  const kind = uploadKind(fileName);
  if (bytes.length === 0) throw bad('文件是空的。', 'empty file');
  if (bytes.length > UPLOAD_LIMITS.maxBytes)
    throw new AppError('payload_too_large', 'upload too large', { userMessage: `文件太大：上限为 ${UPLOAD_LIMITS.maxBytes / 1024 / 1024} MB。`, fields: { file: '文件太大。' } });
  let doc: ExtractedDocument;
  if (kind === 'docx') doc = await extractDocx(bytes);
  else if (kind === 'pdf') doc = await extractPdf(bytes);
  else {
    const text = decodeText(bytes);
    if (kind === 'html') {
      const h = htmlToText(text);
      doc = { kind, format: 'markdown', title: h.title, body: h.body, warnings: [] };
    } else doc = { kind, format: kind === 'md' ? 'markdown' : 'text', title: firstHeading(text), body: text, warnings: [] };
  }
  if (doc.body.length > UPLOAD_LIMITS.maxTextChars)
    throw new AppError('payload_too_large', 'extracted text too long', { userMessage: `文件文字超过 ${UPLOAD_LIMITS.maxTextChars / 10000} 万字，请拆分后上传。`, fields: { file: '文字过多。' } });
  if (!doc.body.trim()) throw bad(doc.warnings[0] ?? '文件中没有可提取的文字。', 'no text');
  return doc;
}
