import type { Database } from './database.js';
import { STAGE_PREFIX } from './ingest/stage.js';
import { asText } from './values.js';

/** Cairn's own bookkeeping lives in the `cairn` schema, apart from the user's tables in `main`. */
export const META_SCHEMA = 'cairn';

export async function ensureMetadata(db: Database): Promise<void> {
  await db.run(`
    CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
    CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.ingests (
      id VARCHAR PRIMARY KEY,
      table_name VARCHAR NOT NULL,
      source VARCHAR NOT NULL,
      format VARCHAR NOT NULL,
      mode VARCHAR NOT NULL,
      read BIGINT NOT NULL,
      accepted BIGINT NOT NULL,
      quarantined BIGINT NOT NULL,
      started_at TIMESTAMPTZ NOT NULL,
      finished_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.settings (name VARCHAR PRIMARY KEY, value VARCHAR);
  `);
  // Only one process opens a workspace, so staging tables found now were left by a crashed ingest.
  const leftovers = await db.rows(
    `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND starts_with(table_name, '${STAGE_PREFIX}')`,
  );
  for (const row of leftovers) await db.run(`DROP TABLE main."${asText(row.table_name)}"`);
}
