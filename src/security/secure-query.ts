import type { DuckDBConnection } from '@duckdb/node-api';
import { CairnError } from '../core/errors.js';
import type { Database } from '../warehouse/database.js';
import { exec, wrapSql } from '../warehouse/database.js';
import { checkReadOnly, runQueryOn, type QueryOptions, type QueryResult } from '../warehouse/query.js';
import { ident, literal } from '../warehouse/sql.js';
import type { JsonRow } from '../warehouse/values.js';
import { asText, toJsonRows } from '../warehouse/values.js';
import type { Identity } from './identity.js';
import { Keyring } from './keyring.js';
import { maskExpression } from './masking.js';
import { can } from './roles.js';
import type { TablePolicies, TablePolicy } from './table-policies.js';

interface Refs {
  tables: { catalog: string; schema: string; name: string }[];
  functions: string[];
  ctes: Set<string>;
  /** Column names referred to anywhere (the last part of a qualified name). */
  columns: string[];
}

function walk(node: unknown, refs: Refs): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, refs);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (record.type === 'BASE_TABLE' && typeof record.table_name === 'string')
    refs.tables.push({
      catalog: asText(record.catalog_name as string),
      schema: asText(record.schema_name as string),
      name: record.table_name,
    });
  if (record.type === 'TABLE_FUNCTION') {
    const fn = record.function as { function_name?: string } | undefined;
    refs.functions.push(fn?.function_name ?? 'unknown');
  }
  if (record.class === 'COLUMN_REF' && Array.isArray(record.column_names)) {
    const name = (record.column_names as unknown[]).at(-1);
    if (typeof name === 'string') refs.columns.push(name);
  }
  const cteMap = record.cte_map as { map?: { key: string }[] } | undefined;
  for (const entry of cteMap?.map ?? []) refs.ctes.add(entry.key);
  for (const value of Object.values(record)) walk(value, refs);
}

/** The tables, table functions and CTE names a read-only query refers to, from DuckDB's own parser. */
export async function queryRefs(connection: DuckDBConnection, sql: string): Promise<Refs> {
  const reader = await wrapSql(
    sql,
    connection.runAndReadAll(`SELECT json_serialize_sql(${literal(sql)}) AS j`),
  );
  const [row] = toJsonRows(reader);
  const parsed = JSON.parse(asText(row.j)) as {
    error: boolean;
    error_message?: string;
    statements?: unknown;
  };
  if (parsed.error)
    throw new CairnError('SQL_ERROR', parsed.error_message ?? 'the query could not be parsed', {
      details: { sql },
    });
  const refs: Refs = { tables: [], functions: [], ctes: new Set(), columns: [] };
  walk(parsed.statements, refs);
  return refs;
}

export interface SecureQueryContext {
  db: Database;
  policies: TablePolicies;
  keyring: Keyring;
  /** Tables whose reads are recorded in the audit log (policies or PII flags). */
  isSensitive: (table: string) => Promise<boolean>;
  audit: (
    identity: Identity,
    action: string,
    object: string,
    detail: Record<string, unknown>,
  ) => Promise<unknown>;
}

async function userTables(connection: DuckDBConnection): Promise<Set<string>> {
  const reader = await connection.runAndReadAll(
    `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database()
     UNION SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND database_name = current_database() AND NOT internal`,
  );
  return new Set(toJsonRows(reader).map((r) => asText(r.table_name)));
}

/** The SELECT list that shows `policy`'s table as `identity` may see it, or null when nothing changes. */
function maskedSelect(policy: TablePolicy, identity: Identity): string | null {
  if (identity.role === 'admin') return null;
  const replace: string[] = [];
  for (const mask of policy.masks)
    if (!mask.unmasked.includes(identity.role))
      replace.push(`${maskExpression(mask.column, mask.method)} AS ${ident(mask.column)}`);
  for (const sealed of policy.encrypted)
    if (!sealed.readers.includes(identity.role) && !policy.masks.some((m) => m.column === sealed.column))
      replace.push(
        `CASE WHEN ${ident(sealed.column)} IS NULL THEN NULL ELSE '***' END AS ${ident(sealed.column)}`,
      );
  return replace.length ? `* REPLACE (${replace.join(', ')})` : null;
}

