import type { DuckDBConnection } from '@duckdb/node-api';
import type { Database } from '../warehouse/database.js';
import { exec } from '../warehouse/database.js';
import { ident } from '../warehouse/sql.js';
import { asText, toJsonRows } from '../warehouse/values.js';
import { Keyring } from './keyring.js';

const BATCH = 1000;

/**
 * Rewrites the values of one column in place, row by row through `transform` (values it returns
 * unchanged are left alone). `table` is a quoted, qualified name. Returns the rows changed.
 */
export async function rewriteColumn(
  connection: DuckDBConnection,
  table: string,
  column: string,
  transform: (value: string) => string,
): Promise<number> {
  const col = ident(column);
  await exec(connection, `ALTER TABLE ${table} ALTER ${col} TYPE VARCHAR`);
  const rows = toJsonRows(
    await connection.runAndReadAll(`SELECT rowid AS rid, ${col} AS v FROM ${table} WHERE ${col} IS NOT NULL`),
  );
  const changed: [number, string][] = [];
  for (const row of rows) {
    const before = asText(row.v);
    const after = transform(before);
    if (after !== before) changed.push([Number(row.rid), after]);
  }
  if (changed.length === 0) return 0;
  await exec(connection, 'CREATE OR REPLACE TEMP TABLE cairn_rewrite (rid BIGINT, v VARCHAR)');
  for (let start = 0; start < changed.length; start += BATCH) {
    const chunk = changed.slice(start, start + BATCH);
    await exec(
      connection,
      `INSERT INTO cairn_rewrite VALUES ${chunk.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')}`,
      chunk.flat(),
    );
  }
  await exec(
    connection,
    `UPDATE ${table} SET ${col} = cairn_rewrite.v FROM cairn_rewrite WHERE ${table}.rowid = cairn_rewrite.rid`,
  );
  await exec(connection, 'DROP TABLE cairn_rewrite');
  return changed.length;
}

/** Seals every plain value of a column with the keyring's current key. */
export function encryptColumn(
  db: Database,
  keyring: Keyring,
  table: string,
  column: string,
): Promise<number> {
  keyring.ensureKey();
  return db.transaction((c) =>
    rewriteColumn(c, `main.${ident(table)}`, column, (v) =>
      Keyring.versionOf(v) === null ? keyring.encrypt(v) : v,
    ),
  );
}

/** Opens every sealed value of a column back to plain text. */
export function decryptColumn(
  db: Database,
  keyring: Keyring,
  table: string,
  column: string,
): Promise<number> {
  return db.transaction((c) => rewriteColumn(c, `main.${ident(table)}`, column, (v) => keyring.decrypt(v)));
}

/** Re-seals values sealed with an older key version under the current one. */
export function reencryptColumn(
  db: Database,
  keyring: Keyring,
  table: string,
  column: string,
): Promise<number> {
  return db.transaction((c) =>
    rewriteColumn(c, `main.${ident(table)}`, column, (v) => {
      const version = Keyring.versionOf(v);
      return version === null || version === keyring.version ? v : keyring.encrypt(keyring.decrypt(v));
    }),
  );
}
