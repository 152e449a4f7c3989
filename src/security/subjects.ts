import type { DuckDBConnection } from '@duckdb/node-api';
import { CairnError } from '../core/errors.js';
import type { Database } from '../warehouse/database.js';
import { exec } from '../warehouse/database.js';
import { META_SCHEMA } from '../warehouse/metadata.js';
import { ident, literal } from '../warehouse/sql.js';
import { asText, toJsonRows, type JsonRow } from '../warehouse/values.js';
import { Keyring } from './keyring.js';

/** Column names that identify a data subject in user tables, unless told otherwise. */
const SUBJECT_COLUMN =
  /^(id|email|e_mail|(customer|user|subject|client|person|member|account|patient)_?(id|key|email)?)$/i;
/** Cairn's own tables that must survive an erasure (the audit log records it). */
const KEEP = new Set([
  'audit_log',
  'api_keys',
  'sessions',
  'table_grants',
  'column_masks',
  'encrypted_columns',
]);

export interface SubjectHit {
  schema: string;
  table: string;
  /** Columns the subject matched in (or `*` for a text search over every text column). */
  columns: string[];
  rows: JsonRow[];
}

interface Target {
  schema: string;
  table: string;
  /** SQL condition selecting the subject's rows. */
  where: string;
  columns: string[];
}

/** Which columns name a data subject, and how to read the sealed ones. */
export interface SubjectScope {
  /** Columns naming the subject in every user table, instead of the usual names (id, email, customer_id…). */
  columns?: string[];
  /** More subject columns per user table, e.g. feature views' entity columns. */
  keyColumns?: ReadonlyMap<string, readonly string[]>;
  /** Whether a column is stored encrypted (compared after opening, since SQL sees only ciphertext). */
  sealed?: (schema: string, table: string, column: string) => boolean;
}

/** Throws INVALID_ARGUMENT for an id no table could hold as a key (empty, control characters). */
function checkSubject(subject: string): void {
  // eslint-disable-next-line no-control-regex
  if (subject.trim() === '' || /[\u0000-\u001f\u007f]/.test(subject))
    throw new CairnError(
      'INVALID_ARGUMENT',
      `data subject id ${JSON.stringify(subject)} is empty or holds control characters; give the id as stored, e.g. a customer id or email`,
    );
}

/** Row ids whose sealed `column` opens to `subject`. */
async function sealedMatches(
  connection: DuckDBConnection,
  keyring: Keyring,
  table: string,
  column: string,
  subject: string,
): Promise<number[]> {
  const rows = toJsonRows(
    await connection.runAndReadAll(
      `SELECT rowid AS rid, ${ident(column)} AS v FROM ${table} WHERE ${ident(column)} IS NOT NULL`,
    ),
  );
  return rows.filter((r) => keyring.decrypt(asText(r.v)) === subject).map((r) => Number(r.rid));
}

async function targets(
  connection: DuckDBConnection,
  keyring: Keyring,
  subject: string,
  scope: SubjectScope,
): Promise<Target[]> {
  const rows = toJsonRows(
    await connection.runAndReadAll(
      `SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns()
       WHERE database_name = current_database() AND schema_name IN ('main', '${META_SCHEMA}') AND NOT internal
       ORDER BY schema_name, table_name, column_index`,
    ),
  );
  const byTable = new Map<
    string,
    { schema: string; table: string; columns: { name: string; type: string }[] }
  >();
  for (const row of rows) {
    const key = `${asText(row.schema_name)}.${asText(row.table_name)}`;
    const entry = byTable.get(key) ?? {
      schema: asText(row.schema_name),
      table: asText(row.table_name),
      columns: [],
    };
    entry.columns.push({ name: asText(row.column_name), type: asText(row.data_type) });
    byTable.set(key, entry);
  }
  const value = literal(subject);
  const sealed = scope.sealed ?? (() => false);
  const out: Target[] = [];
  for (const { schema, table, columns } of byTable.values()) {
    if (schema === META_SCHEMA && KEEP.has(table)) continue;
    const text = columns.filter((c) => /VARCHAR|JSON/.test(c.type));
    if (schema === 'main' && !table.endsWith('__quarantine')) {
      const extra = scope.keyColumns?.get(table) ?? [];
      const keys = columns.filter((c) =>
        scope.columns
          ? scope.columns.includes(c.name)
          : SUBJECT_COLUMN.test(c.name) || extra.includes(c.name),
      );
      if (keys.length === 0) continue;
      const conditions = keys
        .filter((c) => !sealed(schema, table, c.name))
        .map((c) => `CAST(${ident(c.name)} AS VARCHAR) = ${value}`);
      const relation = `${ident(schema)}.${ident(table)}`;
      const rowIds: number[] = [];
      for (const c of keys.filter((k) => sealed(schema, table, k.name)))
        rowIds.push(...(await sealedMatches(connection, keyring, relation, c.name, subject)));
      if (rowIds.length) conditions.push(`rowid IN (${[...new Set(rowIds)].join(', ')})`);
      if (conditions.length)
        out.push({ schema, table, columns: keys.map((c) => c.name), where: conditions.join(' OR ') });
    } else if (text.length) {
      // Quarantined raw records, prediction logs and feedback hold the subject inside text or JSON.
      const needle = literal(
        `%${subject.replaceAll('\\', '\\\\').replaceAll('%', '\\%').replaceAll('_', '\\_')}%`,
      );
      out.push({
        schema,
        table,
        columns: ['*'],
        where: text.map((c) => `CAST(${ident(c.name)} AS VARCHAR) LIKE ${needle} ESCAPE '\\'`).join(' OR '),
      });
    }
  }
  return out;
}

/** Everything the warehouse holds about a data subject, table by table, sealed values opened. */
export async function exportSubject(
  db: Database,
  keyring: Keyring,
  subject: string,
  scope: SubjectScope = {},
): Promise<SubjectHit[]> {
  checkSubject(subject);
  return db.use(async (connection) => {
    const hits: SubjectHit[] = [];
    for (const target of await targets(connection, keyring, subject, scope)) {
      const rows = toJsonRows(
        await connection.runAndReadAll(
          `SELECT * FROM ${ident(target.schema)}.${ident(target.table)} WHERE ${target.where}`,
        ),
      ).map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [
            k,
            typeof v === 'string' && Keyring.versionOf(v) !== null ? keyring.decrypt(v) : v,
          ]),
        ),
      );
      if (rows.length)
        hits.push({ schema: target.schema, table: target.table, columns: target.columns, rows });
    }
    return hits;
  });
}

/** Deletes every warehouse row that holds the subject, in one transaction; returns the rows removed per table. */
export async function eraseSubject(
  db: Database,
  keyring: Keyring,
  subject: string,
  scope: SubjectScope = {},
): Promise<{ schema: string; table: string; rows: number }[]> {
  checkSubject(subject);
  return db.transaction(async (connection) => {
    const removed: { schema: string; table: string; rows: number }[] = [];
    for (const target of await targets(connection, keyring, subject, scope)) {
      const table = `${ident(target.schema)}.${ident(target.table)}`;
      const [row] = toJsonRows(
        await connection.runAndReadAll(`SELECT count(*) AS n FROM ${table} WHERE ${target.where}`),
      );
      const n = Number(row.n);
      if (n === 0) continue;
      await exec(connection, `DELETE FROM ${table} WHERE ${target.where}`);
      removed.push({ schema: target.schema, table: target.table, rows: n });
    }
    return removed;
  });
}
