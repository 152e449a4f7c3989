import type { DuckDBConnection } from '@duckdb/node-api';
import { wrapSql } from '../database.js';
import { ident, literal } from '../sql.js';
import { tryCast } from './infer.js';

export interface ConformInput {
  /** A table or subquery with a `__record` column and one column per source field. */
  relation: string;
  /** Target type of each column, in output order. */
  columns: { name: string; type: string }[];
  /** SQL for a record's raw text, over `relation`'s columns. */
  rawExpr: string;
  /** Table to create with the records whose every value fits its type. */
  into: string;
  /** Table (record, raw, error, reason) receiving the others. */
  quarantine: string;
}

/**
 * Casts every column of a staged relation to its target type. A record with a value that does not
 * fit is quarantined whole, with a reason naming each offending column, value and type; nothing
 * is dropped silently.
 */
export async function conform(connection: DuckDBConnection, input: ConformInput): Promise<void> {
  const { relation, columns, rawExpr, into, quarantine } = input;
  const failures = columns.map(
    ({ name, type }) =>
      `CASE WHEN ${ident(name)} IS NOT NULL AND ${tryCast(ident(name), type)} IS NULL ` +
      `THEN format('column ''{}'' holds ''{}''; expected {}', ${literal(name)}, left(CAST(${ident(name)} AS VARCHAR), 200), ${literal(type)}) END`,
  );
  const reason = failures.length ? `concat_ws('; ', ${failures.join(', ')})` : 'NULL';
  const checked = `SELECT *, ${reason} AS __reason FROM ${relation}`;
  const casts = columns.map(({ name, type }) => `${tryCast(ident(name), type)} AS ${ident(name)}`);
  const sql = `
    CREATE TEMP TABLE __checked AS ${checked};
    CREATE TABLE ${into} AS SELECT ${casts.join(', ') || '*'} FROM __checked WHERE __reason = '' OR __reason IS NULL ORDER BY __record;
    INSERT INTO ${quarantine} SELECT __record, ${rawExpr}, 'CAST', __reason FROM __checked WHERE __reason <> '';
    DROP TABLE __checked;`;
  await wrapSql(sql, connection.run(sql));
}
