-- Console curation of the knowledge base: a chunk can be disabled (kept, shown in the console, never
-- retrieved) and edited. The flag lives on the chunk so both rankers filter it in the same SQL.
alter table kb_chunks add column if not exists disabled boolean not null default false;
