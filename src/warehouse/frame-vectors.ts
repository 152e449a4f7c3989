import duckdb from '@duckdb/node-bindings';
import { DuckDBTypeId, type DuckDBDataChunk } from '@duckdb/node-api';
import { allValid, anyCleared, bitmapBytes, copyBits, getBit } from '../core/bitmap.js';
import { CairnError } from '../core/errors.js';
import type { Column, NumericColumn, StringColumn } from '../core/frame.js';

/**
 * Moves bytes between DuckDB vectors and Frame columns through @duckdb/node-bindings: numeric data
 * is copied as raw memory, never as one JS value per cell. Vectors of query results are flat (the C
 * API flattens them), so slot i of the data and bit i of the validity mask are row i of the chunk.
 */

type Values = Uint8Array | Int32Array | BigInt64Array | Float32Array | Float64Array;
type NumericKind = NumericColumn['kind'];
type Copy = (dst: Values, at: number, bytes: Uint8Array, n: number) => void;

interface Source {
  kind: NumericKind;
  /** Bytes per value in the DuckDB vector. */
  width: number;
  /** Set when the DuckDB value is narrower than the Frame's and must be widened. */
  widen?: Copy;
}

const widen =
  (
    View: Int8ArrayConstructor | Uint8ArrayConstructor | Int16ArrayConstructor | Uint16ArrayConstructor,
  ): Copy =>
  (dst, at, bytes, n) =>
    (dst as Int32Array).set(new View(bytes.buffer as ArrayBuffer, bytes.byteOffset, n), at);

/** The DuckDB types read without a cast, and the Frame kind each becomes. */
export const SOURCES: Partial<Record<DuckDBTypeId, Source | 'string'>> = {
  [DuckDBTypeId.BOOLEAN]: { kind: 'bool', width: 1 },
  [DuckDBTypeId.TINYINT]: { kind: 'int32', width: 1, widen: widen(Int8Array) },
  [DuckDBTypeId.UTINYINT]: { kind: 'int32', width: 1, widen: widen(Uint8Array) },
  [DuckDBTypeId.SMALLINT]: { kind: 'int32', width: 2, widen: widen(Int16Array) },
  [DuckDBTypeId.USMALLINT]: { kind: 'int32', width: 2, widen: widen(Uint16Array) },
  [DuckDBTypeId.INTEGER]: { kind: 'int32', width: 4 },
  [DuckDBTypeId.BIGINT]: { kind: 'int64', width: 8 },
  [DuckDBTypeId.FLOAT]: { kind: 'float32', width: 4 },
  [DuckDBTypeId.DOUBLE]: { kind: 'float64', width: 8 },
  [DuckDBTypeId.DATE]: { kind: 'date', width: 4 },
  [DuckDBTypeId.TIMESTAMP]: { kind: 'timestamp', width: 8 },
  [DuckDBTypeId.VARCHAR]: 'string',
};

const ARRAYS: Record<NumericKind, { new (n: number): Values; BYTES_PER_ELEMENT: number }> = {
  bool: Uint8Array,
  int32: Int32Array,
  int64: BigInt64Array,
  float32: Float32Array,
  float64: Float64Array,
  date: Int32Array,
  timestamp: BigInt64Array,
};

/** Accumulates one result column chunk by chunk into arrays that grow by doubling. */
export interface ColumnReader {
  append(chunk: DuckDBDataChunk, index: number, at: number, n: number): void;
  finish(rows: number): Column;
}

export function createColumnReader(name: string, source: Source | 'string'): ColumnReader {
  return source === 'string' ? new StringReader(name) : new NumericReader(name, source);
}

const FIRST_CAPACITY = 2048;

function grown(capacity: number, needed: number): number {
  let next = Math.max(capacity, FIRST_CAPACITY);
  while (next < needed) next *= 2;
  return next;
}

/** Validity bits of a growing column; stays null until the first null arrives. */
class ValidityBuilder {
  bits: Uint8Array | null = null;
  private capacity = 0;

  reserve(capacity: number, filled: number): void {
    this.capacity = capacity;
    if (this.bits === null || this.bits.length >= bitmapBytes(capacity)) return;
    // Rows not yet read are marked valid, so a chunk without nulls never has to touch the bitmap.
    const next = allValid(capacity);
    next.set(this.bits.subarray(0, bitmapBytes(filled)));
    this.bits = next;
  }

  /** Copies the vector's mask for rows [at, at + n); returns the mask when some row is null. */
  append(vector: duckdb.Vector, at: number, n: number): Uint8Array | null {
    const mask = duckdb.vector_get_validity(vector, Math.ceil(n / 64) * 8) as Uint8Array | null;
    if (mask === null || !anyCleared(mask, n)) return null;
    this.bits ??= allValid(this.capacity);
    copyBits(this.bits, at, mask, n);
    return mask;
  }

  finish(rows: number): Uint8Array | null {
    return this.bits === null ? null : this.bits.slice(0, bitmapBytes(rows));
  }
}

class NumericReader implements ColumnReader {
  private values: Values;
  private readonly validity = new ValidityBuilder();
  private readonly bytesPer: number;

  constructor(
    private readonly name: string,
    private readonly source: Source,
  ) {
    const ValuesArray = ARRAYS[source.kind];
    this.values = new ValuesArray(0);
    this.bytesPer = ValuesArray.BYTES_PER_ELEMENT;
  }

