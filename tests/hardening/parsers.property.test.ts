/**
 * Property-based tests (fast-check) of every parser users' text reaches: amounts, 统一社会信用代码,
 * mobile numbers, dates (chat parsers and spreadsheet cells) and CSV rows through the progress import's
 * row validation. Two kinds of property: on arbitrary input a parser never throws and either succeeds
 * with a well-formed value or fails with a Chinese message; and on valid input written the many ways
 * people write it, it recovers exactly the value that was meant.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../db/index.ts';
import { loadPack } from '../../knowledge/index.ts';
import { fenToWanText, parseAmount, parseDate, parseMobile, parseUscc, USCC_ALPHABET, usccCheckChar } from '../../knowledge/parse/index.ts';
import { buildVocabulary, COLUMNS, parseCsv, parseDate as parseCellDate, parseUscc as parseCellUscc, validateSheet, writeCsv } from '../../knowledge/progress/index.ts';

const HAN = /\p{Script=Han}/u;
const RUNS = { numRuns: 500 };

/** Arbitrary user text, biased towards the characters the parsers look at. */
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...'0123456789０１２３万亿元千百十零一二三四五六七八九两.,，-+ 约多左右年月日/\u0000\u202e😀'.split('')), maxLength: 30 }),
  fc.constantFrom('', ' ', '9'.repeat(400), '１'.repeat(100), '1e309', 'NaN', 'Infinity', '0x1F', '\ud800'),
);

/** A parser result: a value, or a Chinese message; never a throw. */
function wellFormed(r: { ok: true; value: unknown } | { ok: false; error: string }): void {
  if (!r.ok) {
    expect(typeof r.error).toBe('string');
    expect(r.error).toMatch(HAN);
  }
}

/** Full-width forms of ASCII digits and letters, as IMEs type them. */
const fullWidth = (s: string) => s.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

describe('amounts', () => {
  it('never throw; a success is a finite, non-negative amount in 万元 with an exact decimal text', () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom('wan', 'yuan', 'reject') as fc.Arbitrary<'wan' | 'yuan' | 'reject'>, (text, bareUnit) => {
        const r = parseAmount(text, { bareUnit });
        wellFormed(r);
        if (r.ok) {
          expect(Number.isFinite(r.value.wan)).toBe(true);
          expect(r.value.wan).toBeGreaterThanOrEqual(0);
          expect(Number(r.value.wanText)).toBeCloseTo(r.value.wan, 6);
        }
      }),
      RUNS,
    );
  });

  it('read back exactly what was written, in 万, 亿 or 元, half- or full-width', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.boolean(), (fen, wide) => {
        const wan = fenToWanText(fen); // exact decimal of 万元
        const write = (s: string) => (wide ? fullWidth(s) : s);
        const asWan = parseAmount(write(`${wan}万`));
        expect(asWan.ok && asWan.value.wanText).toBe(wan);
        if (fen % 100n === 0n) {
          const yuan = parseAmount(write(`${fen / 100n}元`));
          expect(yuan.ok && yuan.value.wanText).toBe(wan);
        }
      }),
      RUNS,
    );
  });

  it('refuse two different amounts in one reply instead of guessing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 1, max: 99_999 }), (a, b) => {
        fc.pre(a !== b);
        const r = parseAmount(`${a}万或者${b}万`);
        expect(r.ok).toBe(false);
      }),
      RUNS,
    );
  });
});

describe('统一社会信用代码', () => {
  const body17 = fc
    .tuple(
      fc.string({ unit: fc.constantFrom(...USCC_ALPHABET.split('')), minLength: 2, maxLength: 2 }),
      fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: 6, maxLength: 6 }),
      fc.string({ unit: fc.constantFrom(...USCC_ALPHABET.split('')), minLength: 9, maxLength: 9 }),
    )
    .map(([a, b, c]) => a + b + c);

  it('never throw on arbitrary text', () => {
    fc.assert(fc.property(anyText, (text) => wellFormed(parseUscc(text))), RUNS);
    fc.assert(fc.property(anyText, (text) => wellFormed(parseCellUscc(text))), RUNS);
  });

  it('accept every valid code however it is typed (case, full-width, spaces, dashes) and normalise it', () => {
    fc.assert(
      fc.property(body17, fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 16 }), (first17, lower, wide, cut) => {
        const code = first17 + usccCheckChar(first17)!;
        let typed = `${code.slice(0, cut)} - ${code.slice(cut)}`;
        if (lower) typed = typed.toLowerCase();
        if (wide) typed = fullWidth(typed);
        const r = parseUscc(typed);
        expect(r.ok && r.value.code).toBe(code);
      }),
      RUNS,
    );
  });

  it('reject any other check character, with a Chinese message', () => {
    fc.assert(
      fc.property(body17, fc.constantFrom(...USCC_ALPHABET.split('')), (first17, check) => {
        fc.pre(check !== usccCheckChar(first17));
        const r = parseUscc(first17 + check);
        expect(r.ok).toBe(false);
        wellFormed(r);
      }),
      RUNS,
    );
  });
});

