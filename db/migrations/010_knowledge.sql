-- Knowledge base: documents, structure-aware chunks with pre-segmented tokens, embedding indexes that can
-- be rebuilt alongside the live one, and the editable domain dictionary and synonyms.
create table if not exists kb_documents (
  pack text not null,
  id text not null,
  file text not null,
  format text not null,
  title text not null,
  short_title text,
  issuer text,
  doc_number text,
  date text,
  source_url jsonb not null default '[]',
  completeness text,
  scope text not null check (scope in ('city', 'province', 'national', 'other-city', 'reference')),
  content_hash text not null,
  bytes integer not null,
  chunk_count integer not null default 0,
  meta jsonb not null default '{}',
  ingested_at timestamptz not null default now(),
  primary key (pack, id)
);

create table if not exists kb_chunks (
  id text primary key,
  pack text not null,
  document_id text not null,
  position integer not null,
  kind text not null check (kind in ('clause', 'table_row', 'text')),
  section_path jsonb not null default '[]',
  text text not null,
  -- Tokens as the tokenizer produced them (synonym canonicals and amt/pct tokens included).
  tokens text[] not null,
  ntokens integer not null,
  tsv tsvector not null,
  industries text[] not null default '{}',
  regions text[] not null default '{}',
  meta jsonb not null default '{}',
  foreign key (pack, document_id) references kb_documents (pack, id) on delete cascade
);
create index if not exists kb_chunks_document on kb_chunks (pack, document_id, position);
create index if not exists kb_chunks_tsv on kb_chunks using gin (tsv);

-- One row per embedding index; the live one is named in app_settings ('knowledge.live_index').
create table if not exists kb_embedding_indexes (
  id serial primary key,
  embedder_id text not null,
  dimensions integer not null check (dimensions > 0 and dimensions <= 16000),
  status text not null check (status in ('building', 'ready', 'retired')),
  created_at timestamptz not null default now(),
  ready_at timestamptz
);

-- Vectors of every index share this table; each index gets a partial HNSW index on
-- (embedding::vector(N)) where index_id = X, created when the index is built.
create table if not exists kb_embeddings (
  index_id integer not null references kb_embedding_indexes (id) on delete cascade,
  chunk_id text not null references kb_chunks (id) on delete cascade,
  embedding vector not null,
  primary key (index_id, chunk_id)
);
create index if not exists kb_embeddings_chunk on kb_embeddings (chunk_id);

create table if not exists kb_dictionary (
  pack text not null,
  word text not null,
  freq integer,
  tag text,
  source text not null default 'admin' check (source in ('pack', 'admin')),
  created_at timestamptz not null default now(),
  primary key (pack, word)
);

create table if not exists kb_synonyms (
  pack text not null,
  term text not null,
  canonical text not null,
  source text not null default 'admin' check (source in ('pack', 'admin')),
  created_at timestamptz not null default now(),
  primary key (pack, term)
);
