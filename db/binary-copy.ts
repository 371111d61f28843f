/**
 * PostgreSQL's binary COPY format, written in JavaScript: what Db.copyFrom() loads. Bulk writes of
 * vectors were most of ingestion's database time because pgvector parses 512 floats per vector from
 * text; in binary each float is four bytes the server copies (a quarter of the CPU, bit-identical
 * values). A field's bytes are exactly the type's binary send/receive form, which is also what a binary
 * bind parameter carries: the `pg` engine reuses them as parameters (splitBinaryCopy) where the server
 * does not take COPY FROM STDIN.
 */

/** Column types the encoder writes; the names match the SQL types of the target columns. */
export type CopyColumnType = 'int4' | 'bool' | 'text' | 'jsonb' | 'text[]' | 'tsvector' | 'vector';

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // "PGCOPY\n\377\r\n\0"
const HEADER_BYTES = SIGNATURE.length + 8; // flags and header-extension length, both zero
const TEXT_OID = 25;

/** Appends rows to a growing buffer; finish() returns header, tuples and trailer. */
export class BinaryCopyWriter {
  private buf: Buffer;
  private at = HEADER_BYTES;
  private count = 0;

  constructor(private readonly types: readonly CopyColumnType[], initialBytes = 1 << 16) {
    this.buf = Buffer.alloc(Math.max(initialBytes, 64));
    this.buf.set(SIGNATURE, 0);
  }

  get rows(): number {
    return this.count;
  }

  /** One row; `null` or `undefined` is SQL NULL. */
  add(values: readonly unknown[]): this {
    if (values.length !== this.types.length) throw new Error(`binary copy: ${values.length} values for ${this.types.length} columns`);
    this.reserve(2);
    this.at = this.buf.writeInt16BE(values.length, this.at);
    for (let i = 0; i < values.length; i++) this.field(this.types[i]!, values[i]);
    this.count++;
    return this;
  }

  finish(): Uint8Array {
    this.reserve(2);
    this.at = this.buf.writeInt16BE(-1, this.at);
    return this.buf.subarray(0, this.at);
  }

