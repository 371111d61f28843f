/**
 * SQL for the knowledge base's storage: documents, chunks, embedding indexes and the editable lexicon.
 * Ingestion speed is a target, so new chunks and vectors are bulk-loaded in PostgreSQL's binary COPY
 * format (Queryable.copyFrom) and other batch writes go through jsonb_to_recordset, one statement per few
 * hundred rows; search SQL lives in ./knowledge-search.ts.
 */
import { BinaryCopyWriter } from '../binary-copy.ts';
import type { Queryable, SqlParam } from '../types.ts';

export type DocumentScope = 'city' | 'province' | 'national' | 'other-city' | 'reference';
export type StoredChunkKind = 'clause' | 'table_row' | 'text';

export interface DocumentRow {
  pack: string;
  id: string;
  file: string;
  format: string;
  title: string;
  shortTitle: string | null;
  issuer: string | null;
  docNumber: string | null;
  date: string | null;
  sourceUrl: string[];
  completeness: string | null;
  scope: DocumentScope;
  contentHash: string;
  bytes: number;
  chunkCount: number;
  meta: Record<string, unknown>;
  ingestedAt?: Date;
}

export interface ChunkRow {
  id: string;
  pack: string;
  documentId: string;
  position: number;
  kind: StoredChunkKind;
  sectionPath: string[];
  text: string;
  tokens: string[];
  industries: string[];
  regions: string[];
  meta: Record<string, unknown>;
  /** Disabled in the console: kept but never retrieved. */
  disabled?: boolean;
}

export interface EmbeddingIndexRow {
  id: number;
  embedderId: string;
  dimensions: number;
  status: 'building' | 'ready' | 'retired';
}

const BATCH = 400;

const CHUNK_COPY_COLUMNS = ['id', 'pack', 'document_id', 'position', 'kind', 'section_path', 'text', 'tokens', 'ntokens', 'tsv', 'industries', 'regions', 'meta'];
const CHUNK_COPY_TYPES = ['text', 'text', 'text', 'int4', 'text', 'jsonb', 'text', 'text[]', 'int4', 'tsvector', 'text[]', 'text[]', 'jsonb'] as const;

export const LIVE_INDEX_SETTING = 'knowledge.live_index';

/** pgvector's text form; finite numbers only (NaN would make the whole statement fail). */
export function vectorLiteral(v: number[]): string {
  return '[' + v.map((x) => (Number.isFinite(x) ? x : 0)).join(',') + ']';
}

function mapDocument(r: Record<string, any>): DocumentRow {
  return {
    pack: r.pack,
    id: r.id,
    file: r.file,
    format: r.format,
    title: r.title,
    shortTitle: r.short_title,
    issuer: r.issuer,
    docNumber: r.doc_number,
    date: r.date,
    sourceUrl: r.source_url ?? [],
    completeness: r.completeness,
    scope: r.scope,
    contentHash: r.content_hash,
    bytes: r.bytes,
    chunkCount: r.chunk_count,
    meta: r.meta ?? {},
    ingestedAt: r.ingested_at,
  };
}

export function mapChunk(r: Record<string, any>): ChunkRow {
  return {
    id: r.id,
    pack: r.pack,
    documentId: r.document_id,
    position: r.position,
    kind: r.kind,
    sectionPath: r.section_path ?? [],
    text: r.text,
    tokens: r.tokens ?? [],
    industries: r.industries ?? [],
    regions: r.regions ?? [],
    meta: r.meta ?? {},
    disabled: Boolean(r.disabled),
  };
}

