/**
 * Turns one spreadsheet row into a validated enterprise record, or into field-level issues in Chinese.
 * A blank optional cell means "not stated" (an update keeps what is stored); region and industry names are
 * resolved against the pack; dates must be consistent with the stage and with each other.
 */
import { parseDate, parseLevel, parseScale, parseSrdi, parseStage, parseUscc, parseYesNo, isBlank, cellText, type CellValue, type Parsed } from './cells.ts';
import { COLUMNS, type ColumnKey, type HeaderMap } from './columns.ts';
import { STAGES, STAGE_NAMES, stageIndex, type DigitalLevel, type Scale, type SrdiStatus, type StageId } from './model.ts';
import type { Vocabulary } from './vocab.ts';

export interface ImportRow {
  row: number;
  name: string;
  uscc: string;
  region: string;
  industry: string;
  scale: Scale;
  stage: StageId;
  /** undefined: not stated in the file. */
  srdi?: SrdiStatus;
  level?: DigitalLevel | null;
  cloud?: boolean;
  dates: Partial<Record<StageId, string>>;
}

export interface RowIssue {
  row: number;
  /** The column as the file names it (or our Chinese header when the column is missing). */
  field: string;
  value?: string;
  message: string;
}

export type RowResult = { ok: true; value: ImportRow } | { ok: false; issues: RowIssue[] };

export function validateRow(row: number, cells: readonly CellValue[], headers: HeaderMap, vocab: Vocabulary, today: string): RowResult {
  const issues: RowIssue[] = [];
  const fieldName = (key: ColumnKey) => headers.headers[key] ?? COLUMNS.find((c) => c.key === key)!.zh;
  const get = (key: ColumnKey): CellValue => {
    const i = headers.index[key];
    return i === undefined ? undefined : cells[i];
  };
  const issue = (key: ColumnKey, message: string) => {
    const v = cellText(get(key));
    issues.push({ row, field: fieldName(key), ...(v ? { value: v } : {}), message });
  };
  const take = <T>(key: ColumnKey, r: Parsed<T>): T | undefined => {
    if (r.ok) return r.value;
    issue(key, r.error);
    return undefined;
  };

  const name = cellText(get('name'));
  if (!name) issue('name', '缺少企业名称');
  else if (name.length > 200) issue('name', '企业名称过长（超过200字）');
  const uscc = take('uscc', parseUscc(get('uscc')));

  let region: string | undefined;
  const regionText = cellText(get('region'));
  if (!regionText) issue('region', '缺少区县');
  else {
    region = vocab.resolveRegion(regionText) ?? undefined;
    const cp = vocab.cityProper;
    if (!region && cp && [cp.name, ...cp.aliases].includes(regionText)) issue('region', `“${regionText}”包含多个区，请填写具体区县：${cp.members.join('或')}`);
    else if (!region) {
      const s = vocab.suggestRegions(regionText);
      issue('region', `未知区县“${regionText}”${s.length ? `，您是不是要填：${s.join('、')}` : `，可选：${vocab.regions.join('、')}`}`);
    }
  }

  let industry: string | undefined;
  const industryText = cellText(get('industry'));
  if (!industryText) issue('industry', '缺少行业');
  else {
    industry = vocab.resolveIndustry(industryText) ?? undefined;
    if (!industry) {
      const s = vocab.suggestIndustries(industryText);
      issue('industry', `未知行业“${industryText}”，${s.length ? `您是不是要填：${s.join('、')}` : `试点行业为：${[...vocab.industryNames.values()].join('、')}`}`);
    }
  }

  const scale = take('scale', parseScale(get('scale')));
  const stage = take('stage', parseStage(get('stage')));
  const srdi = isBlank(get('srdi')) ? undefined : take('srdi', parseSrdi(get('srdi')));
  let level: DigitalLevel | null | undefined;
  if (!isBlank(get('level'))) {
    const r = parseLevel(get('level'));
    if (r.ok) level = r.value;
    else issue('level', r.error);
  }
  const cloud = isBlank(get('cloud')) ? undefined : take('cloud', parseYesNo(get('cloud'), '是否上云'));

  const dates: Partial<Record<StageId, string>> = {};
  for (const s of STAGES) {
    const key = `date:${s}` as const;
    if (isBlank(get(key))) continue;
    const d = take(key, parseDate(get(key), fieldName(key)));
    if (!d) continue;
    if (d > today) issue(key, `${fieldName(key)}${d}晚于今天（${today}）`);
    else if (stage && stageIndex(s) > stageIndex(stage)) issue(key, `填写了${fieldName(key)}，但阶段是“${STAGE_NAMES[stage]}”，还没到“${STAGE_NAMES[s]}”`);
    else dates[s] = d;
  }
  let previous: { stage: StageId; date: string } | undefined;
  for (const s of STAGES) {
    const d = dates[s];
    if (!d) continue;
    if (previous && d < previous.date)
      issue(`date:${s}`, `${fieldName(`date:${s}`)}（${d}）早于${fieldName(`date:${previous.stage}`)}（${previous.date}）`);
    previous = { stage: s, date: d };
  }
  if (stage && stageIndex(stage) >= stageIndex('qualified') && level === undefined)
    issue('level', `阶段为“${STAGE_NAMES[stage]}”时须填写达到的数字化等级`);
  if (stage && stageIndex(stage) >= stageIndex('qualified') && level === null)
    issue('level', `阶段为“${STAGE_NAMES[stage]}”时数字化等级不能为“无”`);

  if (issues.length > 0 || !uscc || !region || !industry || !scale || !stage) return { ok: false, issues };
  return {
    ok: true,
    value: { row, name, uscc, region, industry, scale, stage, dates, ...(srdi ? { srdi } : {}), ...(level !== undefined ? { level } : {}), ...(cloud !== undefined ? { cloud } : {}) },
  };
}
