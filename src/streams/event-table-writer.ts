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
 * Writes micro-batches of events into the stream's table, each event once. Rows go through a DuckDB
 * appender into a temporary stage (bulk, no SQL parameters per value), then one `INSERT … SELECT`
 * moves over those whose idempotency key and event time are not stored yet, in the same transaction
 * as the batch's dead letters. A redelivery carries the same event, so it matches on both; looking
 * only among stored rows in the batch's event-time range lets DuckDB's zone maps skip the rest of
 * the table, where a primary-key index made every insert several times slower. A value the
 * table's type cannot hold sends its event to the dead-letter table instead of failing the whole
 * batch forever.
 */
export class EventTableWriter {
  private constructor(
    private readonly spec: StreamSpec,
    private readonly connection: DuckDBConnection,
    private readonly appender: DuckDBAppender,
    private readonly columns: { name: string; type: string; staged: string }[],
    /** Tables made before the range check have a primary key on the id; it must not fire. */
    private readonly keyed: boolean,
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
      const target = columns.map((c) => `${ident(c.name)} ${c.type}`);
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
      const keys = await connection.runAndReadAll(
        `SELECT count(*) FROM duckdb_constraints() WHERE schema_name = 'main' AND table_name = $1 AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')`,
        [spec.table],
      );
      const keyed = Number(keys.getRows()[0][0]) > 0;
      return new EventTableWriter(spec, connection, appender, columns, keyed);
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
      const repeats = await this.removeStored(events);
      const inserted = new Set<string>();
      await exec(this.connection, 'BEGIN TRANSACTION');
      try {
        if (events.length > rejected.size + repeats.size) {
          const names = this.columns.map((c) => ident(c.name));
          const casts = this.columns.map((c) =>
            c.staged === c.type ? ident(c.name) : `CAST(${ident(c.name)} AS ${c.type})`,
          );
          const insert = `INSERT INTO main.${ident(this.spec.table)} (${names.join(', ')}, _received_at) SELECT ${casts.join(', ')}, current_timestamp::TIMESTAMP FROM temp.${STAGE}`;
          if (this.keyed) {
            const sql = `${insert} ON CONFLICT DO NOTHING RETURNING CAST(${ident(this.spec.id)} AS VARCHAR)`;
            const reader = await wrapSql(sql, this.connection.runAndReadAll(sql));
            for (const [id] of reader.getRows()) inserted.add(String(id));
          } else {
            await exec(this.connection, insert);
            for (const { event } of events)
              if (!rejected.has(event.id) && !repeats.has(event.id)) inserted.add(event.id);
          }
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
      return inserted;
    } finally {
      await this.connection.run(`DELETE FROM temp.${STAGE}`);
    }
  }

  /**
   * Removes staged events already in the table (same id and event time) and returns their ids.
   * Only stored rows in the batch's event-time range are read, so zone maps skip the rest.
   */
  private async removeStored(events: { event: ParsedEvent }[]): Promise<Set<string>> {
    let lo = Infinity;
    let hi = -Infinity;
    for (const { event } of events) {
      lo = Math.min(lo, event.ms);
      hi = Math.max(hi, event.ms);
    }
    const [id, ts] = [ident(this.spec.id), ident(this.spec.timestamp)];
    const micros = (ms: number) => `make_timestamp(${Math.round(ms * 1000)})`;
    const stored = `SELECT ${id}, ${ts} FROM main.${ident(this.spec.table)} WHERE ${ts} BETWEEN ${micros(lo)} AND ${micros(hi)}`;
    const sql = `DELETE FROM temp.${STAGE} s USING (${stored}) t WHERE s.${id} = t.${id} AND s.${ts} = t.${ts} RETURNING CAST(s.${id} AS VARCHAR)`;
    const reader = await wrapSql(sql, this.connection.runAndReadAll(sql));
    return new Set(reader.getRows().map(([stored]) => String(stored)));
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
