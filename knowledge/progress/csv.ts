/**
 * RFC 4180 CSV, as officers' spreadsheets actually produce it: a UTF-8 BOM, CRLF or LF line ends, quoted
 * fields with embedded commas, quotes ("") and newlines. Parsing is a pure function returning either the
 * records (with the spreadsheet row each starts on) or a located error. Writing adds the BOM so Excel opens
 * Chinese text correctly, and quotes only where needed.
 */

export interface CsvRecord {
  /** 1-based row number as a spreadsheet shows it (the line the record starts on, counting embedded newlines). */
  row: number;
  cells: string[];
}

export type CsvParseResult = { ok: true; records: CsvRecord[] } | { ok: false; row: number; message: string };

export function parseCsv(input: string): CsvParseResult {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let fieldStarted = false; // a quote only opens a quoted field at its very start
  let i = 0;
  const endField = () => {
    cells.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is no record (trailing newline, spacer rows).
    if (!(cells.length === 1 && cells[0] === '')) records.push({ row: recordLine, cells });
    cells = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (c === '\r' && text[i + 1] === '\n') {
        field += '\n';
        line++;
        i += 2;
        continue;
      }
      if (c === '\n' || c === '\r') line++;
      field += c === '\r' ? '\n' : c;
      i++;
      continue;
    }
    if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      i++;
      continue;
    }
    if (c === ',') {
      endField();
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += c;
    fieldStarted = true;
    i++;
  }
  if (quoted) return { ok: false, row: recordLine, message: `第${recordLine}行的引号没有闭合` };
  if (field !== '' || cells.length > 0) endRecord();
  return { ok: true, records };
}

function quoteCell(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** CSV text with a UTF-8 BOM and CRLF line ends (what Excel expects on Windows). */
export function writeCsv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return '\ufeff' + rows.map((r) => r.map((v) => quoteCell(v === null || v === undefined ? '' : String(v))).join(',')).join('\r\n') + '\r\n';
}
