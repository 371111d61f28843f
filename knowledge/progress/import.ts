/**
 * Imports the programme's enterprise list from a CSV or XLSX sheet. Every row is validated on its own and
 * reported by row number, field and a Chinese message; bad rows never stop good ones. The good rows are
 * written in one transaction, so an import either lands whole or not at all. Re-importing the same sheet
 * changes nothing (rows are matched by 统一社会信用代码, and a stage event is added only when a stage or
 * its date really changed), and each change is attributed to the file and the person who imported it.
 */
import { AppError, progressRepo, type Db, type EnterpriseFields, type EnterpriseRow, type Queryable } from '../../db/index.ts';
import { cellText } from './cells.ts';
import { COLUMNS, mapHeaders } from './columns.ts';
import { STAGES, stageIndex, type StageId } from './model.ts';
import { validateRow, type ImportRow, type RowIssue } from './rows.ts';
import { readSheet, type Sheet } from './sheets.ts';
import type { Vocabulary } from './vocab.ts';

export interface ImportOptions {
  fileName: string;
  /** Who imports: 'cli', 'admin:3', 'user:…'. */
  actor: string;
  /** Today in the programme's time zone (yyyy-mm-dd): the date of stage changes a sheet does not date. */
  today: string;
}

export interface ImportReport extends Omit<progressRepo.ImportRunInput, 'issues'> {
  importId: string;
  /** Per-row problems; a row listed here was not imported. */
  issues: RowIssue[];
  /** File-level notes (ignored columns …). */
  warnings: string[];
}

interface PlannedEvent {
  stage: StageId;
  level: number | null;
  occurredOn: string;
}

function mergeFields(row: ImportRow, existing: EnterpriseRow | undefined): EnterpriseFields {
  return {
    uscc: row.uscc,
    name: row.name,
    region: row.region,
    industry: row.industry,
    scale: row.scale,
    stage: row.stage,
    srdi: row.srdi ?? existing?.srdi ?? 'none',
    cloud: row.cloud ?? existing?.cloud ?? false,
    digitalLevel: row.level !== undefined ? row.level : (existing?.digitalLevel ?? null),
  };
}

function sameFields(a: EnterpriseFields, b: EnterpriseRow): boolean {
  return (['name', 'region', 'industry', 'scale', 'stage', 'srdi', 'cloud', 'digitalLevel'] as const).every((k) => a[k] === b[k]);
}

/** The stage events a row implies, given what is recorded: none when the sheet says what we already know. */
export function planEvents(row: ImportRow, fields: EnterpriseFields, existing: EnterpriseRow | undefined, recorded: Map<string, string>, today: string): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  const levelFor = (s: StageId) => (s === 'qualified' ? fields.digitalLevel : null);
  for (const s of STAGES) {
    const d = row.dates[s];
    if (d && recorded.get(s) !== d) events.push({ stage: s, level: levelFor(s), occurredOn: d });
  }
  const stageChanged = existing?.stage !== row.stage;
  if (stageChanged && !events.some((e) => e.stage === row.stage))
    events.push({ stage: row.stage, level: levelFor(row.stage), occurredOn: row.dates[row.stage] ?? today });
  // A new level for an enterprise already past 达标 is a re-rating: record it on a 达标 event.
  const levelChanged = existing && existing.digitalLevel !== fields.digitalLevel;
  if (levelChanged && stageIndex(row.stage) >= stageIndex('qualified') && !events.some((e) => e.stage === 'qualified'))
    events.push({ stage: 'qualified', level: fields.digitalLevel, occurredOn: row.dates.qualified ?? recorded.get('qualified') ?? today });
  return events.sort((a, b) => stageIndex(a.stage) - stageIndex(b.stage));
}

