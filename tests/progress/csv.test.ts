// The CSV parser is pure: quotes, embedded commas and newlines, BOM, CRLF; and the writer round-trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv, writeCsv } from '../../knowledge/progress/index.ts';

describe('parseCsv', () => {
  it('handles BOM, CRLF, quoted commas, doubled quotes and embedded newlines with row numbers', () => {
    const text = '\ufeff企业名称,备注\r\n"永康某某工具有限公司","含逗号,和""引号"""\r\n"多行\r\n备注",x\r\n\r\n最后一行,y';
    const r = parseCsv(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.records).toEqual([
      { row: 1, cells: ['企业名称', '备注'] },
      { row: 2, cells: ['永康某某工具有限公司', '含逗号,和"引号"'] },
      { row: 3, cells: ['多行\n备注', 'x'] },
      { row: 6, cells: ['最后一行', 'y'] },
    ]);
  });

  it('keeps empty trailing fields and reports an unclosed quote with its row', () => {
    const r = parseCsv('a,b,\n1,,\n');
    expect(r).toEqual({ ok: true, records: [{ row: 1, cells: ['a', 'b', ''] }, { row: 2, cells: ['1', '', ''] }] });
    const bad = parseCsv('a,b\n1,"unclosed\n2,3\n');
    expect(bad).toMatchObject({ ok: false, row: 2 });
  });

  it('round-trips anything writeCsv writes', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', '中', ',', '"', '\n', '\r\n', ' ', '1') , maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }), (rows) => {
        // A record whose only cell is empty is a blank line, which the parser skips by design.
        const r = parseCsv(writeCsv(rows));
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.records.map((x) => x.cells)).toEqual(rows.map((row) => row.map((c) => c.replace(/\r\n/g, '\n'))));
      }),
      { numRuns: 200 },
    );
  });

  it('writes a UTF-8 BOM and CRLF', () => {
    expect(writeCsv([['企业', 'a,b']])).toBe('\ufeff企业,"a,b"\r\n');
  });
});
