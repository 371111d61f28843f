/**
 * Storage for the channel adapters: button payloads that do not fit a transport's limit, stored under a
 * short key (see bot/channels/telegram). Plain SQL that runs the same on PGlite and PostgreSQL.
 */
import type { Queryable } from '../types.ts';

export interface ChannelPayloadRepo {
  /** Stores `payload` under `key`; storing the same key again is a no-op (keys are content hashes). */
  put(key: string, payload: string): Promise<void>;
  get(key: string): Promise<string | undefined>;
  /** Deletes payloads stored before `before`; returns how many. */
  prune(before: Date): Promise<number>;
}

export function channelPayloadRepo(db: Queryable): ChannelPayloadRepo {
  return {
    async put(key, payload) {
      await db.query('insert into channel_payloads (key, payload) values ($1, $2) on conflict (key) do nothing', [key, payload]);
    },
    async get(key) {
      const { rows } = await db.query<{ payload: string }>('select payload from channel_payloads where key = $1', [key]);
      return rows[0]?.payload;
    },
    async prune(before) {
      const { affectedRows } = await db.query('delete from channel_payloads where created_at < $1', [before]);
      return affectedRows;
    },
  };
}