export function validateSheet(sheet: Sheet, vocab: Vocabulary, today: string): { rows: ImportRow[]; issues: RowIssue[]; warnings: string[]; total: number } {
  if (sheet.rows.length === 0) throw AppError.validation({ file: '文件是空的' }, '文件是空的，没有表头和数据。');
  const [headerRow, ...rest] = sheet.rows;
  // Spacer rows (every cell empty) are not data.
  const dataRows = rest.filter((r) => r.cells.some((c) => cellText(c) !== ''));
  const headers = mapHeaders(headerRow.cells.map(cellText));
  if (headers.missing.length > 0) {
    const names = headers.missing.map((c) => c.zh).join('、');
    throw AppError.validation(
      { columns: `缺少必需的列：${names}` },
      `第${headerRow.row}行表头缺少必需的列：${names}。必需的列为：${COLUMNS.filter((c) => c.required).map((c) => c.zh).join('、')}（也可用英文列名，见 docs/progress-import.md）。`,
    );
  }
  const warnings: string[] = [];
  if (headers.unknown.length) warnings.push(`以下列未识别，已忽略：${headers.unknown.join('、')}`);
  if (headers.duplicated.length) warnings.push(`以下列重复，只使用了第一列：${headers.duplicated.join('、')}`);
  const rows: ImportRow[] = [];
  const issues: RowIssue[] = [];
  const seen = new Map<string, number>();
  for (const r of dataRows) {
    const v = validateRow(r.row, r.cells, headers, vocab, today);
    if (!v.ok) {
      issues.push(...v.issues);
      continue;
    }
    const first = seen.get(v.value.uscc);
    if (first !== undefined) {
      issues.push({ row: r.row, field: headers.headers.uscc ?? '统一社会信用代码', value: v.value.uscc, message: `与第${first}行的统一社会信用代码重复，本行未导入` });
      continue;
    }
    seen.set(v.value.uscc, r.row);
    rows.push(v.value);
  }
  return { rows, issues, warnings, total: dataRows.length };
}

async function applyRows(tx: Queryable, rows: ImportRow[], importId: string, options: ImportOptions) {
  const existing = await progressRepo.findEnterprisesByUscc(tx, rows.map((r) => r.uscc));
  const ids = [...existing.values()].map((e) => e.id);
  const recorded = new Map<string, Map<string, string>>();
  for (const ev of ids.length ? await progressRepo.listStageEvents(tx, ids) : []) {
    if (!recorded.has(ev.enterpriseId)) recorded.set(ev.enterpriseId, new Map());
    recorded.get(ev.enterpriseId)!.set(ev.stage, ev.occurredOn); // ordered by id: the latest wins
  }
  const counts = { created: 0, updated: 0, unchanged: 0 };
  const by = `import:${options.fileName} (${options.actor})`;
  for (const row of rows) {
    const prev = existing.get(row.uscc);
    const fields = mergeFields(row, prev);
    const events = planEvents(row, fields, prev, (prev && recorded.get(prev.id)) || new Map(), options.today);
    let id: string;
    if (!prev) {
      id = (await progressRepo.insertEnterprise(tx, fields, by)).id;
      counts.created++;
    } else if (!sameFields(fields, prev) || events.length > 0) {
      id = prev.id;
      if (!sameFields(fields, prev)) await progressRepo.updateEnterprise(tx, id, fields, by);
      counts.updated++;
    } else {
      counts.unchanged++;
      continue;
    }
    for (const e of events)
      await progressRepo.insertStageEvent(tx, { enterpriseId: id, stage: e.stage, level: e.level, occurredOn: e.occurredOn, sourceKind: 'import', source: options.fileName, importId });
  }
  return counts;
}

export async function importSheet(db: Db, sheet: Sheet, vocab: Vocabulary, options: ImportOptions): Promise<ImportReport> {
  const { rows, issues, warnings, total } = validateSheet(sheet, vocab, options.today);
  return db.transaction(async (tx) => {
    const base = { fileName: options.fileName, format: sheet.format, actor: options.actor, rowsTotal: total, rowsOk: rows.length, rowsFailed: total - rows.length, issues };
    const importId = await progressRepo.insertImportRun(tx, { ...base, created: 0, updated: 0, unchanged: 0 });
    const counts = await applyRows(tx, rows, importId, options);
    await progressRepo.finishImportRun(tx, importId, counts);
    return { importId, ...base, ...counts, warnings };
  });
}

export async function importFile(db: Db, fileName: string, bytes: Uint8Array, vocab: Vocabulary, options: Omit<ImportOptions, 'fileName'>): Promise<ImportReport> {
  return importSheet(db, await readSheet(fileName, bytes), vocab, { ...options, fileName });
}

/** The report as Chinese lines for the terminal and chat. */
export function formatImportReport(r: ImportReport): string {
  const lines = [
    `导入 ${r.fileName}：共 ${r.rowsTotal} 行，成功 ${r.rowsOk} 行（新增 ${r.created}，更新 ${r.updated}，无变化 ${r.unchanged}），失败 ${r.rowsFailed} 行。`,
    ...r.warnings.map((w) => `提示：${w}`),
  ];
  if (r.issues.length) lines.push('以下行未导入：', ...r.issues.map((i) => `  第${i.row}行 ${i.field}：${i.message}`));
  return lines.join('\n');
}