  private reserve(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  /** Reserves the length word, runs `write`, then fills in the length it wrote. */
  private sized(maxBytes: number, write: () => void): void {
    this.reserve(4 + maxBytes);
    const lenAt = this.at;
    this.at += 4;
    write();
    this.buf.writeInt32BE(this.at - lenAt - 4, lenAt);
  }

  private text(s: string): void {
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  private field(type: CopyColumnType, v: unknown): void {
    if (v === null || v === undefined) {
      this.reserve(4);
      this.at = this.buf.writeInt32BE(-1, this.at);
      return;
    }
    switch (type) {
      case 'int4':
        this.reserve(8);
        this.at = this.buf.writeInt32BE(4, this.at);
        this.at = this.buf.writeInt32BE(Number(v), this.at);
        return;
      case 'bool':
        this.reserve(5);
        this.at = this.buf.writeInt32BE(1, this.at);
        this.at = this.buf.writeUInt8(v ? 1 : 0, this.at);
        return;
      case 'text': {
        const s = String(v);
        return this.sized(s.length * 3, () => this.text(s));
      }
      case 'jsonb': {
        // Version 1 of jsonb's binary form: the JSON text after a version byte.
        const s = typeof v === 'string' ? v : JSON.stringify(v);
        return this.sized(1 + s.length * 3, () => {
          this.at = this.buf.writeUInt8(1, this.at);
          this.text(s);
        });
      }
      case 'text[]': {
        const xs = v as readonly string[];
        // One dimension, no NULLs, element type text, lower bound 1; a zero-length array has no dimension.
        return this.sized(20 + xs.reduce((n, x) => n + 4 + x.length * 3, 0), () => {
          this.at = this.buf.writeInt32BE(xs.length ? 1 : 0, this.at);
          this.at = this.buf.writeInt32BE(0, this.at);
          this.at = this.buf.writeInt32BE(TEXT_OID, this.at);
          if (xs.length) {
            this.at = this.buf.writeInt32BE(xs.length, this.at);
            this.at = this.buf.writeInt32BE(1, this.at);
          }
          for (const x of xs)
            this.sized(x.length * 3, () => this.text(x));
        });
      }
      case 'tsvector': {
        // Lexemes without positions, sorted bytewise and unique: what array_to_tsvector() stores.
        const lexemes = [...new Set(v as readonly string[])].map((x) => {
          if (!x) throw new Error('binary copy: a tsvector lexeme may not be empty');
          return Buffer.from(x, 'utf8');
        });
        lexemes.sort(Buffer.compare);
        return this.sized(4 + lexemes.reduce((n, x) => n + x.length + 3, 0), () => {
          this.at = this.buf.writeInt32BE(lexemes.length, this.at);
          for (const x of lexemes) {
            this.at += x.copy(this.buf, this.at);
            this.at = this.buf.writeUInt8(0, this.at);
            this.at = this.buf.writeUInt16BE(0, this.at);
          }
        });
      }
      case 'vector': {
        // pgvector: int16 dimensions, int16 unused, then float4s. Non-finite values become 0, as in
        // vectorLiteral (pgvector refuses NaN and infinity).
        const xs = v as ArrayLike<number>;
        const n = xs.length;
        this.reserve(8 + 4 * n);
        this.at = this.buf.writeInt32BE(4 + 4 * n, this.at);
        this.at = this.buf.writeInt16BE(n, this.at);
        this.at = this.buf.writeInt16BE(0, this.at);
        for (let i = 0; i < n; i++) {
          const x = xs[i]!;
          this.at = this.buf.writeFloatBE(Number.isFinite(x) ? x : 0, this.at);
        }
        return;
      }
    }
  }
}

/** Encodes rows of `types` in one go. */
export function encodeBinaryCopy(types: readonly CopyColumnType[], rows: Iterable<readonly unknown[]>): Uint8Array {
  const w = new BinaryCopyWriter(types);
  for (const r of rows) w.add(r);
  return w.finish();
}

/**
 * The rows of a binary COPY stream, each field as its binary value (null for SQL NULL): the `pg` engine
 * sends them as binary bind parameters. Slices share the input's memory.
 */
export function splitBinaryCopy(data: Uint8Array): { columns: number; rows: (Uint8Array | null)[][] } {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length < HEADER_BYTES || SIGNATURE.some((x, i) => b[i] !== x)) throw new Error('binary copy: missing PGCOPY signature');
  let at = SIGNATURE.length + 4;
  const ext = b.readInt32BE(at);
  at += 4 + ext;
  const rows: (Uint8Array | null)[][] = [];
  let columns = -1;
  for (;;) {
    if (at + 2 > b.length) throw new Error('binary copy: truncated (no trailer)');
    const n = b.readInt16BE(at);
    at += 2;
    if (n === -1) break;
    if (columns === -1) columns = n;
    else if (n !== columns) throw new Error(`binary copy: a row of ${n} fields among rows of ${columns}`);
    const row: (Uint8Array | null)[] = [];
    for (let i = 0; i < n; i++) {
      if (at + 4 > b.length) throw new Error('binary copy: truncated field');
      const len = b.readInt32BE(at);
      at += 4;
      if (len === -1) row.push(null);
      else {
        if (at + len > b.length) throw new Error('binary copy: truncated field');
        row.push(b.subarray(at, at + len));
        at += len;
      }
    }
    rows.push(row);
  }
  return { columns: Math.max(columns, 0), rows };
}

/** A table or column name the copy methods accept: plain lower-case SQL identifiers, never quoted input. */
export function copyIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`binary copy: not a plain identifier: ${name}`);
  return name;
}

/** `table (a, b, c)` for COPY and INSERT. */
export function copyTarget(table: string, columns: readonly string[]): string {
  if (columns.length === 0) throw new Error('binary copy: no columns');
  return `${copyIdentifier(table)} (${columns.map(copyIdentifier).join(', ')})`;
}
