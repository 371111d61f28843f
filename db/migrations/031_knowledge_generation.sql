-- A counter that moves whenever anything an answer depends on changes: documents, chunks (and their
-- disabled flag), embeddings and the active index, the dictionary, synonyms, curated FAQ pairs and app
-- settings. The answer cache (knowledge/cache) keys on it, so a correction made in the console — by this
-- process or any other sharing the database — takes effect on the very next question. Statement-level
-- triggers keep it right whatever code path writes: ingestion, the console, psql.
create table if not exists knowledge_generation (
  id int primary key default 1 check (id = 1),
  value bigint not null default 0
);
insert into knowledge_generation (id, value) values (1, 0) on conflict (id) do nothing;

create or replace function bump_knowledge_generation() returns trigger language plpgsql as $$
begin
  update knowledge_generation set value = value + 1 where id = 1;
  return null;
end;
$$;

do $$
declare
  t text;
begin
  foreach t in array array['kb_documents', 'kb_chunks', 'kb_embedding_indexes', 'kb_embeddings', 'kb_dictionary', 'kb_synonyms', 'faq_pairs', 'app_settings'] loop
    execute format('drop trigger if exists %I on %I', t || '_generation', t);
    execute format('create trigger %I after insert or update or delete or truncate on %I for each statement execute function bump_knowledge_generation()', t || '_generation', t);
  end loop;
end;
$$;