export const knowledgeRepo = {
  async documentHashes(q: Queryable, pack: string): Promise<Map<string, string>> {
    const r = await q.query<{ id: string; content_hash: string }>('select id, content_hash from kb_documents where pack = $1', [pack]);
    return new Map(r.rows.map((x) => [x.id, x.content_hash]));
  },

  async listDocuments(q: Queryable, pack?: string): Promise<DocumentRow[]> {
    const r = await q.query(`select * from kb_documents ${pack ? 'where pack = $1' : ''} order by pack, id`, pack ? [pack] : []);
    return r.rows.map(mapDocument);
  },

  async getDocument(q: Queryable, pack: string, id: string): Promise<DocumentRow | null> {
    const r = await q.query('select * from kb_documents where pack = $1 and id = $2', [pack, id]);
    return r.rows[0] ? mapDocument(r.rows[0]) : null;
  },

  async deleteDocument(q: Queryable, pack: string, id: string): Promise<void> {
    await q.query('delete from kb_documents where pack = $1 and id = $2', [pack, id]);
  },

  async upsertDocument(q: Queryable, d: DocumentRow): Promise<void> {
    await q.query(
      `insert into kb_documents (pack, id, file, format, title, short_title, issuer, doc_number, date, source_url, completeness, scope, content_hash, bytes, chunk_count, meta, ingested_at)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10::jsonb,$11,$12,$13,$14,$15,$16::jsonb, now())
       on conflict (pack, id) do update set file = excluded.file, format = excluded.format, title = excluded.title, short_title = excluded.short_title,
         issuer = excluded.issuer, doc_number = excluded.doc_number, date = excluded.date, source_url = excluded.source_url,
         completeness = excluded.completeness, scope = excluded.scope, content_hash = excluded.content_hash, bytes = excluded.bytes,
         chunk_count = excluded.chunk_count, meta = excluded.meta, ingested_at = now()`,
      [d.pack, d.id, d.file, d.format, d.title, d.shortTitle, d.issuer, d.docNumber, d.date, JSON.stringify(d.sourceUrl), d.completeness, d.scope, d.contentHash, d.bytes, d.chunkCount, JSON.stringify(d.meta)],
    );
  },

  async deleteChunks(q: Queryable, pack: string, documentId: string): Promise<void> {
    await q.query('delete from kb_chunks where pack = $1 and document_id = $2', [pack, documentId]);
  },

  /**
   * New chunks (their ids must not exist). The lexical columns are derived here as the SQL of
   * updateTokens derives them: ntokens = cardinality(tokens), tsv = array_to_tsvector(tokens).
   */
  async insertChunks(q: Queryable, chunks: ChunkRow[]): Promise<void> {
    if (chunks.length === 0) return;
    const w = new BinaryCopyWriter(CHUNK_COPY_TYPES, chunks.reduce((n, c) => n + 3 * c.text.length + 512, 0));
    for (const c of chunks)
      w.add([c.id, c.pack, c.documentId, c.position, c.kind, c.sectionPath, c.text, c.tokens, c.tokens.length, c.tokens, c.industries, c.regions, c.meta]);
    await q.copyFrom('kb_chunks', CHUNK_COPY_COLUMNS, w.finish());
  },

  /** Rewrites the tokens of existing chunks (after a dictionary or synonym change). */
  async updateTokens(q: Queryable, rows: { id: string; tokens: string[] }[]): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) {
      await q.query(
        `update kb_chunks c set tokens = r.tokens, ntokens = cardinality(r.tokens), tsv = array_to_tsvector(r.tokens)
         from jsonb_to_recordset($1::jsonb) as r(id text, tokens text[]) where c.id = r.id`,
        [JSON.stringify(rows.slice(i, i + BATCH))],
      );
    }
  },

  async listChunks(q: Queryable, filter: { pack?: string; documentId?: string; afterId?: string; limit?: number; offset?: number } = {}): Promise<ChunkRow[]> {
    const where: string[] = [];
    const params: SqlParam[] = [];
    if (filter.pack) where.push(`pack = $${params.push(filter.pack)}`);
    if (filter.documentId) where.push(`document_id = $${params.push(filter.documentId)}`);
    const limit = Math.min(Math.max(filter.limit ?? 1000, 1), 100_000);
    const offset = Math.max(filter.offset ?? 0, 0);
    const r = await q.query(
      `select * from kb_chunks ${where.length ? 'where ' + where.join(' and ') : ''} order by pack, document_id, position limit ${limit} offset ${offset}`,
      params,
    );
    return r.rows.map(mapChunk);
  },

  async countChunks(q: Queryable, pack?: string): Promise<number> {
    const r = await q.query<{ n: number }>(`select count(*)::int as n from kb_chunks ${pack ? 'where pack = $1' : ''}`, pack ? [pack] : []);
    return r.rows[0]?.n ?? 0;
  },

  async chunksByIds(q: Queryable, ids: string[]): Promise<ChunkRow[]> {
    if (ids.length === 0) return [];
    const r = await q.query('select * from kb_chunks where id = any($1::text[])', [ids]);
    return r.rows.map(mapChunk);
  },

  /**
   * After bulk writes: fresh planner statistics, so the HNSW and GIN indexes are used at scale, and the
   * GIN index's pending list merged into the index proper. New entries wait in that unsorted list until
   * a vacuum (never, on PGlite) or until it reaches 4 MB, and every lexical query scanned all of it: at
   * 10k chunks that made the planner prefer a sequential scan and cost 11–27 ms a statement instead of
   * 2–3 (docs/benchmarks.md).
   * Only the columns that queries filter, join or order on get statistics: those of the chunks' tokens,
   * section path and meta and of the vectors were two thirds of ANALYZE's time (0.75 of 1.15 s at 10k
   * chunks) and no plan reads them; the search statements' plans are the same either way. A column
   * that search starts to filter on must be added here.
   */
  async analyze(q: Queryable): Promise<void> {
    await q.exec(
      `analyze kb_chunks (id, pack, document_id, position, kind, ntokens, tsv, industries, regions, disabled); analyze kb_embeddings (index_id, chunk_id);
       analyze kb_documents; select gin_clean_pending_list('kb_chunks_tsv'::regclass)`,
    );
  },

  // ---- embedding indexes ----

  async liveIndex(q: Queryable): Promise<EmbeddingIndexRow | null> {
    const r = await q.query<any>(
      `select i.* from app_settings s join kb_embedding_indexes i on i.id = (s.value->>'indexId')::int where s.key = $1`,
      [LIVE_INDEX_SETTING],
    );
    const x = r.rows[0];
    return x ? { id: x.id, embedderId: x.embedder_id, dimensions: x.dimensions, status: x.status } : null;
  },

  async listIndexes(q: Queryable): Promise<EmbeddingIndexRow[]> {
    const r = await q.query<any>('select * from kb_embedding_indexes order by id');
    return r.rows.map((x) => ({ id: x.id, embedderId: x.embedder_id, dimensions: x.dimensions, status: x.status }));
  },

  async createIndex(q: Queryable, embedderId: string, dimensions: number): Promise<EmbeddingIndexRow> {
    const r = await q.query<any>(`insert into kb_embedding_indexes (embedder_id, dimensions, status) values ($1, $2, 'building') returning *`, [embedderId, dimensions]);
    const x = r.rows[0];
    return { id: x.id, embedderId: x.embedder_id, dimensions: x.dimensions, status: x.status };
  },

  /** The partial HNSW index for one embedding index; id and dimension are integers we generated. */
  async createHnsw(q: Queryable, index: EmbeddingIndexRow, params?: { m: number; efConstruction: number }): Promise<void> {
    const id = Math.trunc(index.id);
    const dims = Math.trunc(index.dimensions);
    if (dims > 2000) return; // pgvector's HNSW limit for `vector`; larger indexes are scanned exactly.
    const m = Math.min(Math.max(Math.trunc(params?.m ?? 16), 2), 100);
    const ef = Math.min(Math.max(Math.trunc(params?.efConstruction ?? 64), 2 * m), 1000);
    // The graph of a large index must fit in maintenance memory or the build crawls.
    // One exec, so on a pool the setting and the build share a connection.
    await q.exec(
      `set maintenance_work_mem = '256MB'; create index if not exists kb_embeddings_hnsw_${id} on kb_embeddings using hnsw ((embedding::vector(${dims})) vector_cosine_ops) with (m = ${m}, ef_construction = ${ef}) where index_id = ${id}`,
    );
  },

  async dropHnsw(q: Queryable, indexId: number): Promise<void> {
    await q.exec(`drop index if exists kb_embeddings_hnsw_${Math.trunc(indexId)}`);
  },

  /** Makes `index` the live one in one transaction step; the previous live index is retired. */
  async setLive(q: Queryable, index: EmbeddingIndexRow): Promise<void> {
    await q.query(`update kb_embedding_indexes set status = 'retired' where status = 'ready' and id <> $1`, [index.id]);
    await q.query(`update kb_embedding_indexes set status = 'ready', ready_at = now() where id = $1`, [index.id]);
    await q.query(
      `insert into app_settings (key, value, updated_at) values ($1, $2::jsonb, now())
       on conflict (key) do update set value = excluded.value, updated_at = now()`,
      [LIVE_INDEX_SETTING, JSON.stringify({ indexId: index.id, embedderId: index.embedderId, dimensions: index.dimensions })],
    );
  },

  /** Drops a retired or abandoned index's vectors and its HNSW index. */
  async dropIndex(q: Queryable, indexId: number): Promise<void> {
    const id = Math.trunc(indexId);
    await q.exec(`drop index if exists kb_embeddings_hnsw_${id}`);
    await q.query('delete from kb_embedding_indexes where id = $1', [id]);
  },

  /** Vectors of chunks that have none in this index yet (new chunks, an index being built): bulk-loaded. */
  async insertEmbeddings(q: Queryable, indexId: number, rows: { chunkId: string; vector: number[] }[]): Promise<void> {
    if (rows.length === 0) return;
    const w = new BinaryCopyWriter(['int4', 'text', 'vector'], rows.length * (4 * (rows[0]!.vector.length + 16) + 64));
    for (const r of rows) w.add([indexId, r.chunkId, r.vector]);
    await q.copyFrom('kb_embeddings', ['index_id', 'chunk_id', 'embedding'], w.finish());
  },

  /** Replaces (or adds) the vectors of existing chunks, e.g. after a console edit of the text. */
  async upsertEmbeddings(q: Queryable, indexId: number, rows: { chunkId: string; vector: number[] }[]): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH).map((r) => ({ c: r.chunkId, e: vectorLiteral(r.vector) }));
      await q.query(
        `insert into kb_embeddings (index_id, chunk_id, embedding)
         select $1, r.c, r.e::vector from jsonb_to_recordset($2::jsonb) as r(c text, e text)
         on conflict (index_id, chunk_id) do update set embedding = excluded.embedding`,
        [indexId, JSON.stringify(batch)],
      );
    }
  },

  /** Console edit of one chunk's text: its tokens (and lexical index) follow in the same statement. */
  async updateChunkText(q: Queryable, id: string, text: string, tokens: string[]): Promise<boolean> {
    const r = await q.query('update kb_chunks set text = $2, tokens = $3::text[], ntokens = cardinality($3::text[]), tsv = array_to_tsvector($3::text[]) where id = $1', [
      id,
      text,
      tokens,
    ]);
    return r.affectedRows > 0;
  },

  async setChunkDisabled(q: Queryable, id: string, disabled: boolean): Promise<boolean> {
    return (await q.query('update kb_chunks set disabled = $2 where id = $1', [id, disabled])).affectedRows > 0;
  },

  /** Vectors already stored for these chunk ids (so unchanged chunks are not embedded twice). */
  async embeddingsFor(q: Queryable, indexId: number, chunkIds: string[]): Promise<Map<string, number[]>> {
    if (chunkIds.length === 0) return new Map();
    const r = await q.query<{ chunk_id: string; e: string }>(
      'select chunk_id, embedding::text as e from kb_embeddings where index_id = $1 and chunk_id = any($2::text[])',
      [indexId, chunkIds],
    );
    return new Map(r.rows.map((x) => [x.chunk_id, JSON.parse(x.e) as number[]]));
  },

  async chunksWithoutEmbedding(q: Queryable, indexId: number, limit: number): Promise<ChunkRow[]> {
    const r = await q.query(
      `select c.* from kb_chunks c where not exists (select 1 from kb_embeddings e where e.index_id = $1 and e.chunk_id = c.id)
       order by c.id limit ${Math.trunc(limit)}`,
      [indexId],
    );
    return r.rows.map(mapChunk);
  },

  // ---- lexicon ----

  async listWords(q: Queryable, pack: string): Promise<{ word: string; freq: number | null; tag: string | null; source: string }[]> {
    const r = await q.query<any>('select word, freq, tag, source from kb_dictionary where pack = $1 order by word', [pack]);
    return r.rows;
  },

  async addWord(q: Queryable, pack: string, e: { word: string; freq?: number | null; tag?: string | null }, source: 'pack' | 'admin' = 'admin'): Promise<void> {
    await q.query(
      `insert into kb_dictionary (pack, word, freq, tag, source) values ($1, $2, $3, $4, $5)
       on conflict (pack, word) do update set freq = excluded.freq, tag = excluded.tag, source = case when $5 = 'admin' then 'admin' else kb_dictionary.source end`,
      [pack, e.word, e.freq ?? null, e.tag ?? null, source],
    );
  },

  async removeWord(q: Queryable, pack: string, word: string): Promise<boolean> {
    return (await q.query('delete from kb_dictionary where pack = $1 and word = $2', [pack, word])).affectedRows > 0;
  },

  async listSynonyms(q: Queryable, pack: string): Promise<{ term: string; canonical: string; source: string }[]> {
    const r = await q.query<any>('select term, canonical, source from kb_synonyms where pack = $1 order by canonical, term', [pack]);
    return r.rows;
  },

  async addSynonym(q: Queryable, pack: string, term: string, canonical: string, source: 'pack' | 'admin' = 'admin'): Promise<void> {
    await q.query(
      `insert into kb_synonyms (pack, term, canonical, source) values ($1, $2, $3, $4)
       on conflict (pack, term) do update set canonical = excluded.canonical, source = case when $4 = 'admin' then 'admin' else kb_synonyms.source end`,
      [pack, term, canonical, source],
    );
  },

  async removeSynonym(q: Queryable, pack: string, term: string): Promise<boolean> {
    return (await q.query('delete from kb_synonyms where pack = $1 and term = $2', [pack, term])).affectedRows > 0;
  },

  /** Replaces the pack-sourced lexicon rows (admin rows win on conflict). */
  async seedLexicon(q: Queryable, pack: string, words: { word: string; freq?: number; tag?: string }[], synonyms: { term: string; canonical: string }[]): Promise<void> {
    await q.query(`delete from kb_dictionary where pack = $1 and source = 'pack'`, [pack]);
    await q.query(`delete from kb_synonyms where pack = $1 and source = 'pack'`, [pack]);
    await q.query(
      `insert into kb_dictionary (pack, word, freq, tag, source)
       select $1, r.word, r.freq, r.tag, 'pack' from jsonb_to_recordset($2::jsonb) as r(word text, freq int, tag text)
       on conflict (pack, word) do nothing`,
      [pack, JSON.stringify(words)],
    );
    await q.query(
      `insert into kb_synonyms (pack, term, canonical, source)
       select $1, r.term, r.canonical, 'pack' from jsonb_to_recordset($2::jsonb) as r(term text, canonical text)
       on conflict (pack, term) do nothing`,
      [pack, JSON.stringify(synonyms)],
    );
  },

  async getSetting<T>(q: Queryable, key: string): Promise<T | null> {
    const r = await q.query<{ value: T }>('select value from app_settings where key = $1', [key]);
    return r.rows[0]?.value ?? null;
  },

  async setSetting(q: Queryable, key: string, value: unknown): Promise<void> {
    await q.query(
      `insert into app_settings (key, value, updated_at) values ($1, $2::jsonb, now()) on conflict (key) do update set value = excluded.value, updated_at = now()`,
      [key, JSON.stringify(value)],
    );
  },
};
