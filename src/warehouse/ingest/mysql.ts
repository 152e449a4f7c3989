import mysql from 'mysql2';
import type { FieldPacket, TypeCastField } from 'mysql2';
import { CairnError, errorMessage } from '../../core/errors.js';
import { redactUrl } from './source-url.js';
import { sourceQuery, type DatabaseReadRequest, type RowBatch } from './database-source.js';

const UNSIGNED = 32;
const T = mysql.Types;

function duckdbType(field: FieldPacket): string {
  const unsigned = ((field.flags as number) & UNSIGNED) !== 0;
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
      return `DECIMAL(38,${Math.min(38, field.decimals ?? 0)})`;
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
  return field.string();
}

/** Reads a MySQL/MariaDB query as a stream, `batchSize` rows at a time. */
export async function* readMysql(request: DatabaseReadRequest): AsyncGenerator<RowBatch> {
  const sql = sourceQuery(request, (name) => `\`${name.replaceAll('`', '``')}\``);
  const url = request.url.replace(/^mariadb:/i, 'mysql:');
  const connection = mysql.createConnection({ uri: url, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  try {
    await connection.promise().connect();
  } catch (error) {
    connection.destroy();
    throw new CairnError('SOURCE_ERROR', `cannot connect to ${redactUrl(request.url)}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  try {
    const query = connection.query({ sql, rowsAsArray: true, typeCast: asText });
    let columns: RowBatch['columns'] = [];
    query.on('fields', (fields: FieldPacket[]) => {
      columns = fields.map((f) => ({ name: f.name, type: duckdbType(f) }));
    });
    let rows: (string | null)[][] = [];
    for await (const row of query.stream({ highWaterMark: request.batchSize })) {
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
