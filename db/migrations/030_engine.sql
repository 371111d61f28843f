-- The dialogue engine: chat users and their channel identities, conversations with their persisted flow
-- state, delivery dedupe, the shared rate-limit counters, transcripts (messages, answers with feedback),
-- human handoffs, and long button payloads that do not fit a channel's callback limit.

create table if not exists users (
  id text primary key,
  role text not null default 'enterprise' check (role in ('enterprise', 'officer', 'admin', 'reviewer')),
  display_name text,
  lang text not null default 'zh' check (lang in ('zh', 'en')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists channel_identities (
  channel text not null,
  external_id text not null,
  user_id text not null references users(id) on delete cascade,
  display_name text,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  primary key (channel, external_id)
);
create index if not exists channel_identities_user on channel_identities (user_id);

-- One conversation per (channel, chat, thread, user): in a shared Slack channel every user has their own
-- flow state. thread_id is '' rather than null so the unique key works on every engine.
create table if not exists conversations (
  id text primary key,
  user_id text not null references users(id) on delete cascade,
  channel text not null,
  chat_id text not null,
  thread_id text not null default '',
  flow_id text,
  flow_version int,
  flow_state jsonb,
  flow_started_at timestamptz,
  -- Optimistic concurrency: two processes stepping the same conversation cannot both win.
  revision int not null default 0,
  abstain_streak int not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_message_at timestamptz not null default now(),
  unique (channel, chat_id, thread_id, user_id)
);
create index if not exists conversations_user on conversations (user_id, last_message_at desc);
create index if not exists conversations_recent on conversations (last_message_at desc);

create table if not exists processed_updates (
  channel text not null,
  message_id text not null,
  conversation_id text,
  processed_at timestamptz not null default now(),
  primary key (channel, message_id)
);
create index if not exists processed_updates_age on processed_updates (processed_at);

create table if not exists rate_limits (
  key text not null,
  window_start timestamptz not null,
  count int not null default 0,
  primary key (key, window_start)
);

create table if not exists answers (
  id bigint generated always as identity primary key,
  conversation_id text not null references conversations(id) on delete cascade,
  question text not null,
  rewritten_query text,
  text text not null,
  citations jsonb not null default '[]',
  -- Each hit: chunkId, documentTitle, sectionPath, score and each ranker's score, for the console.
  hits jsonb not null default '[]',
  abstained boolean not null,
  mode text not null,
  confidence double precision,
  lang text not null default 'zh',
  feedback smallint check (feedback in (-1, 1)),
  feedback_reason text,
  feedback_at timestamptz,
  created_at timestamptz not null default now()
);
create index if not exists answers_conversation on answers (conversation_id, id);
create index if not exists answers_feedback on answers (feedback) where feedback is not null;
create index if not exists answers_abstained on answers (created_at) where abstained;

-- The transcript: every message in and out, and staff replies. id is monotonic so the web chat can poll
-- "everything after N".
create table if not exists messages (
  id bigint generated always as identity primary key,
  conversation_id text not null references conversations(id) on delete cascade,
  direction text not null check (direction in ('in', 'out')),
  kind text not null default 'text',
  text text not null default '',
  payload text,
  citations jsonb,
  buttons jsonb,
  answer_id bigint references answers(id) on delete set null,
  author text,
  created_at timestamptz not null default now()
);
create index if not exists messages_conversation on messages (conversation_id, id);

create table if not exists handoffs (
  id bigint generated always as identity primary key,
  conversation_id text not null references conversations(id) on delete cascade,
  user_id text not null references users(id) on delete cascade,
  channel text not null,
  chat_id text not null,
  thread_id text not null default '',
  status text not null default 'waiting' check (status in ('waiting', 'answered', 'closed')),
  reason text not null default 'user' check (reason in ('user', 'abstentions')),
  note text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  answered_at timestamptz,
  closed_at timestamptz,
  closed_by text
);
-- At most one open handoff per conversation.
create unique index if not exists handoffs_open on handoffs (conversation_id) where status <> 'closed';
create index if not exists handoffs_status on handoffs (status, created_at);

create table if not exists button_payloads (
  id bigint generated always as identity primary key,
  body text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
