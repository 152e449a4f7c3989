import { randomUUID } from 'node:crypto';
import duckdb from '@duckdb/node-bindings';
import {
  BIGINT,
  BOOLEAN,
  DATE,
  DOUBLE,
  DuckDBDataChunk,
  DuckDBTypeId,
  FLOAT,
  INTEGER,
  TIMESTAMP,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBResult,
  type DuckDBType,
} from '@duckdb/node-api';
import { CairnError } from '../core/errors.js';
import { checkFrame, type ColumnKind, type Frame } from '../core/frame.js';
import { wrapSql, type Database } from './database.js';
import { createColumnReader, fillVector, SOURCES } from './frame-vectors.js';
import { STAGE_PREFIX } from './ingest/stage.js';
import { checkTableName, ident, literal } from './sql.js';
import { toJsonRows } from './values.js';

/**
 * Runs one query and reads its whole result into a Frame. Columns of a type a Frame has no kind
 * for are cast in SQL first: UINTEGER to BIGINT; UBIGINT, HUGEINT, UHUGEINT, DECIMAL and BIGNUM to
 * DOUBLE (rounded); TIMESTAMP_S/_MS/_NS to TIMESTAMP; TIMESTAMPTZ to its UTC TIMESTAMP; the rest
 * (ENUM, TIME, INTERVAL, UUID, BLOB, lists, structs…) to VARCHAR.
 */
export async function readFrame(db: Database, sql: string): Promise<Frame> {
  return db.use(async (connection) => {
    const result = await streamReadable(connection, sql);
    const readers = Array.from({ length: result.columnCount }, (_, i) => {
      const source = SOURCES[result.columnTypeId(i)];
      if (source === undefined) {
        throw new CairnError(
          'INTERNAL',
          `column '${result.columnName(i)}' came back as ${String(result.columnType(i))} after the cast`,
        );
      }
      return createColumnReader(result.columnName(i), source);
    });
    let rows = 0;
    for (;;) {
      const chunk = await wrapSql(sql, result.fetchChunk());
      if (chunk === null || chunk.rowCount === 0) break;
      const n = chunk.rowCount;
      readers.forEach((reader, i) => reader.append(chunk, i, rows, n));
      rows += n;
    }
    return { rows, columns: readers.map((reader) => reader.finish(rows)) };
  });
}

/** Prepares `sql` to learn its column types without running it, and wraps it in casts if some need one. */
async function streamReadable(connection: DuckDBConnection, sql: string): Promise<DuckDBResult> {
  const prepared = await wrapSql(sql, connection.prepare(sql));
  const columns = Array.from({ length: prepared.columnCount }, (_, i) => ({
    name: prepared.columnName(i),
    type: prepared.columnTypeId(i),
  }));
  if (columns.every((c) => SOURCES[c.type] !== undefined)) return wrapSql(sql, prepared.stream());
  prepared.destroySync();
  // query() takes the text as DuckDB parsed it (a trailing ';' or comment is fine), and positional
  // aliases keep duplicate or odd column names of the inner query apart.
  const aliases = columns.map((_, i) => ident(`c${i}`));
  const select = columns.map((c, i) => `${castFor(c.type, `q.${aliases[i]}`)} AS ${ident(c.name)}`);
  const wrapped = `SELECT ${select.join(', ')} FROM query(${literal(sql)}) AS q(${aliases.join(', ')})`;
  return wrapSql(wrapped, connection.stream(wrapped));
}

function castFor(type: DuckDBTypeId, ref: string): string {
  if (SOURCES[type] !== undefined) return ref;
  switch (type) {
    case DuckDBTypeId.UINTEGER:
      return `CAST(${ref} AS BIGINT)`;
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.BIGNUM:
      return `CAST(${ref} AS DOUBLE)`;
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return `CAST(${ref} AS TIMESTAMP)`;
    case DuckDBTypeId.TIMESTAMP_TZ:
      // A plain CAST would shift to the session's time zone; a Frame's timestamps are UTC.
      return `make_timestamp(epoch_us(${ref}))`;
    default:
      return `CAST(${ref} AS VARCHAR)`;
  }
}

const SQL_TYPES: Record<ColumnKind, DuckDBType> = {
  bool: BOOLEAN,
  int32: INTEGER,
  int64: BIGINT,
  float32: FLOAT,
  float64: DOUBLE,
  string: VARCHAR,
  date: DATE,
  timestamp: TIMESTAMP,
};

