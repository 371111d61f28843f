/**
 * Pure parsers for single spreadsheet cells (USCC, scale, 专精特新, stage, digital level, yes/no, dates),
 * each returning a discriminated result with a Chinese message. Cells arrive as CSV text or as XLSX values
 * (numbers, booleans, Date objects), so every parser takes a CellValue.
 */
import { STAGES, STAGE_NAMES, type DigitalLevel, type Scale, type SrdiStatus, type StageId } from './model.ts';

export type CellValue = string | number | boolean | Date | null | undefined;
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

export function cellText(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return isoDate(v);
  return String(v).normalize('NFKC').trim();
}

export function isBlank(v: CellValue): boolean {
  return cellText(v) === '';
}

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** GB 32100-2015 统一社会信用代码: 18 characters with a mod-31 check character. */
export function parseUscc(v: CellValue): Parsed<string> {
  if (typeof v === 'number') return fail('统一社会信用代码被表格存成了数字（可能已丢失位数），请把该列设为“文本”格式后重新填写');
  const s = cellText(v).replace(/[\s-]/g, '').toUpperCase();
  if (!s) return fail('缺少统一社会信用代码');
  if (s.length !== 18) return fail(`统一社会信用代码应为18位，这里是${s.length}位`);
  const bad = [...s].find((c) => !USCC_ALPHABET.includes(c));
  if (bad) return fail(`统一社会信用代码含有不允许的字符“${bad}”（不使用 I、O、S、V、Z）`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(s[i]) * USCC_WEIGHTS[i];
  const check = USCC_ALPHABET[(31 - (sum % 31)) % 31];
  if (s[17] !== check) return fail('统一社会信用代码校验位不正确，请核对是否抄错');
  return ok(s);
}

export function parseScale(v: CellValue): Parsed<Scale> {
  const s = cellText(v).toLowerCase();
  if (['规上', '规模以上', '规上企业', '规上工业', '是', 'above', 'above-scale', 'y', 'yes'].includes(s)) return ok('above');
  if (['规下', '规模以下', '规下企业', '规下工业', '否', 'below', 'below-scale', 'n', 'no'].includes(s)) return ok('below');
  return fail(s ? `无法识别的规模“${cellText(v)}”，请填“规上”或“规下”` : '缺少规模（规上/规下）');
}

export function parseSrdi(v: CellValue): Parsed<SrdiStatus> {
  const s = cellText(v).replace(/[“”"'‘’]/g, '').toLowerCase();
  if (['', '否', '无', '不是', 'none', 'no', 'n'].includes(s)) return ok('none');
  if (s.includes('小巨人') || s === 'little-giant' || s === 'littlegiant') return ok('little-giant');
  if (s.includes('创新型')) return ok('innovative');
  if (s.includes('专精特新') || ['是', 'srdi', 'yes', 'y'].includes(s)) return ok('srdi');
  return fail(`无法识别的专精特新情况“${cellText(v)}”，请填“否”“创新型中小企业”“专精特新中小企业”或“小巨人”`);
}

export function parseStage(v: CellValue): Parsed<StageId> {
  const s = cellText(v).toLowerCase();
  for (const id of STAGES) {
    const zh = STAGE_NAMES[id];
    if (s === id || s === zh || s === `已${zh}` || s === `${zh}中` || s === `${zh}阶段`) return ok(id);
  }
  const names = STAGES.map((id) => STAGE_NAMES[id]).join('、');
  return fail(s ? `无法识别的阶段“${cellText(v)}”，可选：${names}` : `缺少阶段（${names}）`);
}

const LEVEL_WORDS: Record<string, DigitalLevel> = { 一: 1, 二: 2, 三: 3, 四: 4, '1': 1, '2': 2, '3': 3, '4': 4 };

/** null means "no level" (written 无 / 未评级); blank cells are handled by the caller. */
export function parseLevel(v: CellValue): Parsed<DigitalLevel | null> {
  const s = cellText(v).toLowerCase().replace(/\s/g, '');
  if (['无', '未评', '未评级', '未评测', 'none', '0'].includes(s)) return ok(null);
  const m = /^(?:l|level|数字化)?([一二三四1-4])(?:级|级及以上)?$/.exec(s);
  if (m) return ok(LEVEL_WORDS[m[1]]);
  return fail(`无法识别的数字化等级“${cellText(v)}”，请填一级、二级、三级或四级`);
}

export function parseYesNo(v: CellValue, field: string): Parsed<boolean> {
  if (typeof v === 'boolean') return ok(v);
  const s = cellText(v).toLowerCase();
  if (['是', '已上云', '上云', 'y', 'yes', 'true', '1', '√', '✓'].includes(s)) return ok(true);
  if (['否', '未上云', '无', 'n', 'no', 'false', '0', '×'].includes(s)) return ok(false);
  return fail(`无法识别的${field}“${cellText(v)}”，请填“是”或“否”`);
}

export function isoDate(d: Date): string {
  // Spreadsheet dates carry no zone: exceljs gives them as UTC midnight, so read UTC fields.
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

function validYmd(y: number, m: number, d: number): string | null {
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return isoDate(dt);
}

/** 2025-03-08, 2025/3/8, 2025.3.8, 2025年3月8日, 20250308, Excel serial numbers and Date cells. */
export function parseDate(v: CellValue, field: string): Parsed<string> {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? fail(`${field}不是有效日期`) : ok(isoDate(v));
  if (typeof v === 'number') {
    // Excel's 1900 date system: serial 25569 is 1970-01-01.
    if (v > 20000 && v < 80000) return ok(isoDate(new Date(Math.round((v - 25569) * 86400000))));
    return fail(`${field}“${v}”不是有效日期`);
  }
  const s = cellText(v);
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  const iso = m ? validYmd(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  return iso ? ok(iso) : fail(`${field}“${s}”不是有效日期，请写成 2025-03-08 的形式`);
}