/**
 * Runs a query as `identity`: admins run anything; other roles run read-only SQL over plain table
 * names they hold grants on, with masked columns replaced inside DuckDB (temp views on the query's own
 * connection shadow the tables), no table functions or file reads, and encrypted columns opened only
 * for their readers. Reads of sensitive tables are audited.
 */
export async function secureQuery(
  context: SecureQueryContext,
  identity: Identity,
  sql: string,
  options: QueryOptions = {},
): Promise<QueryResult> {
  if (options.write && identity.role !== 'admin')
    throw new CairnError('FORBIDDEN', `role '${identity.role}' may not run write queries; only admin may`);
  return context.db.use(async (connection) => {
    const catalog = asText(toJsonRows(await connection.runAndReadAll('SELECT current_database() AS d'))[0].d);
    let tables: string[] = [];
    let readers = false;
    if (!options.write) {
      const refs = await queryRefs(connection, sql).catch(async (error: unknown) => {
        // Not analysable: usually a statement that is not a SELECT, which the read-only check names.
        const extracted = await wrapSql(sql, connection.extractStatements(sql));
        for (let i = 0; i < extracted.count; i++)
          checkReadOnly((await wrapSql(sql, extracted.prepare(i))).statementType, i);
        throw error;
      });
      const known = await userTables(connection);
      if (identity.role !== 'admin') {
        if (refs.functions.length)
          throw new CairnError(
            'FORBIDDEN',
            `role '${identity.role}' may not call table functions (${refs.functions.join(', ')}); query tables by name`,
          );
        for (const ref of refs.tables) {
          if (ref.catalog || ref.schema)
            throw new CairnError(
              'FORBIDDEN',
              `'${[ref.catalog, ref.schema, ref.name].filter(Boolean).join('.')}': refer to warehouse tables by their plain name`,
            );
          if (!known.has(ref.name) && !refs.ctes.has(ref.name))
            throw new CairnError('SQL_ERROR', `no table '${ref.name}' in the warehouse`);
        }
      }
      tables = [...new Set(refs.tables.map((r) => r.name).filter((n) => known.has(n) && !refs.ctes.has(n)))];
      for (const table of tables) {
        const policy = await context.policies.checkRead(table, identity.role);
        const select = maskedSelect(policy, identity);
        if (policy.encrypted.some((e) => identity.role === 'admin' || e.readers.includes(identity.role)))
          readers = true;
        if (select)
          await exec(
            connection,
            `CREATE OR REPLACE TEMP VIEW ${ident(table)} AS SELECT ${select} FROM ${ident(catalog)}.main.${ident(table)}`,
          );
      }
    }
    const result = await runQueryOn(connection, sql, options);
    if (readers) result.rows = result.rows.map((row) => openRow(row, context.keyring));
    const sensitive: string[] = [];
    for (const table of tables) if (await context.isSensitive(table)) sensitive.push(table);
    if (sensitive.length)
      await context.audit(identity, 'query', sensitive.join(','), {
        sql: sql.slice(0, 2000),
        rows: result.rows.length,
      });
    return result;
  });
}

function openRow(row: JsonRow, keyring: Keyring): JsonRow {
  const out: JsonRow = {};
  for (const [name, value] of Object.entries(row))
    out[name] =
      typeof value === 'string' && Keyring.versionOf(value) !== null ? keyring.decrypt(value) : value;
  return out;
}

/** Whether an identity may see row data at all (samples, exports). */
export function readsRows(identity: Identity): boolean {
  return can(identity.role, 'data:read');
}
