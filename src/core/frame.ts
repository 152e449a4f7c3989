import { bitmapBytes, getBit } from './bitmap.js';
import { CairnError } from './errors.js';

/**
 * A Frame is a columnar table on typed arrays: the shape the warehouse hands to features and ml/.
 *
 * Missing values: each column keeps its values apart from a validity bitmap (`valid`, see bitmap.ts;
 * null when the column has no nulls). The value slot of a null row is 0 (string code -1) and means
 * nothing. THE RULE FOR ML CODE: when a column is read as numbers, missing is NaN — read it through
 * `toFloat64`, never by looking at `values` directly, so that a 0 is never mistaken for a value.
 */

interface ColumnBase {
  readonly name: string;
  /** Number of rows; every typed array below holds exactly this many elements. */
  readonly length: number;
  /** Validity bitmap, `bitmapBytes(length)` bytes, LSB-first; null when every row is valid. */
  readonly valid: Uint8Array | null;
}

/** 0 = false, 1 = true. */
export interface BoolColumn extends ColumnBase {
  readonly kind: 'bool';
  readonly values: Uint8Array;
}
export interface Int32Column extends ColumnBase {
  readonly kind: 'int32';
  readonly values: Int32Array;
}
export interface Int64Column extends ColumnBase {
  readonly kind: 'int64';
  readonly values: BigInt64Array;
}
export interface Float32Column extends ColumnBase {
  readonly kind: 'float32';
  readonly values: Float32Array;
}
export interface Float64Column extends ColumnBase {
  readonly kind: 'float64';
  readonly values: Float64Array;
}
/** Days since 1970-01-01 (negative before). */
export interface DateColumn extends ColumnBase {
  readonly kind: 'date';
  readonly values: Int32Array;
}
/** Microseconds since 1970-01-01T00:00:00Z. */
export interface TimestampColumn extends ColumnBase {
  readonly kind: 'timestamp';
  readonly values: BigInt64Array;
}
/** Dictionary-encoded: row i holds `dictionary[codes[i]]`; a null row has code -1. */
export interface StringColumn extends ColumnBase {
  readonly kind: 'string';
  readonly codes: Int32Array;
  readonly dictionary: string[];
}

export type NumericColumn =
  BoolColumn | Int32Column | Int64Column | Float32Column | Float64Column | DateColumn | TimestampColumn;
export type Column = NumericColumn | StringColumn;
export type ColumnKind = Column['kind'];

export const COLUMN_KINDS: readonly ColumnKind[] = [
  'bool',
  'int32',
  'int64',
  'float32',
  'float64',
  'string',
  'date',
  'timestamp',
];

export interface Frame {
  readonly rows: number;
  readonly columns: Column[];
}

/** The first column called `name`; throws NOT_FOUND listing the columns there are. */
export function column(frame: Frame, name: string): Column {
  const found = frame.columns.find((c) => c.name === name);
  if (found) return found;
  const names = frame.columns.map((c) => `'${c.name}'`).join(', ');
  throw new CairnError(
    'NOT_FOUND',
    `column '${name}' is not in the frame; its columns are ${names || '(none)'}`,
  );
}

/** Whether row `i` of `col` holds a value. */
export function isValid(col: Column, i: number): boolean {
  return col.valid === null || getBit(col.valid, i);
}

/** The string at row `i`, or null. */
export function stringAt(col: StringColumn, i: number): string | null {
  const code = col.codes[i];
  return code < 0 || !isValid(col, i) ? null : (col.dictionary[code] ?? null);
}

/**
 * The column as doubles, nulls as NaN: bool as 0/1, dates as days, timestamps as microseconds,
 * int64 rounded to the nearest double beyond ±2^53. Strings throw INVALID_ARGUMENT: encode them first.
 */
export function toFloat64(col: Column): Float64Array {
  const n = col.length;
  let out: Float64Array;
  switch (col.kind) {
    case 'string':
      throw new CairnError(
        'INVALID_ARGUMENT',
        `column '${col.name}' holds strings and cannot be read as numbers; encode it first (one-hot, ordinal or target encoding)`,
      );
    case 'int64':
    case 'timestamp':
      out = int64ToFloat64(col.values, n);
      break;
    default:
      out = new Float64Array(n);
      out.set(col.values.subarray(0, n));
  }
  if (col.valid !== null) {
    for (let i = 0; i < n; i++) if (!getBit(col.valid, i)) out[i] = NaN;
  }
  return out;
}

/**
 * Reads each int64 as two 32-bit halves (little-endian, as on every platform Node ships for), which
 * avoids a BigInt allocation per row; hi * 2^32 is exact and the one addition rounds to nearest,
 * the same result Number(bigint) gives.
 */
function int64ToFloat64(values: BigInt64Array, n: number): Float64Array {
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  const his = new Int32Array(values.buffer, values.byteOffset, n * 2);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = his[2 * i + 1] * 4294967296 + words[2 * i];
  return out;
}

/** Throws INVALID_ARGUMENT when a column's arrays do not match `frame.rows`. */
export function checkFrame(frame: Frame): void {
  const { rows } = frame;
  for (const col of frame.columns) {
    const size = col.kind === 'string' ? col.codes.length : col.values.length;
    const problem =
      col.length !== rows
        ? `has length ${col.length}`
        : size !== rows
          ? `holds ${size} values`
          : col.valid !== null && col.valid.length < bitmapBytes(rows)
            ? `has a validity bitmap of ${col.valid.length} bytes (needs ${bitmapBytes(rows)})`
            : null;
    if (problem !== null) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `column '${col.name}' ${problem} but the frame has ${rows} rows`,
      );
    }
  }
}
