import { CairnError } from '../../core/errors.js';
import type { Database } from '../../warehouse/database.js';
import { META_SCHEMA } from '../../warehouse/metadata.js';
import { literal } from '../../warehouse/sql.js';
import { asText } from '../../warehouse/values.js';
import { toFeatureView, type FeatureView } from './feature-view.js';

const TABLE = `${META_SCHEMA}.feature_views`;
const created = new WeakSet<Database>();

export async function ensureFeatureViews(db: Database): Promise<void> {
  if (created.has(db)) return;
  await db.run(`
    CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
    CREATE TABLE IF NOT EXISTS ${TABLE} (
      name VARCHAR PRIMARY KEY,
      spec JSON NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL,
      materialized_at TIMESTAMPTZ,
      materialized_as_of TIMESTAMP,
      materialized_rows BIGINT
    );`);
  created.add(db);
}

export interface FeatureViewSummary {
  name: string;
  entity: string;
  source: string;
  features: string[];
  ttl: string | null;
  appliedAt: string;
  materializedAt: string | null;
  materializedAsOf: string | null;
  materializedRows: number | null;
}

/** Saves (or replaces) a feature view; returns whether it existed before. */
export async function saveFeatureView(db: Database, view: FeatureView): Promise<{ replaced: boolean }> {
  await ensureFeatureViews(db);
  const existing = await db.rows(`SELECT 1 FROM ${TABLE} WHERE name = ?`, [view.name]);
  await db.run(`INSERT OR REPLACE INTO ${TABLE} (name, spec, applied_at) VALUES (?, ?, current_timestamp)`, [
    view.name,
    JSON.stringify(view.spec),
  ]);
  return { replaced: existing.length > 0 };
}

export async function getFeatureView(db: Database, name: string): Promise<FeatureView> {
  await ensureFeatureViews(db);
  const [row] = await db.rows(`SELECT spec FROM ${TABLE} WHERE name = ?`, [name]);
  if (!row) {
    throw new CairnError(
      'NOT_FOUND',
      `feature view '${name}' does not exist; apply it first with: cairn features apply FILE`,
    );
  }
  return toFeatureView(JSON.parse(asText(row.spec)), `stored feature view '${name}'`);
}

export async function listFeatureViews(db: Database): Promise<FeatureViewSummary[]> {
  await ensureFeatureViews(db);
  const rows = await db.rows(
    `SELECT name, spec, CAST(applied_at AS VARCHAR) AS applied_at, CAST(materialized_at AS VARCHAR) AS materialized_at,
            CAST(materialized_as_of AS VARCHAR) AS materialized_as_of, materialized_rows
     FROM ${TABLE} ORDER BY name`,
  );
  return rows.map((row) => {
    const view = toFeatureView(JSON.parse(asText(row.spec)));
    return {
      name: view.name,
      entity: view.entity,
      source: 'table' in view.source ? view.source.table : 'sql',
      features: view.features.map((f) => f.name),
      ttl: view.spec.ttl ?? null,
      appliedAt: asText(row.applied_at),
      materializedAt: row.materialized_at === null ? null : asText(row.materialized_at),
      materializedAsOf: row.materialized_as_of === null ? null : asText(row.materialized_as_of),
      materializedRows: row.materialized_rows === null ? null : Number(row.materialized_rows),
    };
  });
}

export async function recordMaterialization(
  db: Database,
  name: string,
  asOf: Date,
  rows: number,
): Promise<void> {
  await db.run(
    `UPDATE ${TABLE} SET materialized_at = current_timestamp, materialized_as_of = CAST(${literal(asOf.toISOString())} AS TIMESTAMP), materialized_rows = ? WHERE name = ?`,
    [rows, name],
  );
}
