-- Chunks ingested before ingestion merged the GIN pending list (knowledgeRepo.analyze) left it full:
-- every lexical query scanned it linearly. Merge it once; ingestion keeps it merged from now on.
select gin_clean_pending_list('kb_chunks_tsv'::regclass);
analyze kb_chunks;
