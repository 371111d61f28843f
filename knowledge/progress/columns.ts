/**
 * The documented import/export columns (docs/progress-import.md): each with its Chinese header, the
 * English and Chinese spellings accepted for it, and whether a file must have it. Header matching ignores
 * case, spaces, underscores and full-width forms, so "USCC", "uscc" and "统一社会信用代码" all land here.
 */
import type { StageId } from './model.ts';

export type ColumnKey =
  | 'name'
  | 'uscc'
  | 'region'
  | 'industry'
  | 'scale'
  | 'srdi'
  | 'stage'
  | 'level'
  | 'cloud'
  | `date:${StageId}`;

export interface ColumnDef {
  key: ColumnKey;
  /** The header we write and document. */
  zh: string;
  en: string;
  aliases: string[];
  required: boolean;
}

export const COLUMNS: ColumnDef[] = [
  { key: 'name', zh: '企业名称', en: 'name', aliases: ['企业', '公司名称', '单位名称', 'enterprise', 'company', 'enterprise_name', 'company_name'], required: true },
  { key: 'uscc', zh: '统一社会信用代码', en: 'uscc', aliases: ['信用代码', '社会信用代码', '统一代码', 'credit_code', 'unified_social_credit_code'], required: true },
  { key: 'region', zh: '区县', en: 'region', aliases: ['所属区县', '县市区', '县（市、区）', '地区', 'district', 'county'], required: true },
  { key: 'industry', zh: '行业', en: 'industry', aliases: ['所属行业', '细分行业', '试点行业', 'sector'], required: true },
  { key: 'scale', zh: '规模', en: 'scale', aliases: ['企业规模', '规上规下', '是否规上', 'size'], required: true },
  { key: 'srdi', zh: '专精特新', en: 'srdi', aliases: ['专精特新类型', '专精特新情况', 'srdi_status'], required: false },
  { key: 'stage', zh: '阶段', en: 'stage', aliases: ['当前阶段', '进度阶段', '状态', 'status'], required: true },
  { key: 'level', zh: '数字化等级', en: 'digital_level', aliases: ['数字化水平', '数字化水平等级', '等级', 'level'], required: false },
  { key: 'cloud', zh: '是否上云', en: 'cloud', aliases: ['上云用云', '上云', 'on_cloud', 'cloud_adoption'], required: false },
  { key: 'date:enrolled', zh: '入库日期', en: 'enrolled_on', aliases: ['enrolled_date'], required: false },
  { key: 'date:signed', zh: '签约日期', en: 'signed_on', aliases: ['signed_date', 'sign_date'], required: false },
  { key: 'date:diagnosed', zh: '诊断日期', en: 'diagnosed_on', aliases: ['diagnosed_date'], required: false },
  { key: 'date:implementing', zh: '实施日期', en: 'implementing_on', aliases: ['implementation_date', 'implemented_on'], required: false },
  { key: 'date:accepted', zh: '验收日期', en: 'accepted_on', aliases: ['accepted_date', 'acceptance_date'], required: false },
  { key: 'date:qualified', zh: '达标日期', en: 'qualified_on', aliases: ['qualified_date'], required: false },
  { key: 'date:paid', zh: '兑现日期', en: 'paid_on', aliases: ['paid_date', 'payout_date'], required: false },
];

function normHeader(s: string): string {
  return s.normalize('NFKC').replace(/[\s_\-*]+/g, '').toLowerCase();
}

const HEADER_INDEX = new Map<string, ColumnDef>();
for (const c of COLUMNS) for (const h of [c.zh, c.en, ...c.aliases]) HEADER_INDEX.set(normHeader(h), c);

export interface HeaderMap {
  /** Column key → index in the row. */
  index: Partial<Record<ColumnKey, number>>;
  /** Original header text per key, for messages. */
  headers: Partial<Record<ColumnKey, string>>;
  unknown: string[];
  missing: ColumnDef[];
  duplicated: string[];
}

export function mapHeaders(header: readonly string[]): HeaderMap {
  const index: HeaderMap['index'] = {};
  const headers: HeaderMap['headers'] = {};
  const unknown: string[] = [];
  const duplicated: string[] = [];
  header.forEach((h, i) => {
    const text = h.trim();
    if (!text) return;
    const def = HEADER_INDEX.get(normHeader(text));
    if (!def) unknown.push(text);
    else if (index[def.key] !== undefined) duplicated.push(text);
    else {
      index[def.key] = i;
      headers[def.key] = text;
    }
  });
  return { index, headers, unknown, duplicated, missing: COLUMNS.filter((c) => c.required && index[c.key] === undefined) };
}
