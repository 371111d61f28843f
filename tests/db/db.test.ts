import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, loadMigrations, migrate, openDb } from '../../db/index.ts';
import { openTestDb, testDbMode, type TestDb } from '../helpers/db.ts';

describe(`db (${testDbMode()})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has applied every migration and a second run changes nothing', async () => {
    const versions = (await t.db.query<{ version: string }>('select version from schema_migrations order by version')).rows.map((r) => r.version);
    expect(versions).toEqual(loadMigrations().map((m) => m.version));
    const before = await t.db.query("select table_name from information_schema.tables where table_schema = current_schema() order by 1");
    expect(await migrate(t.db)).toEqual([]);
    expect(await migrate(t.db)).toEqual([]);
    const after = await t.db.query("select table_name from information_schema.tables where table_schema = current_schema() order by 1");
    expect(after.rows).toEqual(before.rows);
  });

  it('stores and compares vectors passed as text', async () => {
    await t.db.exec('create temp table vt (id int, v vector(3))');
    await t.db.query('insert into vt values (1, $1::vector), (2, $2::vector)', ['[1,0,0]', '[0,1,0]']);
    const r = await t.db.query<{ id: number }>("select id from vt order by v <=> '[0.9,0.1,0]'::vector limit 1");
    expect(r.rows[0].id).toBe(1);
  });

  it('rolls back a failed transaction and maps unique violations to conflict', async () => {
    await t.db.exec('create temp table ut (k text primary key)');
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query('insert into ut values ($1)', ['a']);
        await tx.query('insert into ut values ($1)', ['a']);
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect((await t.db.query('select * from ut')).rows).toEqual([]);
    const n = await t.db.transaction(async (tx) => {
      await tx.query('insert into ut values ($1)', ['b']);
      return (await tx.query('select * from ut')).rows.length;
    });
    expect(n).toBe(1);
  });

  it('round-trips jsonb and arrays', async () => {
    const r = await t.db.query<{ j: { a: number }; a: string[] }>('select $1::jsonb as j, $2::text[] as a', [JSON.stringify({ a: 1 }), ['x', 'y']]);
    expect(r.rows[0]).toEqual({ j: { a: 1 }, a: ['x', 'y'] });
  });
});

describe('embedded data directory', () => {
  it('refuses a non-empty directory that holds no database, naming the path', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-foreign-'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'precious');
    const err = await openDb({ kind: 'pglite', dataDir: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('db_data_dir');
    expect(err.message).toContain(dir);
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('precious');
  });

  it('refuses a path that is a file', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-file-')), 'data');
    fs.writeFileSync(file, 'x');
    await expect(openDb({ kind: 'pglite', dataDir: file })).rejects.toMatchObject({ code: 'db_data_dir' });
  });

  it('reports a corrupt database with its path and keeps the files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-corrupt-'));
    const db = await openDb({ kind: 'pglite', dataDir: dir });
    await db.close();
    // Damage the cluster's control file: PostgreSQL cannot start without it.
    fs.writeFileSync(path.join(dir, 'global', 'pg_control'), Buffer.alloc(8192, 0x5a));
    const err = await openDb({ kind: 'pglite', dataDir: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('db_data_dir');
    expect(err.message).toContain(dir);
    expect(fs.existsSync(path.join(dir, 'PG_VERSION'))).toBe(true);
  });

  it('reopens an existing directory with its data', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-reopen-'));
    const a = await openDb({ kind: 'pglite', dataDir: dir });
    await a.query("insert into app_settings (key, value) values ('k', '1'::jsonb)");
    await a.close();
    const b = await openDb({ kind: 'pglite', dataDir: dir });
    expect((await b.query<{ value: number }>("select value from app_settings where key = 'k'")).rows[0].value).toBe(1);
    await b.close();
  });
});

describe('pg path errors', () => {
  it('fails fast with db_unavailable when nothing listens', async () => {
    await expect(openDb({ kind: 'pg', url: 'postgresql://u:secret@127.0.0.1:1/x' })).rejects.toMatchObject({ code: 'db_unavailable' });
    const err = await openDb({ kind: 'pg', url: 'postgresql://u:secret@127.0.0.1:1/x' }).catch((e) => e);
    expect(err.message).not.toContain('secret');
  });
});
