-- Retrieval hits stored once per distinct set. Each answer keeps the hits it rested on (documents,
-- sections, scores and a 240-character excerpt each) for the console's review, and after a policy
-- briefing thousands of turns get the same cached answer with the same hits: as a column of every answer
-- row those ~9 KB were most of a chat turn's write (JSON parsing, TOAST compression, WAL). answers.hits
-- keeps older rows' hits; new rows reference answer_hits by the hash of their JSON.
create table if not exists answer_hits (
  key text primary key,
  hits jsonb not null,
  created_at timestamptz not null default now()
);
alter table answers add column if not exists hits_key text;
