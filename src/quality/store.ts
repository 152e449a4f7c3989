import type { Database } from '../warehouse/database.js';
import { META_SCHEMA } from '../warehouse/metadata.js';

/** Quality bookkeeping tables, in Cairn's `cairn` schema beside the ingest history. */
export const QUALITY_TABLES = {
  profiles: `${META_SCHEMA}.quality_profiles`,
  rulesets: `${META_SCHEMA}.quality_rulesets`,
  runs: `${META_SCHEMA}.quality_runs`,
} as const;

const created = new WeakSet<Database>();

/**
 * Creates the quality tables on first use. Quality is reached from the CLI, HTTP and the ingest
 * gate, so each entry point calls this rather than relying on the composition root.
 */
export async function ensureQualityTables(db: Database): Promise<void> {
  if (created.has(db)) return;
  await db.run(`
    CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
    CREATE TABLE IF NOT EXISTS ${QUALITY_TABLES.profiles} (
      id VARCHAR PRIMARY KEY,
      table_name VARCHAR NOT NULL,
      profiled_at TIMESTAMPTZ NOT NULL,
      rows BIGINT NOT NULL,
      profile JSON NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${QUALITY_TABLES.rulesets} (
      table_name VARCHAR PRIMARY KEY,
      rules JSON NOT NULL,
      policy VARCHAR NOT NULL,
      schedule VARCHAR,
      last_scheduled_at TIMESTAMPTZ,
      updated_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${QUALITY_TABLES.runs} (
      id VARCHAR PRIMARY KEY,
      table_name VARCHAR NOT NULL,
      run_at TIMESTAMPTZ NOT NULL,
      trigger VARCHAR NOT NULL,
      passed BOOLEAN NOT NULL,
      rows BIGINT NOT NULL,
      null_counts JSON NOT NULL,
      report JSON NOT NULL
    );`);
  created.add(db);
}
