import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, loadMigrations, migrate, openDb } from '../../db/index.ts';
import { openTestDb, testDbMode, type TestDb, type TestDbMode } from '../helpers/db.ts';

// The run's engine, and when that is embedded PGlite, also PGlite on its worker thread (npm start's default):
// one contract, every transport.
const modes: TestDbMode[] = testDbMode() === 'pglite' ? ['pglite', 'worker'] : [testDbMode()];

describe.each(modes)('db (%s)', (mode) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(mode);
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
  it('round-trips dates, bytea, bigint, numbers and nulls, and jsonb objects passed as objects', async () => {
    const at = new Date('2026-03-01T08:30:00.123Z');
    const r = await t.db.query<{ at: Date; b: Uint8Array; n: number; f: number; nul: null; j: { a: { b: number[] } } }>(
      'select $1::timestamptz as at, $2::bytea as b, 9007199254740991::int8 as n, $3::float8 as f, $4::text as nul, $5::jsonb as j',
      [at, Buffer.from([0, 1, 255]), 0.5, null, { a: { b: [1, 2] } }],
    );
    const row = r.rows[0]!;
    expect(row.at).toBeInstanceOf(Date);
    expect(row.at.getTime()).toBe(at.getTime());
    expect([...row.b]).toEqual([0, 1, 255]);
    expect(Number(row.n)).toBe(9007199254740991);
    expect(row.f).toBe(0.5);
    expect(row.nul).toBeNull();
    expect(row.j).toEqual({ a: { b: [1, 2] } });
  });

  it('reports affected rows and maps errors to the same codes with their PostgreSQL fields', async () => {
    await t.db.exec('create temp table et (k text primary key, n int not null check (n > 0))');
    expect((await t.db.query('insert into et values ($1, 1), ($2, 2)', ['a', 'b'])).affectedRows).toBe(2);
    expect((await t.db.query('update et set n = n + 1')).affectedRows).toBe(2);
    const dup = await t.db.query('insert into et values ($1, 1)', ['a']).catch((e) => e);
    expect(dup).toMatchObject({ code: 'conflict', details: { sqlstate: '23505' } });
    expect(dup.cause).toMatchObject({ code: '23505', constraint: 'et_pkey' });
    await expect(t.db.query('insert into et values ($1, 0)', ['c'])).rejects.toMatchObject({ code: 'validation' });
    await expect(t.db.query('select $1::int', ['x'])).rejects.toMatchObject({ code: 'validation' });
    await expect(t.db.query('select * from no_such_table')).rejects.toMatchObject({ code: 'internal', details: { sqlstate: '42P01' } });
    // The session is still usable after errors.
    expect((await t.db.query<{ n: number }>('select count(*)::int as n from et')).rows[0]!.n).toBe(2);
  });

  // Embedded PGlite has one session: a transaction holds it. (PostgreSQL runs other sessions alongside.)
  it.skipIf(mode === 'wire' || mode === 'server')('gives a transaction the database to itself: statements from outside wait for its commit', async () => {
    await t.db.exec('create temp table xt (n int)');
    const events: string[] = [];
    let outside!: Promise<unknown>;
    await t.db.transaction(async (tx) => {
      await tx.query('insert into xt values (1)');
      outside = t.db.query<{ n: number }>('select count(*)::int as n from xt').then((r) => events.push(`outside saw ${r.rows[0]!.n}`));
      await new Promise((r) => setTimeout(r, 50));
      await tx.query('insert into xt values (2)');
      events.push('commit');
    });
    await outside;
    expect(events).toEqual(['commit', 'outside saw 2']);
  });

  it('rolls back everything when a transaction throws, and refuses a transaction used after it ended', async () => {
    await t.db.exec('create temp table rt (n int)');
    let leaked: Parameters<Parameters<typeof t.db.transaction>[0]>[0] | undefined;
    await expect(
      t.db.transaction(async (tx) => {
        leaked = tx;
        await tx.query('insert into rt values (1)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await t.db.query('select * from rt')).rows).toEqual([]);
    if (t.mode !== 'wire' && t.mode !== 'server') await expect(leaked!.query('select 1')).rejects.toThrow();
    // Returned values come back, and sequential transactions see each other's work.
    expect(await t.db.transaction(async (tx) => (await tx.query('insert into rt values (2) returning n')).rows)).toEqual([{ n: 2 }]);
    expect((await t.db.query('select n from rt')).rows).toEqual([{ n: 2 }]);
  });

  it('keeps answering the same statement text after the table under it changed shape', async () => {
    await t.db.exec('create temp table st (a int)');
    await t.db.query('insert into st values ($1)', [1]);
    for (let i = 0; i < 6; i++) expect((await t.db.query('select * from st')).rows).toEqual([{ a: 1 }]);
    await t.db.exec('alter table st add column b int default 7');
    expect((await t.db.query('select * from st')).rows).toEqual([{ a: 1, b: 7 }]);
  });

  it('answers correctly across more distinct statement texts than the embedded session keeps prepared', async () => {
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 450; i += round + 1) expect((await t.db.query<{ x: number }>(`select ${i}::int + $1::int as x`, [1])).rows[0]!.x).toBe(i + 1);
  });

  it('runs many concurrent statements, each with its own result', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => t.db.query<{ x: number }>('select $1::int * 2 as x', [i])));
    expect(results.map((r) => r.rows[0]!.x)).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
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

describe('embedded database thread', () => {
  it('when the thread dies, every call fails with db_unavailable (a 503) instead of hanging, and close releases the lock', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-thread-'));
    const db = await openDb({ kind: 'pglite', dataDir: dir });
    expect(fs.existsSync(path.join(dir, 'shugai.lock'))).toBe(true);
    const worker = (db as unknown as Record<symbol, { terminate(): Promise<number> }>)[Symbol.for('shugai.pgliteWorker')]!;
    const pending = db.query('select pg_sleep(5)').catch((e) => e);
    await new Promise((r) => setTimeout(r, 200));
    await worker.terminate();
    expect(await pending).toMatchObject({ code: 'db_unavailable', httpStatus: 503 });
    await expect(db.query('select 1')).rejects.toMatchObject({ code: 'db_unavailable' });
    await expect(db.ping()).rejects.toMatchObject({ code: 'db_unavailable' });
    await db.close();
    expect(fs.existsSync(path.join(dir, 'shugai.lock'))).toBe(false);
    // The directory is intact: a new process (here: a new open) recovers it.
    const again = await openDb({ kind: 'pglite', dataDir: dir });
    expect((await again.query<{ n: number }>('select count(*)::int as n from schema_migrations')).rows[0]!.n).toBeGreaterThan(0);
    await again.close();
  });
});

describe('pg path errors', () => {
  it('fails fast with db_unavailable when nothing listens', async () => {
    await expect(openDb({ kind: 'pg', url: 'postgresql://u:secret@127.0.0.1:1/x' })).rejects.toMatchObject({ code: 'db_unavailable' });
    const err = await openDb({ kind: 'pg', url: 'postgresql://u:secret@127.0.0.1:1/x' }).catch((e) => e);
    expect(err.message).not.toContain('secret');
  });
});
