-- Curated answers (FAQ pairs): written by programme staff in the console, often from a corrected chat
-- answer. They take precedence over retrieval when a question matches one of their variants closely.
-- conversation_id / message_id link a pair to the conversation it corrected; they are plain text because
-- conversations belong to the engine's migrations (030+), which run after this one.
create table if not exists faq_pairs (
  id uuid primary key default gen_random_uuid(),
  pack text not null,
  question text not null,
  variants jsonb not null default '[]'::jsonb,
  answer text not null,
  answer_en text,
  source_document text not null,
  source_section text not null default '',
  source_quote text not null default '',
  conversation_id text,
  message_id text,
  enabled boolean not null default true,
  created_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index if not exists faq_pairs_pack_idx on faq_pairs (pack) where enabled;
create index if not exists faq_pairs_conversation_idx on faq_pairs (conversation_id) where conversation_id is not null;
