-- Button payloads too long for a channel's own limit (Telegram callback_data is 64 bytes) are kept here
-- and the button carries a short key instead. Keys are content hashes, so re-sending the same menu reuses
-- its row; old rows are pruned by the adapter.
create table if not exists channel_payloads (
  key text primary key,
  payload text not null,
  created_at timestamptz not null default now()
);
create index if not exists channel_payloads_created_idx on channel_payloads (created_at);
