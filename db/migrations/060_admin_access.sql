-- Admin console access: console users with roles and scopes, database-backed sessions, one-time setup
-- tokens, login throttling, and the audit log shared by every feature that changes data on someone's behalf.

create table if not exists admin_users (
  id bigserial primary key,
  username text not null unique,
  display_name text not null default '',
  password_hash text not null,
  role text not null check (role in ('admin', 'officer', 'reviewer')),
  -- Officers see one region (a pack region id); null means the whole city.
  region text,
  disabled boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_login_at timestamptz
);

-- The cookie carries a random token; only its SHA-256 is stored, so a leaked table cannot be replayed.
create table if not exists admin_sessions (
  token_hash text primary key,
  user_id bigint not null references admin_users(id) on delete cascade,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip text,
  user_agent text
);
create index if not exists admin_sessions_user_idx on admin_sessions (user_id);
create index if not exists admin_sessions_expires_idx on admin_sessions (expires_at);

create table if not exists admin_setup_tokens (
  token_hash text primary key,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);

-- Failed logins per key (ip|username and ip alone), for throttling across processes.
create table if not exists admin_login_failures (
  id bigserial primary key,
  key text not null,
  at timestamptz not null default now()
);
create index if not exists admin_login_failures_key_idx on admin_login_failures (key, at);

-- Who did what, when, with the state before and after. Written by the console for every admin action and
-- by other features (e.g. officers' progress queries). actor_kind says which identity space actor is in.
create table if not exists audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor_kind text not null default 'admin_user',
  actor_id text,
  actor_name text,
  action text not null,
  target_type text,
  target_id text,
  before jsonb,
  after jsonb,
  details jsonb,
  ip text
);
create index if not exists audit_log_at_idx on audit_log (at desc);
create index if not exists audit_log_action_idx on audit_log (action, at desc);
create index if not exists audit_log_target_idx on audit_log (target_type, target_id);
