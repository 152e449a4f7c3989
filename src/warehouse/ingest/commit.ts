import type { DuckDBConnection } from '@duckdb/node-api';
import { exec, queryNumber, wrapSql } from '../database.js';
import { META_SCHEMA } from '../metadata.js';
import { ident, literal } from '../sql.js';
import { asText, toJsonRows } from '../values.js';
import type { IngestMode } from './types.js';

export function quarantineTableName(table: string): string {
  return `${table}__quarantine`;
}

export const QUARANTINE_COLUMNS =
  'ingest_id VARCHAR, source VARCHAR, record BIGINT, raw VARCHAR, error VARCHAR, reason VARCHAR, quarantined_at TIMESTAMPTZ';

async function columnTypes(connection: DuckDBConnection, table: string): Promise<Map<string, string>> {
  const sql = `SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ${literal(table)} ORDER BY column_index`;
  const rows = toJsonRows(await wrapSql(sql, connection.runAndReadAll(sql)));
  return new Map(rows.map((r) => [asText(r.column_name), asText(r.data_type)]));
}

export async function existingColumnTypes(
  connection: DuckDBConnection,
  table: string,
): Promise<Record<string, string>> {
  return Object.fromEntries(await columnTypes(connection, table));
}

/**
 * Upsert needs every key present and each key once: records with an empty key are quarantined, and
 * of several records with one key the last one wins, as if they were applied in order.
 */
export async function prepareUpsert(
  connection: DuckDBConnection,
  stage: string,
  quarantine: string,
  key: string[],
): Promise<void> {
  const anyNull = key.map((k) => `${ident(k)} IS NULL`).join(' OR ');
  const keyList = key.map(ident).join(', ');
  // rowid goes through a subquery: DuckDB 1.5 fails an internal assertion on rowid in QUALIFY.
  const sql = `
    INSERT INTO ${quarantine}
      SELECT NULL, CAST(to_json(s) AS VARCHAR), 'MISSING_KEY', ${literal(`an upsert needs every key column (${key.join(', ')}) filled`)}
      FROM ${stage} AS s WHERE ${anyNull};
    DELETE FROM ${stage} WHERE ${anyNull};
    CREATE TABLE ${stage}_unique AS
      SELECT * EXCLUDE (__position) FROM (SELECT *, rowid AS __position FROM ${stage})
      QUALIFY row_number() OVER (PARTITION BY ${keyList} ORDER BY __position DESC) = 1 ORDER BY __position;
    DROP TABLE ${stage};
    ALTER TABLE ${stage}_unique RENAME TO ${stage};`;
  await wrapSql(sql, connection.run(sql));
}

export interface CommitInput {
  id: string;
  table: string;
  stage: string;
  quarantine: string;
  mode: IngestMode;
  key: string[];
  source: string;
  format: string;
  startedAt: Date;
  accepted: number;
}

/**
 * Moves the staged records into the target table in one transaction, so a failure at any point
 * leaves the table exactly as it was. Quarantined records are kept in TABLE__quarantine: replaced
 * along with the table in replace mode, accumulated otherwise.
 */
export async function commitStage(connection: DuckDBConnection, input: CommitInput): Promise<number> {
  const { table, stage, mode } = input;
  const target = `main.${ident(table)}`;
  const quarantineTable = `main.${ident(quarantineTableName(table))}`;
  const quarantined = await queryNumber(connection, `SELECT count(*) FROM ${input.quarantine}`);
  await exec(connection, 'BEGIN TRANSACTION');
  try {
    const existing = await columnTypes(connection, table);
    if (mode === 'replace' || existing.size === 0) {
      await exec(
        connection,
        `DROP TABLE IF EXISTS ${target}; ALTER TABLE ${stage} RENAME TO ${ident(table)};`,
      );
    } else {
      for (const [name, type] of await columnTypes(connection, stage)) {
        if (!existing.has(name))
          await exec(connection, `ALTER TABLE ${target} ADD COLUMN ${ident(name)} ${type}`);
      }
      if (mode === 'upsert') {
        const match = input.key.map((k) => `${target}.${ident(k)} = s.${ident(k)}`).join(' AND ');
        await exec(connection, `DELETE FROM ${target} USING ${stage} AS s WHERE ${match}`);
      }
      await exec(connection, `INSERT INTO ${target} BY NAME SELECT * FROM ${stage}`);
    }
    if (mode === 'replace') await exec(connection, `DROP TABLE IF EXISTS ${quarantineTable}`);
    if (quarantined > 0) {
      await exec(connection, `CREATE TABLE IF NOT EXISTS ${quarantineTable} (${QUARANTINE_COLUMNS})`);
      await exec(
        connection,
        `INSERT INTO ${quarantineTable} SELECT ${literal(input.id)}, ${literal(input.source)}, record, raw, error, reason, now()
         FROM ${input.quarantine} ORDER BY record NULLS LAST`,
      );
    }
    await exec(
      connection,
      `INSERT INTO ${META_SCHEMA}.ingests VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())`,
      [
        input.id,
        table,
        input.source,
        input.format,
        mode,
        input.accepted + quarantined,
        input.accepted,
        quarantined,
        input.startedAt.toISOString(),
      ],
    );
    await exec(connection, 'COMMIT');
  } catch (error) {
    // A failed ROLLBACK must not hide the error that caused it.
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return quarantined;
}
