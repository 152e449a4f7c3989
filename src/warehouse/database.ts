import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { CairnError, errorMessage } from '../core/errors.js';
import { toJsonRows, type JsonRow } from './values.js';

/**
 * The workspace's DuckDB database. Each operation gets its own connection, because a DuckDB
 * connection runs one statement at a time and a transaction belongs to its connection; the server
 * runs many requests at once.
 */
export class Database {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly file: string,
  ) {}

  static async open(file: string): Promise<Database> {
    try {
      const instance = await DuckDBInstance.create(file);
      return new Database(instance, file);
    } catch (error) {
      const message = errorMessage(error);
      if (/lock/i.test(message)) {
        const pid = /PID (\d+)/.exec(message)?.[1];
        throw new CairnError(
          'WORKSPACE_LOCKED',
          `workspace database ${file} is in use by another process${pid ? ` (pid ${pid})` : ''}; ` +
            'stop that process (for example a running `cairn serve`) or choose another workspace with --home',
          { cause: error },
        );
      }
      throw new CairnError('INTERNAL', `cannot open workspace database ${file}: ${message}`, {
        cause: error,
      });
    }
  }

  async connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /** Runs `fn` with a fresh connection and closes it afterwards. */
  async use<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.connect();
    try {
      return await fn(connection);
    } finally {
      connection.closeSync();
    }
  }

  /** Runs `fn` inside one transaction: all of it is committed, or none of it. */
  async transaction<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.use(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        const result = await fn(connection);
        await connection.run('COMMIT');
        return result;
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async run(sql: string, params?: DuckDBValue[]): Promise<void> {
    await this.use((connection) => wrapSql(sql, connection.run(sql, params)));
  }

  async rows(sql: string, params?: DuckDBValue[]): Promise<JsonRow[]> {
    return this.use(async (connection) => {
      const reader = await wrapSql(sql, connection.runAndReadAll(sql, params));
      return toJsonRows(reader);
    });
  }

  close(): void {
    this.instance.closeSync();
  }
}

/** Turns DuckDB's exceptions into SQL_ERROR, keeping the statement for the log. */
export async function wrapSql<T>(sql: string, pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof CairnError) throw error;
    throw new CairnError('SQL_ERROR', errorMessage(error), { cause: new SqlCause(sql, error) });
  }
}

/** Runs SQL on a connection, turning DuckDB's exceptions into SQL_ERROR that keep the statement. */
export async function exec(connection: DuckDBConnection, sql: string, params?: DuckDBValue[]): Promise<void> {
  await wrapSql(sql, connection.run(sql, params));
}

/** The first value of the first row of a query, as a number (counts, sums). */
export async function queryNumber(connection: DuckDBConnection, sql: string): Promise<number> {
  const [row] = toJsonRows(await wrapSql(sql, connection.runAndReadAll(sql)));
  return Number(Object.values(row ?? {})[0] ?? 0);
}

export class SqlCause extends Error {
  constructor(
    readonly sql: string,
    cause: unknown,
  ) {
    super(errorMessage(cause), { cause });
    this.name = 'SqlCause';
  }
}
