import mysql from 'mysql2';
import type { FieldPacket, TypeCastField } from 'mysql2';
import { CairnError, errorMessage } from '../../core/errors.js';
import { redactUrl } from './source-url.js';
import { sourceQuery, type DatabaseReadRequest, type RowBatch } from './database-source.js';

const UNSIGNED = 32;
const T = mysql.Types;

/** DECIMAL's column length counts a sign (when signed) and a point (when scaled) besides the digits. */
function decimalType(field: FieldPacket, unsigned: boolean): string {
  const scale = field.decimals ?? 0;
  const precision = (field.columnLength ?? 0) - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1);
  return precision <= 38 ? `DECIMAL(${Math.max(precision, scale, 1)},${scale})` : 'DOUBLE';
}

function duckdbType(field: FieldPacket): string {
  const unsigned = ((field.flags as number) & UNSIGNED) !== 0;
  // MariaDB's JSON is LONGTEXT; only its extended metadata tells them apart.
  if (field.extendedFormat === 'json') return 'JSON';
  switch (field.columnType) {
    case T.TINY:
      return unsigned ? 'UTINYINT' : 'TINYINT';
    case T.SHORT:
    case T.YEAR:
      return unsigned ? 'USMALLINT' : 'SMALLINT';
    case T.LONG:
    case T.INT24:
      return unsigned ? 'UINTEGER' : 'INTEGER';
    case T.LONGLONG:
      return unsigned ? 'UBIGINT' : 'BIGINT';
    case T.FLOAT:
      return 'FLOAT';
    case T.DOUBLE:
      return 'DOUBLE';
    case T.DECIMAL:
    case T.NEWDECIMAL:
      return decimalType(field, unsigned);
    case T.BIT:
      return field.columnLength === 1 ? 'BOOLEAN' : 'UBIGINT';
    case T.DATE:
    case T.NEWDATE:
      return 'DATE';
    case T.DATETIME:
    case T.TIMESTAMP:
      return 'TIMESTAMP';
    case T.JSON:
      return 'JSON';
    default:
      return 'VARCHAR';
  }
}

/** Every value as MySQL's own text, so DuckDB does the typing (and rejects zero dates). */
function asText(field: TypeCastField): string | null {
  if (field.type !== 'BIT') return field.string();
  // BIT values arrive as raw big-endian bytes, not digits.
  return (
    field
      .buffer()
      ?.reduce((n, byte) => (n << 8n) | BigInt(byte), 0n)
      .toString() ?? null
  );
}

/** Reads a MySQL/MariaDB query as a stream, `batchSize` rows at a time. */
export async function* readMysql(request: DatabaseReadRequest): AsyncGenerator<RowBatch> {
  const sql = sourceQuery(request, (name) => `\`${name.replaceAll('`', '``')}\``);
  const url = request.url.replace(/^mariadb:/i, 'mysql:');
  const connection = mysql.createConnection({
    uri: url,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  try {
    await connection.promise().connect();
  } catch (error) {
    connection.destroy();
    throw new CairnError(
      'SOURCE_ERROR',
      `cannot connect to ${redactUrl(request.url)}: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  try {
    // As PostgreSQL's BEGIN READ ONLY: a mistaken --query must not change the source.
    await connection.promise().query('SET SESSION TRANSACTION READ ONLY');
    const query = connection.query({ sql, rowsAsArray: true, typeCast: asText });
    let columns: RowBatch['columns'] = [];
    // A statement without a result set (SET, DO) reports no fields.
    query.on('fields', (fields?: FieldPacket[]) => {
      columns = (fields ?? []).map((f) => ({ name: f.name, type: duckdbType(f) }));
    });
    const stream = query.stream({ highWaterMark: request.batchSize });
    // mysql2 reports a lost connection to the connection, not to a query without a callback: the
    // unhandled event would crash the process and the stream would never end.
    connection.on('error', (error: Error) => stream.destroy(error));
    let rows: (string | null)[][] = [];
    for await (const row of stream) {
      rows.push(row as (string | null)[]);
      if (rows.length === request.batchSize) {
        yield { columns, rows };
        rows = [];
      }
    }
    yield { columns, rows };
  } catch (error) {
    if (error instanceof CairnError) throw error;
    throw new CairnError('SOURCE_ERROR', `MySQL query failed: ${errorMessage(error)}`, { cause: error });
  } finally {
    connection.destroy();
  }
}
