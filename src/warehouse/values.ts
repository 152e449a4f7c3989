import {
  DuckDBDecimalValue,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBResultReader,
  type DuckDBType,
  type DuckDBValue,
  type DuckDBValueConverter,
  type Json,
} from '@duckdb/node-api';

export type JsonValue = Json;
export type JsonRow = Record<string, JsonValue>;

/** A JSON value as text: strings as they are, NULL as '', anything else as JSON. */
export function asText(value: JsonValue | undefined): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export interface ColumnInfo {
  name: string;
  type: string;
}

/**
 * DuckDB values as JSON a client can use directly: 64-bit integers and decimals become numbers
 * when a double holds them exactly (strings otherwise, so nothing is rounded silently); dates and
 * timestamps become ISO-like strings.
 */
const toJson: DuckDBValueConverter<Json> = (value: DuckDBValue, type: DuckDBType, converter) => {
  if (value === null) return null;
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof DuckDBDecimalValue) {
    const asNumber = value.toDouble();
    return Number.isFinite(asNumber) ? asNumber : value.toString();
  }
  if (type.typeId === DuckDBTypeId.BLOB)
    return Buffer.from((value as { bytes: Uint8Array }).bytes).toString('base64');
  return JsonDuckDBValueConverter(value, type, converter);
};

/** The rows read so far, at most `max` of them. */
export function toJsonRows(reader: DuckDBResultReader, max = Number.POSITIVE_INFINITY): JsonRow[] {
  const names = reader.deduplicatedColumnNames();
  const rows: JsonRow[] = [];
  const count = Math.min(reader.currentRowCount, max);
  const types = reader.columnTypes();
  for (let r = 0; r < count; r++) {
    const row: JsonRow = {};
    for (let c = 0; c < names.length; c++) row[names[c]] = toJson(reader.value(c, r), types[c], toJson);
    rows.push(row);
  }
  return rows;
}

export function columnsOf(reader: DuckDBResultReader): ColumnInfo[] {
  const names = reader.deduplicatedColumnNames();
  return names.map((name, i) => ({ name, type: reader.columnType(i).toString() }));
}
