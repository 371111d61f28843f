import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBinaryCopy, type CopyColumnType } from '../../db/index.ts';
import { openTestDb, testDbMode, type TestDb, type TestDbMode } from '../helpers/db.ts';

// Db.copyFrom on every transport: PGlite in this thread and on its worker (COPY from /dev/blob), and `pg`
// (binary parameters) with TEST_DB=wire or a server.
const modes: TestDbMode[] = testDbMode() === 'pglite' ? ['pglite', 'worker'] : [testDbMode()];

const TYPES: CopyColumnType[] = ['int4', 'text', 'jsonb', 'text[]', 'tsvector', 'vector', 'bool'];
const COLUMNS = ['n', 't', 'j', 'a', 'tsv', 'v', 'b'];

describe.each(modes)('copyFrom (%s)', (mode) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(mode);
    await t.db.exec(`create table cp (n int primary key, t text, j jsonb, a text[], tsv tsvector, v vector, b bool);
                     create table cp_counts (n int primary key)`);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('loads every column type bit for bit as the text path stores it, NULLs included', async () => {
    const rows = [
      [1, '专精特新"小巨人"\t企业\n第二行\\', { a: [1, '补贴'], b: null }, ['规上', '', 'x,y', 'NULL'], ['数字化', '改造', 'amt:500000', '数字化', 'b', 'a'], [0.1, -2.5, 1e-7, 0], true],
      [2, '', [], [], [], [1, 0, 0], false],
      [3, null, null, null, null, null, null],
    ];
    expect(await t.db.copyFrom('cp', COLUMNS, encodeBinaryCopy(TYPES, rows))).toBe(3);
    const back = await t.db.query<Record<string, unknown>>(
      `select n, t, j, a, tsv::text as tsv, v::text as v, b from cp where n <= 3 order by n`,
    );
    expect(back.rows).toEqual([
      { n: 1, t: rows[0]![1], j: rows[0]![2], a: rows[0]![3], tsv: expect.any(String), v: '[0.1,-2.5,1e-07,0]', b: true },
      { n: 2, t: '', j: [], a: [], tsv: '', v: '[1,0,0]', b: false },
      { n: 3, t: null, j: null, a: null, tsv: null, v: null, b: null },
    ]);
    // What the INSERT path computes from the same values: array_to_tsvector of the tokens, vector literals.
    const same = await t.db.query<{ tsv: boolean; v: boolean }>(
      `select tsv = array_to_tsvector($1::text[]) as tsv, v = $2::vector as v from cp where n = 1`,
      [rows[0]![4] as string[], '[0.1,-2.5,1e-7,0]'],
    );
    expect(same.rows[0]).toEqual({ tsv: true, v: true });
  });

  it('loads more rows than one statement carries', async () => {
    const rows = Array.from({ length: 1234 }, (_, i) => [1000 + i]);
    expect(await t.db.copyFrom('cp_counts', ['n'], encodeBinaryCopy(['int4'], rows))).toBe(1234);
    expect((await t.db.query<{ n: number; s: number }>('select count(*)::int as n, sum(n)::int as s from cp_counts')).rows[0]).toEqual({
      n: 1234,
      s: rows.reduce((a, [x]) => a + x!, 0),
    });
  });

  it('is part of the transaction it runs in: rolled back with it, visible inside it', async () => {
    const data = encodeBinaryCopy(['int4'], [[1], [2]]);
    await expect(
      t.db.transaction(async (tx) => {
        expect(await tx.copyFrom('cp_counts', ['n'], data)).toBe(2);
        expect((await tx.query<{ n: number }>('select count(*)::int as n from cp_counts where n < 10')).rows[0]!.n).toBe(2);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect((await t.db.query<{ n: number }>('select count(*)::int as n from cp_counts where n < 10')).rows[0]!.n).toBe(0);
    await t.db.transaction(async (tx) => {
      await tx.query('insert into cp_counts values (5)');
      await tx.copyFrom('cp_counts', ['n'], encodeBinaryCopy(['int4'], [[6], [7]]));
    });
    expect((await t.db.query<{ n: number }>('select n from cp_counts where n < 10 order by n')).rows.map((r) => r.n)).toEqual([5, 6, 7]);
  });

  it('maps a constraint violation to conflict and loads nothing of that copy, even outside a transaction', async () => {
    // 600 rows, the last one a duplicate: on `pg` that is the second statement of the copy.
    const rows = Array.from({ length: 600 }, (_, i) => [i === 599 ? 5 : 100_000 + i]);
    await expect(t.db.copyFrom('cp_counts', ['n'], encodeBinaryCopy(['int4'], rows))).rejects.toMatchObject({ code: 'conflict' });
    expect((await t.db.query<{ n: number }>('select count(*)::int as n from cp_counts where n >= 100000')).rows[0]!.n).toBe(0);
    // Still usable afterwards.
    expect(await t.db.copyFrom('cp_counts', ['n'], encodeBinaryCopy(['int4'], [[8]]))).toBe(1);
  });

  it('refuses anything but plain identifiers for the table and columns', async () => {
    const data = encodeBinaryCopy(['int4'], [[9]]);
    await expect(t.db.copyFrom('cp_counts; drop table cp', ['n'], data)).rejects.toThrow(/identifier/);
    await expect(t.db.copyFrom('cp_counts', ['"n"'], data)).rejects.toThrow(/identifier/);
    expect((await t.db.query<{ n: number }>('select count(*)::int as n from cp_counts where n = 9')).rows[0]!.n).toBe(0);
  });
});
