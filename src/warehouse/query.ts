import { StatementType, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { CairnError } from '../core/errors.js';
import type { Database } from './database.js';
import { wrapSql } from './database.js';
import { columnsOf, toJsonRows, type JsonRow } from './values.js';

export interface QueryOptions {
  /** Most rows to return; more are not fetched, and `truncated` says so. Default: all. */
  limit?: number;
  /** Allow statements that change data or schema. */
  write?: boolean;
  params?: DuckDBValue[];
}

export interface QueryResult {
  columns: string[];
  types: string[];
  rows: JsonRow[];
  truncated: boolean;
}

const READ_ONLY_TYPES = new Set<number>([StatementType.SELECT, StatementType.EXPLAIN]);

/** Throws READ_ONLY unless statement `index` (0-based) of a query only reads. */
export function checkReadOnly(type: StatementType, index: number): void {
  if (READ_ONLY_TYPES.has(type)) return;
  throw new CairnError(
    'READ_ONLY',
    `statement ${index + 1} of the query (${StatementType[type]}) changes data or schema; ` +
      'queries are read-only unless write access is asked for (--write on the CLI, "write": true over HTTP)',
  );
}

/** Throws READ_ONLY unless `sql` is one read-only statement, so it can stand as a subquery. */
export async function checkSelect(db: Database, sql: string): Promise<void> {
  await db.use(async (connection) => {
    const extracted = await wrapSql(sql, connection.extractStatements(sql));
    if (extracted.count !== 1) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `the query holds ${extracted.count} statements; give exactly one SELECT`,
      );
    }
    const statement = await wrapSql(sql, extracted.prepare(0));
    checkReadOnly(statement.statementType, 0);
  });
}

/** Runs one or more SQL statements and returns the last one's rows. */
export async function runQuery(db: Database, sql: string, options: QueryOptions = {}): Promise<QueryResult> {
  if (sql.trim() === '') throw new CairnError('INVALID_ARGUMENT', 'the query is empty; pass a SQL statement');
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (!(limit >= 0)) throw new CairnError('INVALID_ARGUMENT', `limit ${limit} must be zero or more`);
  return db.use((connection) => runQueryOn(connection, sql, options));
}

/** Runs a query on a given connection (one that may hold temp views, such as masked ones). */
export async function runQueryOn(
  connection: DuckDBConnection,
  sql: string,
  options: QueryOptions = {},
): Promise<QueryResult> {
  if (sql.trim() === '') throw new CairnError('INVALID_ARGUMENT', 'the query is empty; pass a SQL statement');
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (!(limit >= 0)) throw new CairnError('INVALID_ARGUMENT', `limit ${limit} must be zero or more`);
  const extracted = await wrapSql(sql, connection.extractStatements(sql));
  const statements = [];
  for (let i = 0; i < extracted.count; i++) {
    const statement = await wrapSql(sql, extracted.prepare(i));
    if (!options.write) checkReadOnly(statement.statementType, i);
    statements.push(statement);
  }
  if (statements.length === 0) throw new CairnError('INVALID_ARGUMENT', 'the query holds no SQL statement');
  for (const statement of statements.slice(0, -1)) await wrapSql(sql, statement.run());
  const last = statements[statements.length - 1];
  if (options.params?.length) last.bind(options.params);
  const fetch = Number.isFinite(limit) ? limit + 1 : undefined;
  const reader = await wrapSql(
    sql,
    fetch === undefined ? last.streamAndReadAll() : last.streamAndReadUntil(fetch),
  );
  const columns = columnsOf(reader);
  const rows = toJsonRows(reader, fetch === undefined ? undefined : limit);
  return {
    columns: columns.map((c) => c.name),
    types: columns.map((c) => c.type),
    rows,
    truncated: reader.currentRowCount > rows.length,
  };
}
