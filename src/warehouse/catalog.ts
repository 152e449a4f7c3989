import { CairnError } from '../core/errors.js';
import type { Database } from './database.js';
import { STAGE_PREFIX } from './ingest/stage.js';
import { checkTableName, ident } from './sql.js';
import { asText, type ColumnInfo, type JsonRow } from './values.js';

export interface TableSummary {
  name: string;
  rows: number;
}

export interface TableSchema {
  name: string;
  rows: number;
  columns: (ColumnInfo & { nullable: boolean })[];
}

export async function listTables(db: Database): Promise<TableSummary[]> {
  const rows = await db.rows(
    `SELECT table_name AS name, estimated_size AS rows FROM duckdb_tables()
     WHERE schema_name = 'main' AND NOT temporary AND NOT starts_with(table_name, '${STAGE_PREFIX}')
     ORDER BY table_name`,
  );
  // estimated_size can lag after deletes; exact counts are cheap on DuckDB's row groups.
  return Promise.all(
    rows.map(async (row) => ({ name: asText(row.name), rows: await countRows(db, asText(row.name)) })),
  );
}

export async function tableExists(db: Database, name: string): Promise<boolean> {
  const rows = await db.rows(
    `SELECT 1 FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = $1 AND NOT temporary`,
    [name],
  );
  return rows.length > 0;
}

export async function requireTable(db: Database, name: string): Promise<string> {
  checkTableName(name);
  if (!(await tableExists(db, name))) {
    throw new CairnError('NOT_FOUND', `table '${name}' does not exist; \`cairn tables\` lists the tables`);
  }
  return name;
}

export async function countRows(db: Database, name: string): Promise<number> {
  const [row] = await db.rows(`SELECT count(*) AS n FROM main.${ident(name)}`);
  return Number(row?.n ?? 0);
}

export async function describeTable(db: Database, name: string): Promise<TableSchema> {
  await requireTable(db, name);
  const columns = await db.rows(
    `SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM duckdb_columns()
     WHERE schema_name = 'main' AND table_name = $1 ORDER BY column_index`,
    [name],
  );
  return {
    name,
    rows: await countRows(db, name),
    columns: columns.map((c) => ({
      name: asText(c.name),
      type: asText(c.type),
      nullable: c.nullable === true,
    })),
  };
}

export async function sampleRows(db: Database, name: string, limit: number): Promise<JsonRow[]> {
  await requireTable(db, name);
  return db.rows(`SELECT * FROM main.${ident(name)} LIMIT ${Math.max(0, Math.floor(limit))}`);
}

export async function dropTable(db: Database, name: string): Promise<void> {
  await requireTable(db, name);
  await db.run(`DROP TABLE main.${ident(name)}`);
}