export interface WriteFrameOptions {
  /** 'replace' (default) swaps in a new table atomically; 'append' adds rows by column name, creating the table if absent. */
  mode?: 'replace' | 'append';
}

/** Writes `frame` to `table` in the workspace's main schema; nothing changes unless all of it is written. */
export async function writeFrame(
  db: Database,
  table: string,
  frame: Frame,
  options: WriteFrameOptions = {},
): Promise<void> {
  checkTableName(table);
  checkFrame(frame);
  checkColumnNames(table, frame);
  const stage = `${STAGE_PREFIX}${randomUUID().replaceAll('-', '')}`;
  await db.use(async (connection) => {
    const definition = frame.columns
      .map((c) => `${ident(c.name)} ${SQL_TYPES[c.kind].toString()}`)
      .join(', ');
    const create = `CREATE TABLE main.${ident(stage)} (${definition})`;
    await wrapSql(create, connection.run(create));
    try {
      await wrapSql(`APPEND INTO ${stage}`, appendFrame(connection, stage, frame));
      await commitFrame(connection, stage, table, options.mode ?? 'replace', frame);
    } finally {
      await connection.run(`DROP TABLE IF EXISTS main.${ident(stage)}`);
    }
  });
}

function checkColumnNames(table: string, frame: Frame): void {
  if (frame.columns.length === 0) {
    throw new CairnError('INVALID_ARGUMENT', `a frame with no columns cannot be written to table '${table}'`);
  }
  const seen = new Set<string>();
  for (const { name } of frame.columns) {
    // DuckDB column names are case-insensitive.
    if (seen.has(name.toLowerCase())) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `the frame for table '${table}' has two columns named '${name}'; rename one`,
      );
    }
    seen.add(name.toLowerCase());
  }
}

/** Fills vectors of at most one DuckDB vector size (2048 rows) and hands them to an appender. */
async function appendFrame(connection: DuckDBConnection, stage: string, frame: Frame): Promise<void> {
  const appender = await connection.createAppender(stage);
  try {
    const chunk = DuckDBDataChunk.create(frame.columns.map((c) => SQL_TYPES[c.kind]));
    const step = duckdb.vector_size();
    const encoded = frame.columns.map((): (Uint8Array | undefined)[] => []);
    for (let start = 0; start < frame.rows; start += step) {
      const n = Math.min(step, frame.rows - start);
      chunk.reset();
      chunk.rowCount = n;
      frame.columns.forEach((col, i) =>
        fillVector(duckdb.data_chunk_get_vector(chunk.chunk, i), col, start, n, encoded[i]),
      );
      appender.appendDataChunk(chunk);
    }
  } catch (error) {
    // The staged rows are dropped anyway; closing must not hide the error that stopped the append.
    try {
      appender.closeSync();
    } catch {
      /* already failing */
    }
    throw error;
  }
  appender.closeSync();
}

/** Moves the staged rows into `table` in one transaction, as ingest's commit does. */
async function commitFrame(
  connection: DuckDBConnection,
  stage: string,
  table: string,
  mode: 'replace' | 'append',
  frame: Frame,
): Promise<void> {
  const target = `main.${ident(table)}`;
  await connection.run('BEGIN TRANSACTION');
  try {
    const existing = await tableColumns(connection, table);
    if (mode === 'append' && existing.length > 0) {
      const lower = new Set(existing.map((c) => c.toLowerCase()));
      const missing = frame.columns.find((c) => !lower.has(c.name.toLowerCase()));
      if (missing) {
        throw new CairnError(
          'INVALID_ARGUMENT',
          `cannot append to table '${table}': it has no column '${missing.name}' (its columns are ${existing.join(', ')})`,
        );
      }
      const insert = `INSERT INTO ${target} BY NAME SELECT * FROM main.${ident(stage)}`;
      await wrapSql(insert, connection.run(insert));
    } else {
      const swap = `DROP TABLE IF EXISTS ${target}; ALTER TABLE main.${ident(stage)} RENAME TO ${ident(table)};`;
      await wrapSql(swap, connection.run(swap));
    }
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
}

async function tableColumns(connection: DuckDBConnection, table: string): Promise<string[]> {
  const sql = `SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND lower(table_name) = lower(${literal(table)}) ORDER BY column_index`;
  const rows = toJsonRows(await wrapSql(sql, connection.runAndReadAll(sql)));
  return rows.map((r) => r.column_name as string);
}
