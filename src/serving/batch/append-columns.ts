import duckdb from '@duckdb/node-bindings';
import {
  BIGINT,
  BOOLEAN,
  DATE,
  DOUBLE,
  DuckDBDataChunk,
  FLOAT,
  INTEGER,
  TIMESTAMP,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBType,
} from '@duckdb/node-api';
import type { ColumnKind, Frame } from '../../core/frame.js';
import { fillVector } from '../../warehouse/frame-vectors.js';

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

/**
 * Appends a frame's rows to an existing table (columns in table order) on `connection`. Unlike
 * writeFrame it neither creates nor commits anything, so it joins the connection's open transaction.
 */
export async function appendColumns(
  connection: DuckDBConnection,
  table: string,
  frame: Frame,
  catalog: string | null = null,
): Promise<void> {
  const appender = await connection.createAppender(table, null, catalog);
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
    appender.closeSync();
  } catch (error) {
    try {
      appender.closeSync();
    } catch {
      // the append already failed; that error is the one to report
    }
    throw error;
  }
}
