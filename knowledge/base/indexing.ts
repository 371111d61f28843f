/**
 * What gets indexed for a chunk besides its text: the document title and section path for the lexical
 * ranker (a question naming 金华 or 第一阶段 should find the clause under it), the industry and region
 * tags that filters use, and a stable chunk id (same document, path and text → same id) so unchanged
 * chunks keep their embeddings across re-ingestion.
 */
import crypto from 'node:crypto';
import type { ChunkRow, StoredChunkKind } from '../../db/index.ts';
import type { ChunkDraft } from '../ingest/index.ts';
import type { Pack } from '../pack/index.ts';
import type { Tokenizer } from '../text/index.ts';

export interface IndexableChunk {
  kind: StoredChunkKind;
  sectionPath: string[];
  text: string;
  meta: Record<string, unknown>;
}

/** Context + text for the lexical ranker. */
export function lexicalText(docTitle: string, c: IndexableChunk): string {
  const extra = c.kind === 'table_row' ? [String(c.meta.rowHeader ?? ''), ...((c.meta.columns as string[]) ?? [])] : [];
  return [docTitle, ...c.sectionPath, String(c.meta.title ?? ''), ...extra, c.text].filter(Boolean).join('\n');
}

/** Context + text for the embedder: the nearest headings, not the whole document title. */
export function embeddingText(c: IndexableChunk): string {
  const heads = c.sectionPath.slice(-2).filter((h) => !/^\d+\.$/.test(h));
  const title = c.meta.title && !c.text.includes(String(c.meta.title)) ? [String(c.meta.title)] : [];
  return [...heads, ...title, c.text].join('\n');
}

export function tagChunk(pack: Pack, text: string): { industries: string[]; regions: string[] } {
  const industries = pack.industries.industries
    .filter((i) => [i.name, ...i.aliases].some((a) => a.length >= 2 && text.includes(a)))
    .map((i) => i.id);
  const regions = new Set<string>();
  for (const r of pack.regions.regions) if ([r.name, ...r.aliases].some((a) => a.length >= 2 && text.includes(a))) regions.add(r.name);
  const cp = pack.regions.cityProper;
  if (cp && [cp.name, ...cp.aliases].some((a) => a.length >= 3 && text.includes(a))) for (const m of cp.members) regions.add(m);
  return { industries, regions: [...regions] };
}

export function toChunkRows(pack: Pack, documentId: string, docTitle: string, drafts: ChunkDraft[], tokenizer: Tokenizer): ChunkRow[] {
  const used = new Set<string>();
  return drafts.map((d, position) => {
    const base = crypto.createHash('sha1').update(`${pack.id}\u0000${documentId}\u0000${d.sectionPath.join('\u0001')}\u0000${d.text}`).digest('hex').slice(0, 16);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    const c: IndexableChunk = { kind: d.kind, sectionPath: d.sectionPath, text: d.text, meta: d.meta };
    const tags = tagChunk(pack, [...d.sectionPath, d.text].join('\n'));
    return {
      id,
      pack: pack.id,
      documentId,
      position,
      kind: d.kind,
      sectionPath: d.sectionPath,
      text: d.text,
      tokens: tokensFor(tokenizer, docTitle, c),
      industries: tags.industries,
      regions: tags.regions,
      meta: d.meta,
    };
  });
}

export function tokensFor(tokenizer: Tokenizer, docTitle: string, c: IndexableChunk): string[] {
  return [...new Set(tokenizer.tokens(lexicalText(docTitle, c)))];
}
