import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linearMemfsGrowth, type Db } from '../../db/index.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

type Fs = {
  writeFile(p: string, d: Uint8Array): void;
  readFile(p: string): Uint8Array;
  truncate(p: string, n: number): void;
  lookupPath(p: string): { node: { contents: Uint8Array; usedBytes: number } };
};
const fsOf = (pg: PGlite) => (pg as unknown as { Module: { FS: Fs } }).Module.FS;

// In-memory PGlite's files grow in place instead of being copied whole at every size change.
describe('in-memory file growth', () => {
  let pg: PGlite;
  let t: TestDb;
  beforeAll(async () => {
    pg = new PGlite();
    await pg.waitReady;
    t = await openTestDb('pglite');
  });
  afterAll(async () => {
    await pg?.close();
    await t?.close();
  });

  it('grows a file geometrically on ftruncate, and bytes past the old end read as zero', () => {
    expect(linearMemfsGrowth(pg)).toBe(true);
    expect(linearMemfsGrowth(pg)).toBe(true); // idempotent
    const fs = fsOf(pg);
    fs.writeFile('/tmp/grow', new Uint8Array(2 << 20).fill(7));
    fs.truncate('/tmp/grow', (2 << 20) + 8192);
    const node = fs.lookupPath('/tmp/grow').node;
    expect(node.usedBytes).toBe((2 << 20) + 8192);
    // Room for the next extensions without another copy (unpatched: exactly the new size).
    expect(node.contents.length).toBeGreaterThan(node.usedBytes);
    fs.truncate('/tmp/grow', 3);
    fs.truncate('/tmp/grow', 6);
    expect([...fs.readFile('/tmp/grow')]).toEqual([7, 7, 7, 0, 0, 0]);
  });

  it('keeps data right through relation truncation and regrowth (openDb applies it)', async () => {
    const db: Db = t.db;
    await db.exec('create table mg (n int, pad text)');
    await db.query(`insert into mg select g, repeat('x', 500) from generate_series(1, 5000) g`);
    await db.exec('delete from mg');
    await db.exec('vacuum mg'); // the file is truncated to nothing
    await db.query(`insert into mg select g, repeat('y', 300) from generate_series(1, 3000) g`);
    const r = await db.query<{ n: number; s: number; bad: number }>(`select count(*)::int as n, sum(n)::int as s, count(*) filter (where pad <> repeat('y', 300))::int as bad from mg`);
    expect(r.rows[0]).toEqual({ n: 3000, s: (3000 * 3001) / 2, bad: 0 });
  });
});
