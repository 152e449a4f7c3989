import type { ColumnKind } from './types.js';

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
const TEMPORAL = /^(DATE|TIMESTAMP.*|TIME|TIME WITH TIME ZONE)$/;

export function columnKind(type: string): ColumnKind {
  if (NUMERIC.test(type)) return 'numeric';
  if (TEMPORAL.test(type)) return 'temporal';
  if (type === 'BOOLEAN') return 'boolean';
  if (type === 'VARCHAR') return 'text';
  return 'other';
}

export function isIntegerType(type: string): boolean {
  return INTEGER.test(type);
}

/** TIME has no epoch; every other temporal type maps to seconds since 1970. */
export function hasEpoch(type: string): boolean {
  return TEMPORAL.test(type) && !type.startsWith('TIME ') && type !== 'TIME';
}
