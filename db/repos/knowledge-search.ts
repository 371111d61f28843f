/**
 * The two rankers' SQL. Lexical: BM25-style scoring (idf of each matched token, length-normalised) over
 * the pre-segmented token tsvector, candidates found through the GIN index. Vector: cosine distance on
 * the live embedding index through its partial HNSW index. Filters are the same for both.
 */
import type { Queryable, SqlParam } from '../types.ts';
import { mapChunk, type ChunkRow, type DocumentScope } from './knowledge.ts';

export interface ChunkFilter {
  pack?: string;
  documentIds?: string[];
  industry?: string;
  region?: string;
  scopes?: DocumentScope[];
  kinds?: string[];
}

export interface RankedId {
  id: string;
  score: number;
}

export interface TermStats {
  n: number;
  avgTokens: number;
  df: Map<string, number>;
}

function filterSql(f: ChunkFilter, params: SqlParam[]): string {
  // Chunks disabled in the console are never retrieved, by either ranker.
  const w: string[] = ['not c.disabled'];
  if (f.pack) w.push(`c.pack = $${params.push(f.pack)}`);
  if (f.documentIds?.length) w.push(`c.document_id = any($${params.push(f.documentIds)}::text[])`);
  if (f.industry) w.push(`(cardinality(c.industries) = 0 or $${params.push(f.industry)} = any(c.industries))`);
  if (f.region) w.push(`(cardinality(c.regions) = 0 or $${params.push(f.region)} = any(c.regions))`);
  if (f.kinds?.length) w.push(`c.kind = any($${params.push(f.kinds)}::text[])`);
  if (f.scopes?.length)
    w.push(`exists (select 1 from kb_documents d where d.pack = c.pack and d.id = c.document_id and d.scope = any($${params.push(f.scopes)}::text[]))`);
  return w.length ? ' and ' + w.join(' and ') : '';
}

/** A tsquery literal matching any of the lexemes, quoted so no token is parsed as an operator. */
export function orQuery(tokens: string[]): string {
  return tokens.map((t) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`).join(' | ');
}

export const knowledgeSearchRepo = {
  async termStats(q: Queryable, pack?: string): Promise<TermStats> {
    const where = pack ? ` where pack = ''${pack.replace(/[^a-z0-9-]/g, '')}''` : '';
    const stats = await q.query<{ n: number; avg: number }>(
      `select count(*)::int as n, coalesce(avg(ntokens), 0)::float8 as avg from kb_chunks${pack ? ' where pack = $1' : ''}`,
      pack ? [pack] : [],
    );
    const df = await q.query<{ word: string; ndoc: number }>(`select word, ndoc from ts_stat('select tsv from kb_chunks${where}')`);
    return { n: stats.rows[0]?.n ?? 0, avgTokens: stats.rows[0]?.avg ?? 0, df: new Map(df.rows.map((r) => [r.word, r.ndoc])) };
  },

  async lexical(
    q: Queryable,
    terms: { token: string; weight: number }[],
    filter: ChunkFilter,
    limit: number,
    bm25: { k1: number; b: number; avgTokens: number },
  ): Promise<RankedId[]> {
    if (terms.length === 0) return [];
    const params: SqlParam[] = [terms.map((t) => orQuery([t.token])), terms.map((t) => t.weight), orQuery(terms.map((t) => t.token))];
    const k1 = bm25.k1;
    const b = bm25.b;
    const avg = Math.max(bm25.avgTokens, 1);
    const sql = `with qt as materialized (select t.q::tsquery as q, t.w from unnest($1::text[], $2::float8[]) as t(q, w))
      select c.id, (select coalesce(sum(qt.w), 0) from qt where c.tsv @@ qt.q) * ${k1 + 1} / (1 + ${k1} * (1 - ${b} + ${b} * c.ntokens / ${avg})) as score
      from kb_chunks c
      where c.tsv @@ $3::tsquery${filterSql(filter, params)}
      order by score desc, c.id
      limit ${Math.trunc(limit)}`;
    const r = await q.query<{ id: string; score: number }>(sql, params);
    return r.rows.map((x) => ({ id: x.id, score: Number(x.score) }));
  },

  async vector(q: Queryable, index: { id: number; dimensions: number }, vector: string, filter: ChunkFilter, limit: number): Promise<RankedId[]> {
    const id = Math.trunc(index.id);
    const dims = Math.trunc(index.dimensions);
    const params: SqlParam[] = [vector];
    const sql = `select e.chunk_id as id, 1 - (e.embedding::vector(${dims}) <=> $1::vector(${dims})) as score
      from kb_embeddings e join kb_chunks c on c.id = e.chunk_id
      where e.index_id = ${id}${filterSql(filter, params)}
      order by e.embedding::vector(${dims}) <=> $1::vector(${dims})
      limit ${Math.trunc(limit)}`;
    const r = await q.query<{ id: string; score: number }>(sql, params);
    return r.rows.map((x) => ({ id: x.id, score: Number(x.score) }));
  },

  async hitDetails(q: Queryable, ids: string[]): Promise<(ChunkRow & { documentTitle: string; documentShortTitle: string | null; scope: DocumentScope })[]> {
    if (ids.length === 0) return [];
    const r = await q.query<any>(
      `select c.*, d.title as document_title, d.short_title as document_short_title, d.scope as document_scope
       from kb_chunks c join kb_documents d on d.pack = c.pack and d.id = c.document_id where c.id = any($1::text[])`,
      [ids],
    );
    return r.rows.map((x) => ({ ...mapChunk(x), documentTitle: x.document_title, documentShortTitle: x.document_short_title, scope: x.document_scope }));
  },
};