describe('mobile numbers', () => {
  const mobile = fc
    .tuple(fc.constantFrom('3', '4', '5', '6', '7', '8', '9'), fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: 9, maxLength: 9 }))
    .map(([second, rest]) => `1${second}${rest}`);

  it('never throw; a success is always 11 digits starting 1[3-9]', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const r = parseMobile(text);
        wellFormed(r);
        if (r.ok) expect(r.value).toMatch(/^1[3-9]\d{9}$/);
      }),
      RUNS,
    );
  });

  it('read +86, 0086, spaces, dashes, brackets and full-width digits back to the bare number', () => {
    fc.assert(
      fc.property(mobile, fc.constantFrom('', '+86 ', '0086', '86-', '+86-'), fc.constantFrom(' ', '-', ''), fc.boolean(), (n, prefix, sep, wide) => {
        let typed = `${prefix}${n.slice(0, 3)}${sep}${n.slice(3, 7)}${sep}${n.slice(7)}`;
        if (wide) typed = fullWidth(typed);
        const r = parseMobile(typed);
        expect(r.ok && r.value).toBe(n);
      }),
      RUNS,
    );
  });
});

describe('dates', () => {
  const now = new Date('2026-05-10T04:00:00Z');
  const day = fc.date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true });

  it('never throw; a success is a real calendar date at the stated precision', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const r = parseDate(text, { now });
        wellFormed(r);
        if (r.ok && r.value.precision === 'day') {
          const d = new Date(`${r.value.iso}T00:00:00Z`);
          expect(d.toISOString().slice(0, 10)).toBe(r.value.iso);
        }
        const cell = parseCellDate(text, '签约日期');
        wellFormed(cell);
      }),
      RUNS,
    );
  });

  it('read a date back in every written form (2024年9月30日, 2024-09-30, 2024/9/30)', () => {
    fc.assert(
      fc.property(day, fc.constantFrom('zh', 'dash', 'slash'), (d, form) => {
        const [y, m, dd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
        const iso = d.toISOString().slice(0, 10);
        const typed = form === 'zh' ? `${y}年${m}月${dd}日` : form === 'dash' ? iso : `${y}/${m}/${dd}`;
        const r = parseDate(typed, { now });
        expect(r.ok && r.value.iso).toBe(iso);
      }),
      RUNS,
    );
  });
});

describe('CSV rows of the progress import', () => {
  const pack = loadPack('jinhua');
  const vocab = buildVocabulary(pack);
  const header = COLUMNS.filter((c) => c.required || c.key.startsWith('date:')).map((c) => c.zh);
  const cell = fc.oneof(anyText, fc.constantFrom('永康市', '电动工具', '规上', '规下', '签约', '已验收', '2024-09-30', '91330784MA2E12345C', '是', '否'));

  it('any CSV text parses to records or an error located by row, never a throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '中', ',', '"', '\n', '\r', '\ufeff', ' '), maxLength: 80 }), (text) => {
        const r = parseCsv(text);
        if (r.ok) for (const rec of r.records) expect(rec.row).toBeGreaterThanOrEqual(1);
        else expect(r.row).toBeGreaterThanOrEqual(1);
      }),
      RUNS,
    );
  });

  it('any row of arbitrary cells is imported or refused with field-level Chinese issues naming its row', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 0, maxLength: header.length + 2 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const csv = writeCsv([header, ...rows]);
        const parsed = parseCsv(csv);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        let result: ReturnType<typeof validateSheet>;
        try {
          result = validateSheet({ format: 'csv', rows: parsed.records.map((r) => ({ row: r.row, cells: r.cells })) }, vocab, '2026-05-10');
        } catch (e) {
          // Only a whole-file refusal (nothing but blank rows, say) may throw, and as a validation error.
          expect(e).toBeInstanceOf(AppError);
          expect((e as AppError).code).toBe('validation');
          return;
        }
        for (const issue of result.issues) {
          expect(issue.row).toBeGreaterThan(1);
          expect(issue.field.length).toBeGreaterThan(0);
          expect(issue.message).toMatch(HAN);
        }
        for (const row of result.rows) expect(row.uscc).toMatch(/^[0-9A-Z]{18}$/);
      }),
      { numRuns: 300 },
    );
  });
});
