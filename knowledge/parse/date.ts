/**
 * Dates and years as people write them: 2024年9月, 2024年9月30日, 2024-09-30, 2024/9/30, 2024.9, and
 * relative words (去年, 今年, 前年, 明年) resolved against an injected clock in the pack's time zone, so a
 * test (or a message read at midnight in Beijing) gets the same year every time.
 */
import { fail, ok, toHalfWidth, type Parsed } from './result.ts';

export interface PartialDate {
  year: number;
  month?: number;
  day?: number;
  precision: 'year' | 'month' | 'day';
  /** 2024, 2024-09 or 2024-09-30. */
  iso: string;
}

export interface DateOptions {
  now: Date;
  /** IANA zone the relative words are read in; default Asia/Shanghai. */
  timeZone?: string;
}

/** The calendar year of `now` in the given zone. */
export function yearIn(now: Date, timeZone = 'Asia/Shanghai'): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' }).format(now));
}

const RELATIVE: Record<string, number> = { 前年: -2, 去年: -1, 上一年: -1, 上年: -1, 今年: 0, 本年: 0, 当年: 0, 明年: 1, 下一年: 1 };

function build(year: number, month?: number, day?: number): Parsed<PartialDate> {
  if (year < 1949 || year > 2100) return fail(`年份 ${year} 看起来不对，请重新输入，例如“2024年9月”。`);
  if (month !== undefined && (month < 1 || month > 12)) return fail(`月份 ${month} 不对，请重新输入，例如“2024年9月”。`);
  if (day !== undefined) {
    const last = new Date(Date.UTC(year, month!, 0)).getUTCDate();
    if (day < 1 || day > last) return fail(`${year}年${month}月没有${day}日，请重新输入。`);
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  const precision = day !== undefined ? 'day' : month !== undefined ? 'month' : 'year';
  const iso = precision === 'day' ? `${year}-${pad(month!)}-${pad(day!)}` : precision === 'month' ? `${year}-${pad(month!)}` : String(year);
  return ok({ year, month, day, precision, iso });
}

export function parseDate(text: string, options: DateOptions): Parsed<PartialDate> {
  const s = toHalfWidth(text).replace(/\s+/g, '');
  if (!s) return fail('请填写日期，例如“2024年9月”或“2024-09-30”。');
  let m = s.match(/(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})[日号]?|月)?/);
  if (m) return build(Number(m[1]), Number(m[2]), m[3] ? Number(m[3]) : undefined);
  m = s.match(/(\d{4})年?/);
  if (m) return build(Number(m[1]));
  for (const [word, delta] of Object.entries(RELATIVE)) {
    if (s.includes(word)) {
      const year = yearIn(options.now, options.timeZone) + delta;
      const mm = s.slice(s.indexOf(word) + word.length).match(/^(\d{1,2})月(?:(\d{1,2})[日号])?/);
      return build(year, mm ? Number(mm[1]) : undefined, mm?.[2] ? Number(mm[2]) : undefined);
    }
  }
  return fail('没有看懂这个日期，请写成“2024年9月”或“2024-09-30”。');
}
