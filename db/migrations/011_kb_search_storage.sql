-- Search and ingestion speed (docs/benchmarks.md): keep the values every query reads inside the row.
-- A chunk's tsvector is tested once per query term for every candidate chunk; stored out of line (TOAST)
-- each test fetched it again. MAIN keeps it inline unless the row cannot fit any other way.
alter table kb_chunks alter column tsv set storage main;
-- A 512-dimension vector (2 KB) tipped its row over the default 2 KB threshold, so every vector was
-- stored out of line and fetched through the TOAST table by the HNSW build and exact scans. Rows up to a
-- page stay inline now (existing vectors move in when re-indexed); larger vectors (over ~2,000
-- dimensions) are still moved out.
alter table kb_embeddings set (toast_tuple_target = 8160);
-- Existing chunks take the new storage when their tsvector is rewritten.
update kb_chunks set tsv = array_to_tsvector(tokens);
