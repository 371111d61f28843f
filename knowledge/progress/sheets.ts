/**
 * Reads an uploaded spreadsheet (CSV or XLSX) into plain rows of cell values with their spreadsheet row
 * numbers. CSV may be UTF-8 (with or without BOM) or GB18030/GBK, which is what Excel on a Chinese Windows
 * saves by default; XLSX is read with exceljs (first worksheet, formula results, rich text flattened).
 */
import ExcelJS from 'exceljs';
import { AppError } from '../../db/index.ts';
import type { CellValue } from './cells.ts';
import { parseCsv } from './csv.ts';

export type SheetFormat = 'csv' | 'xlsx';

export interface SheetRow {
  row: number;
  cells: CellValue[];
}

export interface Sheet {
  format: SheetFormat;
  /** The first non-empty row is the header. */
  rows: SheetRow[];
}

export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

export function detectFormat(fileName: string, bytes: Uint8Array): SheetFormat {
  // XLSX is a ZIP archive: trust the magic bytes over the name.
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'xlsx';
  if (/\.xls$/i.test(fileName))
    throw new AppError('unsupported', `old .xls file ${fileName}`, { userMessage: '暂不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）后再导入。' });
  return 'csv';
}

export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

function xlsxCell(v: ExcelJS.CellValue): CellValue {
  if (v === null || v === undefined) return null;
  if (v instanceof Date || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('formula' in v || 'sharedFormula' in v) return xlsxCell((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('text' in v) return String((v as ExcelJS.CellHyperlinkValue).text);
    if ('error' in v) return null;
  }
  return String(v);
}

export async function readSheet(fileName: string, bytes: Uint8Array): Promise<Sheet> {
  if (bytes.byteLength > MAX_IMPORT_BYTES) throw new AppError('payload_too_large', `import file ${fileName} is ${bytes.byteLength} bytes`, { userMessage: '文件太大（超过 20MB），请拆分后再导入。' });
  const format = detectFormat(fileName, bytes);
  if (format === 'csv') {
    const parsed = parseCsv(decodeText(bytes));
    if (!parsed.ok) throw AppError.validation({ file: parsed.message }, `文件无法解析：${parsed.message}`);
    return { format, rows: parsed.records.map((r) => ({ row: r.row, cells: r.cells })) };
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
  } catch (e) {
    throw new AppError('validation', `cannot read xlsx ${fileName}: ${(e as Error).message}`, { cause: e, fields: { file: '无法读取该 Excel 文件' }, userMessage: '无法读取该 Excel 文件，请确认是 .xlsx 格式且未加密。' });
  }
  const ws = wb.worksheets[0];
  if (!ws) throw AppError.validation({ file: 'Excel 文件中没有工作表' });
  const rows: SheetRow[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values = row.values as ExcelJS.CellValue[]; // 1-based: index 0 is empty
    const cells = values.slice(1).map(xlsxCell);
    if (cells.some((c) => c !== null && String(c).trim() !== '')) rows.push({ row: rowNumber, cells });
  });
  return { format, rows };
}
