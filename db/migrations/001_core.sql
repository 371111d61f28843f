-- Core: extensions and process-wide settings shared by every feature.
create extension if not exists vector schema public;

-- Key/value settings the app writes at run time (e.g. which embedding index is live).
create table if not exists app_settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);