  append(chunk: DuckDBDataChunk, index: number, at: number, n: number): void {
    const vector = duckdb.data_chunk_get_vector(chunk.chunk, index);
    this.reserve(at, at + n);
    const bytes = duckdb.vector_get_data(vector, n * this.source.width);
    const w = this.bytesPer;
    if (this.source.widen) this.source.widen(this.values, at, bytes, n);
    else new Uint8Array(this.values.buffer, at * w, n * w).set(bytes);
    const mask = this.validity.append(vector, at, n);
    if (mask === null) return;
    // A null row's slot holds whatever DuckDB left there; zero it so a Frame's contents are deterministic.
    const all = new Uint8Array(this.values.buffer);
    for (let i = 0; i < n; i++) if (!getBit(mask, i)) all.fill(0, (at + i) * w, (at + i + 1) * w);
  }

  private reserve(filled: number, needed: number): void {
    if (needed <= this.values.length) return;
    const capacity = grown(this.values.length, needed);
    const next = new ARRAYS[this.source.kind](capacity);
    new Uint8Array(next.buffer).set(new Uint8Array(this.values.buffer, 0, filled * this.bytesPer));
    this.values = next;
    this.validity.reserve(capacity, filled);
  }

  finish(rows: number): NumericColumn {
    const values = this.values.length === rows ? this.values : this.values.slice(0, rows);
    const valid = this.validity.finish(rows);
    // The kind and the array type come from one row of ARRAYS, so they match.
    return { name: this.name, kind: this.source.kind, length: rows, valid, values } as NumericColumn;
  }
}

class StringReader implements ColumnReader {
  private codes = new Int32Array(0);
  private readonly dictionary: string[] = [];
  private readonly lookup = new Map<string, number>();
  private readonly validity = new ValidityBuilder();

  constructor(private readonly name: string) {}

  append(chunk: DuckDBDataChunk, index: number, at: number, n: number): void {
    if (at + n > this.codes.length) {
      const capacity = grown(this.codes.length, at + n);
      const next = new Int32Array(capacity);
      next.set(this.codes.subarray(0, at));
      this.codes = next;
      this.validity.reserve(capacity, at);
    }
    const items = chunk.getColumnVector(index);
    for (let i = 0; i < n; i++) {
      const item = items.getItem(i) as string | null;
      this.codes[at + i] = item === null ? -1 : this.code(item);
    }
    this.validity.append(duckdb.data_chunk_get_vector(chunk.chunk, index), at, n);
  }

  private code(item: string): number {
    let code = this.lookup.get(item);
    if (code === undefined) {
      code = this.dictionary.push(item) - 1;
      this.lookup.set(item, code);
    }
    return code;
  }

  finish(rows: number): StringColumn {
    const codes = this.codes.length === rows ? this.codes : this.codes.slice(0, rows);
    const valid = this.validity.finish(rows);
    return { name: this.name, kind: 'string', length: rows, valid, codes, dictionary: this.dictionary };
  }
}

const EMPTY = new Uint8Array(0);

/**
 * Writes rows [start, start + n) of `col` into `vector` (a chunk vector of the matching type);
 * `start` is a multiple of 8, so the validity bitmap is copied as whole bytes.
 */
export function fillVector(
  vector: duckdb.Vector,
  col: Column,
  start: number,
  n: number,
  encoded: (Uint8Array | undefined)[],
): void {
  if (col.kind === 'string') fillStrings(vector, col, start, n, encoded);
  else if (col.kind === 'bool') {
    // DuckDB reads any non-zero byte as true but compares bytes; only 0 and 1 are safe to hand it.
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = col.values[start + i] === 0 ? 0 : 1;
    duckdb.copy_data_to_vector(vector, 0, bytes.buffer, 0, n);
  } else {
    const w = col.values.BYTES_PER_ELEMENT;
    const bytes = plain(new Uint8Array(col.values.buffer, col.values.byteOffset + start * w, n * w));
    duckdb.copy_data_to_vector(vector, 0, bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const valid = col.valid?.subarray(start >>> 3, (start >>> 3) + bitmapBytes(n));
  if (valid !== undefined && anyCleared(valid, n)) {
    const bits = plain(valid);
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(vector, 0, bits.buffer, bits.byteOffset, bits.byteLength);
  }
}

/** The bindings copy only from an ArrayBuffer; a column on shared memory (worker threads) is copied out first. */
function plain(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
}

function fillStrings(
  vector: duckdb.Vector,
  col: StringColumn,
  start: number,
  n: number,
  encoded: (Uint8Array | undefined)[],
): void {
  const encoder = new TextEncoder();
  for (let i = 0; i < n; i++) {
    const row = start + i;
    if (col.valid !== null && !getBit(col.valid, row)) {
      // A null slot still gets a valid (empty) string so DuckDB never follows a stale pointer.
      duckdb.vector_assign_string_element_len(vector, i, EMPTY);
      continue;
    }
    const code = col.codes[row];
    const text = col.dictionary[code];
    if (text === undefined) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `column '${col.name}' has code ${code} at row ${row}, outside its dictionary of ${col.dictionary.length} strings; a null row needs its validity bit cleared`,
      );
    }
    // Encoding each dictionary entry once; the _len form also keeps strings with NUL characters whole.
    const bytes = (encoded[code] ??= encoder.encode(text));
    duckdb.vector_assign_string_element_len(vector, i, bytes);
  }
}
