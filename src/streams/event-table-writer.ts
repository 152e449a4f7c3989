import { DuckDBTimestampValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { Database } from '../warehouse/database.js';
import { exec, wrapSql } from '../warehouse/database.js';
import { ident } from '../warehouse/sql.js';
import { isNumericType, type ParsedEvent } from './event-parser.js';
import type { StreamSpec } from './stream-spec.js';

export interface DeadLetter {
  payload: string;
  reason: string;
}

export function deadLetterTable(table: string): string {
  return `${table}_dead_letter`;
}

const STAGE = 'cairn_stream_stage';

/**
 * Writes micro-batches of events into the stream's table, once per idempotency key. Rows go through
 * a DuckDB appender into a temporary stage (bulk, no SQL parameters per value), then one
 * `INSERT … SELECT … ON CONFLICT DO NOTHING` moves them over in the same transaction as the batch's
 * dead letters. A value the table's type cannot hold sends its event to the dead-letter table
 * instead of failing the whole batch forever.
 */
export class EventTableWriter {
  private constructor(
    private readonly spec: StreamSpec,
    private readonly connection: DuckDBConnection,
    private readonly appender: DuckDBAppender,
    private readonly columns: { name: string; type: string; staged: string }[],
  ) {}

  /** Creates the table, its dead-letter table and the stage on a connection of its own. */
  static async open(db: Database, spec: StreamSpec): Promise<EventTableWriter> {
    const columns = Object.entries(spec.schema).map(([name, type]) => ({
      name,
      type,
      staged:
        name === spec.timestamp
          ? 'TIMESTAMP'
          : isNumericType(type)
            ? 'DOUBLE'
            : type === 'BOOLEAN'
              ? 'BOOLEAN'
              : 'VARCHAR',
    }));
    const connection = await db.connect();
    try {
      const target = columns.map(
        (c) => `${ident(c.name)} ${c.type}${c.name === spec.id ? ' PRIMARY KEY' : ''}`,
      );
      await exec(
        connection,
        `CREATE TABLE IF NOT EXISTS main.${ident(spec.table)} (${target.join(', ')}, _received_at TIMESTAMP)`,
      );
      await exec(
        connection,
        `CREATE TABLE IF NOT EXISTS main.${ident(deadLetterTable(spec.table))} (received_at TIMESTAMP, pipeline VARCHAR, payload VARCHAR, reason VARCHAR)`,
      );
      const staged = columns.map((c) => `${ident(c.name)} ${c.staged}`);
      await exec(connection, `CREATE OR REPLACE TEMP TABLE ${STAGE} (${staged.join(', ')})`);
      const appender = await connection.createAppender(STAGE, 'main', 'temp');
      return new EventTableWriter(spec, connection, appender, columns);
    } catch (error) {
      connection.closeSync();
      throw error;
    }
  }

  /**
   * Stores the events not stored before and the dead letters, all or nothing. Returns the ids
   * stored now; events whose values do not fit the table join `dead` with the reason.
   */
  async write(events: { event: ParsedEvent; data: Uint8Array }[], dead: DeadLetter[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    try {
      for (const { event } of events) this.append(event);
      this.appender.flushSync();
      const rejected = await this.rejectUnfitting();
      for (const { event, data } of events) {
        const column = rejected.get(event.id);
        if (column)
          dead.push({
            payload: payloadText(data),
            reason: `field '${column.name}' is ${JSON.stringify(event.values[column.name])}; the table's column is ${column.type} and cannot hold it`,
          });
      }
      await exec(this.connection, 'BEGIN TRANSACTION');
      try {
        if (events.length > rejected.size) {
          const names = this.columns.map((c) => ident(c.name));
          const casts = this.columns.map((c) =>
            c.staged === c.type ? ident(c.name) : `CAST(${ident(c.name)} AS ${c.type})`,
          );
          const sql = `INSERT INTO main.${ident(this.spec.table)} (${names.join(', ')}, _received_at) SELECT ${casts.join(', ')}, current_timestamp::TIMESTAMP FROM temp.${STAGE} ON CONFLICT DO NOTHING RETURNING CAST(${ident(this.spec.id)} AS VARCHAR)`;
          const reader = await wrapSql(sql, this.connection.runAndReadAll(sql));
          for (const [id] of reader.getRows()) inserted.add(String(id));
        }
        if (dead.length > 0) {
          const values = dead.map(() => `(current_timestamp::TIMESTAMP, ?, ?, ?)`).join(', ');
          await exec(
            this.connection,
            `INSERT INTO main.${ident(deadLetterTable(this.spec.table))} VALUES ${values}`,
            dead.flatMap((d) => [this.spec.name, d.payload, d.reason]),
          );
        }
        await exec(this.connection, 'COMMIT');
      } catch (error) {
        await this.connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      await this.connection.run(`DELETE FROM temp.${STAGE}`);
    }
    return inserted;
  }

  private append(event: ParsedEvent): void {
    const appender = this.appender;
    for (const column of this.columns) {
      const value = event.values[column.name];
      if (column.name === this.spec.timestamp)
        appender.appendTimestamp(new DuckDBTimestampValue(BigInt(Math.round(event.ms * 1000))));
      else if (value === null || value === undefined) appender.appendNull();
      else if (column.staged === 'DOUBLE') appender.appendDouble(value as number);
      else if (column.staged === 'BOOLEAN') appender.appendBoolean(value as boolean);
      else appender.appendVarchar(String(value));
    }
    appender.endRow();
  }

  /** Removes staged rows a column's type cannot hold (a bad date, an integer out of range); id → column. */
  private async rejectUnfitting(): Promise<Map<string, { name: string; type: string }>> {
    const rejected = new Map<string, { name: string; type: string }>();
    for (const c of this.columns) {
      if (c.staged === c.type) continue;
      const column = ident(c.name);
      const bad = `${column} IS NOT NULL AND TRY_CAST(${column} AS ${c.type}) IS NULL`;
      const sql = `SELECT CAST(${ident(this.spec.id)} AS VARCHAR) FROM temp.${STAGE} WHERE ${bad}`;
      const reader = await wrapSql(sql, this.connection.runAndReadAll(sql));
      const rows = reader.getRows();
      if (rows.length === 0) continue;
      for (const [id] of rows) if (!rejected.has(String(id))) rejected.set(String(id), c);
      await exec(this.connection, `DELETE FROM temp.${STAGE} WHERE ${bad}`);
    }
    return rejected;
  }

  close(): void {
    this.appender.closeSync();
    this.connection.closeSync();
  }
}

export function payloadText(data: Uint8Array): string {
  return Buffer.from(data).toString('utf8').slice(0, 10_000);
}
