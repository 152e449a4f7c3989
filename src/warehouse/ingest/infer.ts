import type { DuckDBConnection } from '@duckdb/node-api';
import { wrapSql } from '../database.js';
import { ident } from '../sql.js';
import { toJsonRows } from '../values.js';

/** A column keeps a narrower type when at least this share of its non-null sampled values fit it. */
export const TYPE_MAJORITY = 0.99;

/** Narrowest first; BOOLEAN is left to DuckDB's sniffer, since 'yes'/'no'/'maybe' must stay text. */
export const TEXT_CANDIDATES = ['BIGINT', 'DOUBLE', 'DATE', 'TIMESTAMP'];
/** Text that a format already told apart from numbers (JSON strings) may still hold dates. */
export const TEMPORAL_CANDIDATES = ['DATE', 'TIMESTAMP'];

/**
 * The value in `expr` (any type) cast to `type`, or NULL when it does not fit. Integer types refuse
 * fractions that a plain TRY_CAST would round away, and DATE refuses a time of day.
 */
export function tryCast(expr: string, type: string): string {
  if (/^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?)$/.test(type)) {
    return `CASE WHEN regexp_full_match(trim(CAST(${expr} AS VARCHAR)), '[+-]?[0-9]+(\\.0*)?') THEN TRY_CAST(${expr} AS ${type}) END`;
  }
  if (type === 'DATE') {
    // DuckDB's DATE cast ignores what follows the date ('2024-03-15 10:30' → 2024-03-15): a value
    // is a date only when reading it as a timestamp gives midnight of that same day.
    return `CASE WHEN TRY_CAST(${expr} AS TIMESTAMP) = TRY_CAST(${expr} AS DATE) THEN TRY_CAST(${expr} AS DATE) END`;
  }
  return `TRY_CAST(${expr} AS ${type})`;
}

/**
 * For text columns of `relation`, the narrowest type that nearly all their values fit, so that a
 * numeric column with a few stray values keeps its type and the strays are quarantined instead of
 * turning the whole column into text. Columns that fit nothing narrower are left out.
 */
export async function inferTextColumns(
  connection: DuckDBConnection,
  relation: string,
  columns: string[],
  candidates: string[] = TEXT_CANDIDATES,
): Promise<Record<string, string>> {
  if (columns.length === 0) return {};
  const selects = columns.flatMap((column, i) => [
    `count(${ident(column)}) AS n${i}`,
    ...candidates.map((type, j) => `count(${tryCast(ident(column), type)}) AS c${i}_${j}`),
  ]);
  const sql = `SELECT ${selects.join(', ')} FROM ${relation}`;
  const [row] = toJsonRows(await wrapSql(sql, connection.runAndReadAll(sql)));
  const inferred: Record<string, string> = {};
  columns.forEach((column, i) => {
    const nonNull = Number(row?.[`n${i}`] ?? 0);
    if (nonNull === 0) return;
    const j = candidates.findIndex((_, j) => Number(row?.[`c${i}_${j}`] ?? 0) >= TYPE_MAJORITY * nonNull);
    if (j >= 0) inferred[column] = candidates[j]!;
  });
  return inferred;
}
