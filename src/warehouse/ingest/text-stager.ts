import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { ident } from '../sql.js';

/**
 * Appends records as text into a staging table (`__record` BIGINT, then one VARCHAR per column),
 * so DuckDB rather than JavaScript decides what each value means.
 */
export class TextStager {
  private constructor(
    private readonly appender: DuckDBAppender,
    readonly width: number,
  ) {}

  static async create(connection: DuckDBConnection, table: string, columns: string[]): Promise<TextStager> {
    const definitions = ['__record BIGINT', ...columns.map((name) => `${ident(name)} VARCHAR`)];
    await connection.run(`CREATE TABLE ${table} (${definitions.join(', ')})`);
    return new TextStager(await connection.createAppender(table), columns.length);
  }

  append(record: number, values: readonly (string | null | undefined)[]): void {
    this.appender.appendBigInt(BigInt(record));
    for (let i = 0; i < this.width; i++) {
      const value = values[i];
      if (value === null || value === undefined) this.appender.appendNull();
      else this.appender.appendVarchar(value);
    }
    this.appender.endRow();
  }

  close(): void {
    this.appender.closeSync();
  }
}
