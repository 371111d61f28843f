-- Diagnostic intake (申报诊断): drafts that keep every answer as typed (even invalid ones, in history),
-- submitted applications with a per-pack reference number, their status history, and the starter N+X
-- lists seeded from the pack and edited in the console. user_id is the engine's users.id (no foreign key,
-- so this area does not depend on the order other areas' migrations land in).

create table if not exists intake_drafts (
  id bigint generated always as identity primary key,
  pack text not null,
  user_id text not null,
  conversation_id text,
  status text not null default 'open' check (status in ('open', 'submitted', 'discarded')),
  -- Validated answers by field: { field: { value, input, at } }.
  answers jsonb not null default '{}',
  -- Every input in order, valid or not: [{ field, input, ok, error?, at }].
  history jsonb not null default '[]',
  current_field text,
  -- When editing from the summary, where to return to.
  return_to text,
  application_id bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- One open draft per user and pack: a second channel or a restart resumes the same one.
create unique index if not exists intake_drafts_open on intake_drafts (pack, user_id) where status = 'open';

create table if not exists applications (
  id bigint generated always as identity primary key,
  pack text not null,
  reference text not null unique,
  user_id text not null,
  uscc text not null,
  company_name text not null,
  data jsonb not null,
  status text not null default 'submitted'
    check (status in ('submitted', 'under_review', 'needs_info', 'accepted', 'rejected', 'withdrawn')),
  -- Where to tell the enterprise about status changes (the conversation it submitted from).
  conversation_id text,
  channel text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- One live application per 统一社会信用代码 and pack; a withdrawn one may be submitted again.
create unique index if not exists applications_uscc_live on applications (pack, uscc) where status <> 'withdrawn';
create index if not exists applications_user on applications (user_id, created_at desc);

create table if not exists application_status_history (
  id bigint generated always as identity primary key,
  application_id bigint not null references applications(id) on delete cascade,
  status text not null,
  note text,
  actor text not null,
  at timestamptz not null default now()
);
create index if not exists application_status_history_app on application_status_history (application_id, id);

-- Reference numbers: <prefix>-<year>-<6 digits>, gap-free per prefix and year.
create table if not exists application_counters (
  prefix text not null,
  year int not null,
  last int not null default 0,
  primary key (prefix, year)
);

create table if not exists nx_items (
  id bigint generated always as identity primary key,
  pack text not null,
  industry_id text not null,
  kind text not null check (kind in ('N', 'X')),
  code text not null,
  title text not null,
  description text not null default '',
  scenes jsonb not null default '[]',
  sort int not null default 0,
  active boolean not null default true,
  -- pack: seeded from nx.json; console: added or edited by staff (a re-seed never overwrites these).
  source text not null default 'pack' check (source in ('pack', 'console')),
  updated_by text,
  updated_at timestamptz not null default now(),
  unique (pack, industry_id, code)
);
