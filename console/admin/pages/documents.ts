/**
 * Knowledge documents: the list with metadata and index status, upload (.txt .md .docx .pdf .html) and
 * replacement, deletion, and each document's chunks with their section paths, where a chunk can be edited
 * or disabled. Writes go through the knowledge base, which swaps a document's chunks in one transaction,
 * so searches see the old version or the new one and never a gap. A file that cannot be read is refused
 * before anything is written.
 */
import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import { AppError, isAppError } from '../../../db/index.ts';
import { chunkDocument, UPLOADED_FILE_PREFIX, type SourceDocument } from '../../../knowledge/index.ts';
import { CURATORS, field, type AdminCtx, type AdminRoute } from '../context.ts';
import { ACCEPTED_EXTENSIONS, extractUpload, UPLOAD_LIMITS } from '../files/extract.ts';
import { fmtTime, html } from '../html.ts';
import { actionButton, csrfField, EMPTY, fieldError, layout } from '../layout.ts';

const SCOPE_LABEL: Record<string, string> = { city: '本市政策', province: '省级', national: '国家级', 'other-city': '外地参考', reference: '参考资料' };
const CHUNKS_PER_PAGE = 60;
export const UPLOAD_PREFIX = UPLOADED_FILE_PREFIX;

function scopeSelect(selected = 'city') {
  return html`<select name="scope">${Object.entries(SCOPE_LABEL).map(([k, v]) => html`<option value="${k}"${k === selected ? ' selected' : ''}>${v}</option>`)}</select>`;
}

function uploadFields() {
  return html`<label>文件（${ACCEPTED_EXTENSIONS.join(' ')}，不超过 ${UPLOAD_LIMITS.maxBytes / 1024 / 1024} MB）<input type="file" name="file" required accept="${ACCEPTED_EXTENSIONS.join(',')}"></label>
<label>标题（留空则取文件中的标题）<input name="title" maxlength="200"></label>
<label>发文机关<input name="issuer" maxlength="100"></label>
<label>日期<input name="date" maxlength="20" placeholder="如 2024-09-10"></label>
<label>适用范围${scopeSelect()}</label>`;
}

async function listPage(ctx: AdminCtx, flash?: string, errors: Record<string, string> = {}) {
  const docs = await ctx.services.knowledge.documents.list();
  const body = html`
<section class="card">
${docs.length === 0
  ? EMPTY
  : html`<table class="table" id="documents"><thead><tr><th>标题</th><th>范围</th><th>发文 · 日期</th><th>来源</th><th class="num">片段</th><th class="num">大小</th><th>状态</th><th>入库时间</th><th></th></tr></thead><tbody>
${docs.map(
  (d) => html`<tr>
<td><a href="/admin/documents/${encodeURIComponent(d.id)}">${d.title}</a>${d.completeness ? html`<div class="muted small">${d.completeness}</div>` : ''}</td>
<td>${SCOPE_LABEL[d.scope] ?? d.scope}</td>
<td class="small">${d.issuer ?? ''}${d.date ? html`<div>${d.date}</div>` : ''}</td>
<td class="small">${d.file.startsWith(UPLOAD_PREFIX) ? '上传' : '政策包'} · ${d.format}</td>
<td class="num">${d.chunkCount}</td>
<td class="num">${(d.bytes / 1024).toFixed(1)} KB</td>
<td>${d.chunkCount > 0 ? html`<span class="badge ok">已索引</span>` : html`<span class="badge warn">无片段</span>`}</td>
<td class="nowrap small">${fmtTime(d.ingestedAt)}</td>
<td class="nowrap">${actionButton(`/admin/documents/${encodeURIComponent(d.id)}/delete`, ctx.csrf, '删除', { confirm: `删除《${d.title}》及其全部片段？`, cls: 'btn small danger' })}</td></tr>`,
)}</tbody></table>`}
</section>
<section class="card"><h2>上传文档</h2>
${fieldError(errors, 'file')}
<form method="post" action="/admin/documents/upload" enctype="multipart/form-data" class="grid-form" id="upload-form">
${csrfField(ctx.csrf)}${uploadFields()}
<div><button class="btn primary" type="submit">上传并索引</button></div></form>
<p class="muted small">.docx 的标题样式、Markdown 的 # 标题和“一、（一）1.”编号都会成为章节路径。扫描版 PDF 没有文字，无法使用。</p>
</section>`;
  return layout(ctx.user, ctx.csrf, { title: '知识库文档', nav: 'documents', body }, flash);
}

