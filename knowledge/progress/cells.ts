/**
 * Spreadsheet cells (USCC, scale, 专精特新, stage, digital level, yes/no, dates) parsed with the shared
 * pure parsers in knowledge/parse/, plus what only sheets have: Excel numbers and Date cells, "无" for a
 * cleared level, 创新型中小企业 as a tier, and dates that must be whole days. Cells arrive as CSV text or
 * XLSX values, so every parser takes a CellValue and returns the shared Parsed result.
 */
import {
  fail,
  ok,
  parseDate as parseDateText,
  parseLevel as parseLevelText,
  parseScale as parseScaleText,
  parseSrdi as parseSrdiText,
  parseUscc as parseUsccText,
  parseYesNo as parseYesNoText,
  type Parsed,
} from '../parse/index.ts';
import { STAGES, STAGE_NAMES, type DigitalLevel, type Scale, type SrdiStatus, type StageId } from './model.ts';

export type { Parsed };
export type CellValue = string | number | boolean | Date | null | undefined;

export function cellText(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return isoDate(v);
  return String(v).normalize('NFKC').trim();
}

export function isBlank(v: CellValue): boolean {
  return cellText(v) === '';
}

export function parseUscc(v: CellValue): Parsed<string> {
  if (typeof v === 'number') return fail('统一社会信用代码被表格存成了数字（可能已丢失位数），请把该列设为“文本”格式后重新填写');
  const r = parseUsccText(cellText(v));
  return r.ok ? ok(r.value.code) : r;
}

export function parseScale(v: CellValue): Parsed<Scale> {
  const s = cellText(v).toLowerCase();
  if (['above', 'above-scale', 'abovescale'].includes(s)) return ok('above');
  if (['below', 'below-scale', 'belowscale'].includes(s)) return ok('below');
  const r = parseScaleText(s);
  if (r.ok) return ok(r.value === 'aboveScale' ? 'above' : 'below');
  return fail(s ? `无法识别的规模“${cellText(v)}”，请填“规上”或“规下”` : '缺少规模（规上/规下）');
}

export function parseSrdi(v: CellValue): Parsed<SrdiStatus> {
  const s = cellText(v).toLowerCase();
  if (['little-giant', 'littlegiant'].includes(s)) return ok('little-giant');
  if (['srdi', 'none'].includes(s)) return ok(s as SrdiStatus);
  if (s.includes('创新型')) return ok('innovative');
  const r = parseSrdiText(s);
  if (r.ok) return ok(r.value === 'littleGiant' ? 'little-giant' : r.value);
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

/** null means "no level" (written 无 / 未评级); blank cells are handled by the caller. */
export function parseLevel(v: CellValue): Parsed<DigitalLevel | null> {
  const s = cellText(v).toLowerCase().replace(/\s/g, '');
  if (['无', '未评', '未评级', '未评测', 'none', '0'].includes(s)) return ok(null);
  const r = parseLevelText(s);
  return r.ok ? r : fail(`无法识别的数字化等级“${cellText(v)}”，请填一级、二级、三级或四级`);
}

export function parseYesNo(v: CellValue, field: string): Parsed<boolean> {
  if (typeof v === 'boolean') return ok(v);
  const s = cellText(v).toLowerCase();
  if (['已上云', '上云', 'true', '1', '√', '✓'].includes(s)) return ok(true);
  if (['未上云', 'false', '0', '×'].includes(s)) return ok(false);
  const r = parseYesNoText(s);
  return r.ok ? r : fail(`无法识别的${field}“${cellText(v)}”，请填“是”或“否”`);
}

export function isoDate(d: Date): string {
  // Spreadsheet dates carry no zone: exceljs gives them as UTC midnight, so read UTC fields.
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** 2025-03-08, 2025/3/8, 2025.3.8, 2025年3月8日, 20250308, Excel serial numbers and Date cells; whole days only. */
export function parseDate(v: CellValue, field: string): Parsed<string> {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? fail(`${field}不是有效日期`) : ok(isoDate(v));
  if (typeof v === 'number') {
    // Excel's 1900 date system: serial 25569 is 1970-01-01.
    if (v > 20000 && v < 80000) return ok(isoDate(new Date(Math.round((v - 25569) * 86400000))));
    return fail(`${field}“${v}”不是有效日期`);
  }
  const s = cellText(v).replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3');
  // The date parser reads relative words against a clock; sheets hold absolute dates, so any clock will do.
  const r = parseDateText(s, { now: new Date(0) });
  if (r.ok && r.value.precision === 'day') return ok(r.value.iso);
  return fail(`${field}“${cellText(v)}”不是有效日期，请写成 2025-03-08 的形式${r.ok ? '（需精确到日）' : ''}`);
}
