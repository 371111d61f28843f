/**
 * Progress tracking's public surface: the pipeline model, the pack's targets and ranking, metrics,
 * the quarterly ranking, CSV/XLSX import and CSV export, officers and the service that ties them together.
 */
export * from './model.ts';
export * from './pack.ts';
export * from './metrics.ts';
export * from './ranking.ts';
export { parseCsv, writeCsv } from './csv.ts';
export type { CsvParseResult, CsvRecord } from './csv.ts';
export { COLUMNS, mapHeaders } from './columns.ts';
export type { ColumnDef, ColumnKey } from './columns.ts';
export { parseDate, parseLevel, parseScale, parseSrdi, parseStage, parseUscc, parseYesNo } from './cells.ts';
export type { CellValue, Parsed } from './cells.ts';
export type { ImportRow, RowIssue } from './rows.ts';
export { readSheet, MAX_IMPORT_BYTES } from './sheets.ts';
export type { Sheet, SheetFormat, SheetRow } from './sheets.ts';
export { importFile, importSheet, validateSheet, formatImportReport } from './import.ts';
export type { ImportReport, ImportOptions } from './import.ts';
export { buildVocabulary, suggest } from './vocab.ts';
export type { Vocabulary } from './vocab.ts';
export { BIND_CODE_TTL_MS, canSee, createOfficerService, sha256 } from './officers.ts';
export type { BindResult, OfficerService } from './officers.ts';
export { createProgressService, dateInZone, loadProgressData } from './service.ts';
export type { EnterpriseListQuery, ProgressData, ProgressService } from './service.ts';
export { displayWidth, formatNumber, formatRanking, formatReport, kpiLine, kpiTable, percent, scopeLabel, stageTable, textTable } from './format.ts';