async function documentPage(ctx: AdminCtx, id: string, page: number, flash?: string, errors: Record<string, string> = {}) {
  const kb = ctx.services.knowledge;
  const doc = await kb.documents.get(id);
  if (!doc) throw new AppError('not_found', `document ${id}`, { userMessage: '没有这个文档。' });
  const chunks = await kb.documents.chunks(id, { limit: CHUNKS_PER_PAGE, offset: (page - 1) * CHUNKS_PER_PAGE });
  const pages = Math.max(1, Math.ceil(doc.chunkCount / CHUNKS_PER_PAGE));
  const body = html`
<section class="card">
<h2>${doc.title}</h2>
<p class="small muted">编号 ${doc.id} · ${SCOPE_LABEL[doc.scope] ?? doc.scope} · ${doc.issuer ?? ''} ${doc.docNumber ?? ''} ${doc.date ?? ''} · ${doc.chunkCount} 个片段 · 入库 ${fmtTime(doc.ingestedAt)}</p>
<details><summary>上传新版本替换此文档</summary>
${fieldError(errors, 'file')}
<form method="post" action="/admin/documents/${encodeURIComponent(doc.id)}/replace" enctype="multipart/form-data" class="grid-form">
${csrfField(ctx.csrf)}${uploadFields()}
<div><button class="btn primary" type="submit">替换并重新索引</button></div></form>
<p class="muted small">替换在一个事务中完成：检索在替换前后都能查到内容，不会出现空窗。</p></details>
</section>
<section class="card">
<table class="table" id="chunks"><thead><tr><th>#</th><th>章节路径 · 内容</th><th>类型</th><th>状态</th><th></th></tr></thead><tbody>
${chunks.map((c) => {
  const disabled = Boolean((c as { disabled?: boolean }).disabled);
  return html`<tr id="chunk-${c.id}" class="${disabled ? 'muted' : ''}"><td>${c.position + 1}</td>
<td><div class="path">${c.sectionPath.join(' > ') || '（无章节）'}</div><div class="chunk-text">${c.text}</div>
<details><summary class="small">编辑</summary><form method="post" action="/admin/chunks/${encodeURIComponent(c.id)}" class="grid-form">${csrfField(ctx.csrf)}
<input type="hidden" name="document" value="${doc.id}"><textarea name="text" rows="5" maxlength="8000">${c.text}</textarea>
<div><button class="btn small primary" type="submit">保存片段</button></div></form></details></td>
<td class="small">${c.kind === 'table_row' ? '表格行' : c.kind === 'clause' ? '条款' : '正文'}</td>
<td>${disabled ? html`<span class="badge">已停用</span>` : html`<span class="badge ok">启用</span>`}</td>
<td>${actionButton(`/admin/chunks/${encodeURIComponent(c.id)}/toggle`, ctx.csrf, disabled ? '启用' : '停用', { hidden: { document: doc.id, disabled: disabled ? '0' : '1' } })}</td></tr>`;
})}
</tbody></table>
<div class="pager">第 ${page}/${pages} 页
${page > 1 ? html`<a href="/admin/documents/${encodeURIComponent(doc.id)}?page=${page - 1}">上一页</a>` : ''}
${page < pages ? html`<a href="/admin/documents/${encodeURIComponent(doc.id)}?page=${page + 1}">下一页</a>` : ''}</div>
</section>`;
  return layout(ctx.user, ctx.csrf, { title: '文档详情', nav: 'documents', body }, flash);
}

/** Reads the uploaded file into a SourceDocument; throws a validation AppError with a Chinese message. */
async function sourceFromUpload(ctx: AdminCtx, req: Request, id: string): Promise<SourceDocument> {
  const file = (req as Request & { file?: { originalname: string; buffer: Buffer } }).file;
  if (!file) throw AppError.validation({ file: '请选择要上传的文件。' });
  // Browsers send the name as latin1 bytes of UTF-8; decode so Chinese file names survive.
  const name = Buffer.from(file.originalname, 'latin1').toString('utf8');
  const extracted = await extractUpload(name, new Uint8Array(file.buffer));
  // A file whose text yields nothing searchable (a scan, a title page) would otherwise be stored empty,
  // and as a replacement would silently empty a document out of retrieval.
  if (chunkDocument({ body: extracted.body, format: extracted.format }).chunks.length === 0)
    throw AppError.validation({ file: `没有从“${name}”中识别出可检索的正文（可能是扫描件、图片或只有标题）。请上传包含文字正文的文件；现有内容未做任何改动。` });
  const scope = field(req.body, 'scope');
  const title = field(req.body, 'title').trim().slice(0, 200) || extracted.title || name.replace(/\.[^.]+$/, '');
  return {
    pack: ctx.services.pack.id,
    id,
    file: `${UPLOAD_PREFIX}${name}`,
    format: extracted.format,
    title,
    shortTitle: null,
    issuer: field(req.body, 'issuer').trim().slice(0, 100) || null,
    docNumber: null,
    date: field(req.body, 'date').trim().slice(0, 20) || null,
    sourceUrl: [],
    completeness: extracted.warnings.length ? extracted.warnings.join('；').slice(0, 300) : null,
    scope: (scope in SCOPE_LABEL ? scope : 'city') as SourceDocument['scope'],
    body: extracted.body,
    bytes: file.buffer.length,
    hash: crypto.createHash('sha256').update(file.buffer).digest('hex'),
  };
}

const send = (res: Response, status: number, page: string) => void res.status(status).type('html').send(page);

