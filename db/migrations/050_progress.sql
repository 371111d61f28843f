-- Progress tracking: enterprises in the programme with their stage history, counted programme outputs,
-- import runs, and the district officers who may read the figures (with one-time chat binding codes and
-- optional API tokens). Stage and attribute vocabularies match knowledge/progress/model.ts.

create table if not exists progress_imports (
  id bigint generated always as identity primary key,
  file_name text not null,
  format text not null check (format in ('csv', 'xlsx')),
  actor text not null,
  rows_total int not null,
  rows_ok int not null,
  rows_failed int not null,
  created int not null,
  updated int not null,
  unchanged int not null,
  issues jsonb not null default '[]',
  at timestamptz not null default now()
);

create table if not exists progress_enterprises (
  id bigint generated always as identity primary key,
  -- 统一社会信用代码: the key re-imports match on.
  uscc text not null unique,
  name text not null,
  region text not null,
  industry text not null,
  scale text not null check (scale in ('above', 'below')),
  srdi text not null default 'none' check (srdi in ('none', 'innovative', 'srdi', 'little-giant')),
  cloud boolean not null default false,
  digital_level smallint check (digital_level between 1 and 4),
  stage text not null check (stage in ('enrolled', 'signed', 'diagnosed', 'implementing', 'accepted', 'qualified', 'paid')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  updated_by text not null
);
create index if not exists progress_enterprises_region on progress_enterprises (region, industry);

-- Every stage change, dated (occurred_on: when it happened) and attributed (source: the import file or
-- the user who recorded it). Rows are never updated; a correction is a new row.
create table if not exists progress_stage_events (
  id bigint generated always as identity primary key,
  enterprise_id bigint not null references progress_enterprises(id) on delete cascade,
  stage text not null check (stage in ('enrolled', 'signed', 'diagnosed', 'implementing', 'accepted', 'qualified', 'paid')),
  -- The digital level reached, for 达标.
  level smallint check (level between 1 and 4),
  occurred_on date not null,
  source_kind text not null check (source_kind in ('import', 'user', 'api', 'system')),
  source text not null,
  import_id bigint references progress_imports(id) on delete set null,
  recorded_at timestamptz not null default now()
);
create index if not exists progress_stage_events_enterprise on progress_stage_events (enterprise_id, stage, id);

-- Counted programme outputs keyed by the 表1 KPI id (solutions, workshops, providers, chain models,
-- typical practices) or a ranking output kind (honours).
create table if not exists progress_outputs (
  id bigint generated always as identity primary key,
  kpi_id text not null,
  name text not null,
  region text,
  industry text,
  achieved_on date not null,
  note text,
  created_by text not null,
  created_at timestamptz not null default now(),
  unique (kpi_id, name)
);

create table if not exists progress_officers (
  id bigint generated always as identity primary key,
  name text not null,
  -- One region name from the pack, or null for the whole city.
  region text,
  -- SHA-256 of the officer's API token, if one was issued.
  api_token_hash text unique,
  created_by text not null,
  created_at timestamptz not null default now(),
  disabled_at timestamptz
);

-- One-time binding codes: only the SHA-256 is stored; a code works once and expires.
create table if not exists progress_bind_codes (
  code_hash text primary key,
  officer_id bigint not null references progress_officers(id) on delete cascade,
  created_by text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  used_by text
);

-- Which chat user (engine users.id) speaks for which officer.
create table if not exists progress_officer_bindings (
  user_id text primary key,
  officer_id bigint not null references progress_officers(id) on delete cascade,
  bound_at timestamptz not null default now()
);
create index if not exists progress_officer_bindings_officer on progress_officer_bindings (officer_id);