/** Upload errors re-render the form with the message (400/413/415), never a 500. */
function uploadFailure(e: unknown): Record<string, string> | null {
  if (isAppError(e) && ['validation', 'payload_too_large', 'unsupported'].includes(e.code)) return { file: e.fields?.file && e.code === 'validation' ? e.userMessage : e.userMessage };
  return null;
}

const UPLOAD = { field: 'file', maxBytes: UPLOAD_LIMITS.maxBytes };

export function documentRoutes(): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/documents',
      roles: CURATORS,
      async handler(req, res, ctx) {
        send(res, 200, await listPage(ctx, field(req.query, 'done')));
      },
    },
    {
      method: 'post',
      path: '/documents/upload',
      roles: CURATORS,
      upload: UPLOAD,
      async handler(req, res, ctx) {
        const id = `up-${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
        let doc: SourceDocument;
        try {
          doc = await sourceFromUpload(ctx, req, id);
        } catch (e) {
          const errors = uploadFailure(e);
          if (errors) return send(res, isAppError(e) ? e.httpStatus : 400, await listPage(ctx, undefined, errors));
          throw e;
        }
        const report = await ctx.services.knowledge.documents.ingest(doc);
        const after = await ctx.services.knowledge.documents.get(id);
        await ctx.audit('document.upload', { type: 'document', id }, { after, details: { file: doc.file, chunks: report.chunks } });
        res.redirect(303, `/admin/documents/${encodeURIComponent(id)}?done=uploaded`);
      },
    },
    {
      method: 'get',
      path: '/documents/:id',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const page = Math.max(1, Number.parseInt(field(req.query, 'page'), 10) || 1);
        send(res, 200, await documentPage(ctx, String(req.params.id), page, field(req.query, 'done')));
      },
    },
    {
      method: 'post',
      path: '/documents/:id/replace',
      roles: CURATORS,
      upload: UPLOAD,
      async handler(req, res, ctx) {
        const id = String(req.params.id);
        const before = await ctx.services.knowledge.documents.get(id);
        if (!before) throw new AppError('not_found', `document ${id}`, { userMessage: '没有这个文档。' });
        let doc: SourceDocument;
        try {
          doc = await sourceFromUpload(ctx, req, id);
        } catch (e) {
          const errors = uploadFailure(e);
          if (errors) return send(res, isAppError(e) ? e.httpStatus : 400, await documentPage(ctx, id, 1, undefined, errors));
          throw e;
        }
        const report = await ctx.services.knowledge.documents.ingest(doc);
        const after = await ctx.services.knowledge.documents.get(id);
        await ctx.audit('document.replace', { type: 'document', id }, { before, after, details: { file: doc.file, chunks: report.chunks } });
        res.redirect(303, `/admin/documents/${encodeURIComponent(id)}?done=replaced`);
      },
    },
    {
      method: 'post',
      path: '/documents/:id/delete',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const id = String(req.params.id);
        const before = await ctx.services.knowledge.documents.get(id);
        if (!before) throw new AppError('not_found', `document ${id}`, { userMessage: '没有这个文档。' });
        await ctx.services.knowledge.documents.remove(id);
        await ctx.audit('document.delete', { type: 'document', id }, { before });
        res.redirect(303, '/admin/documents?done=deleted');
      },
    },
    {
      method: 'post',
      path: '/chunks/:id',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const id = String(req.params.id);
        const text = field(req.body, 'text').trim();
        if (!text) throw AppError.validation({ text: '片段内容不能为空（不需要的片段请停用）。' });
        if (text.length > 8000) throw AppError.validation({ text: '片段太长（最多 8000 字）。' });
        const before = await ctx.services.knowledge.documents.chunk(id);
        if (!before) throw new AppError('not_found', `chunk ${id}`, { userMessage: '没有这个片段。' });
        await ctx.services.knowledge.chunks.edit(id, text);
        await ctx.audit('chunk.edit', { type: 'chunk', id }, { before: { text: before.text }, after: { text }, details: { document: before.documentId } });
        res.redirect(303, `/admin/documents/${encodeURIComponent(before.documentId)}?done=saved#chunk-${encodeURIComponent(id)}`);
      },
    },
    {
      method: 'post',
      path: '/chunks/:id/toggle',
      roles: CURATORS,
      async handler(req, res, ctx) {
        const id = String(req.params.id);
        const before = await ctx.services.knowledge.documents.chunk(id);
        if (!before) throw new AppError('not_found', `chunk ${id}`, { userMessage: '没有这个片段。' });
        const disabled = field(req.body, 'disabled') === '1';
        await ctx.services.knowledge.chunks.setDisabled(id, disabled);
        await ctx.audit(disabled ? 'chunk.disable' : 'chunk.enable', { type: 'chunk', id }, { details: { document: before.documentId } });
        res.redirect(303, `/admin/documents/${encodeURIComponent(before.documentId)}?done=saved#chunk-${encodeURIComponent(id)}`);
      },
    },
  ];
}
