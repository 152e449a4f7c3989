import { CairnError } from '../../core/errors.js';
import type { Database } from '../../warehouse/database.js';
import { asText } from '../../warehouse/values.js';
import { ensureQualityTables, QUALITY_TABLES } from '../store.js';
import type { TableProfile } from './types.js';

export interface ProfileSummary {
  id: string;
  table: string;
  profiled_at: string;
  rows: number;
}

/** Keeps a profile with its timestamp, so later profiles can be compared with it. */
export async function saveProfile(db: Database, profile: TableProfile): Promise<void> {
  await ensureQualityTables(db);
  await db.run(`INSERT INTO ${QUALITY_TABLES.profiles} VALUES ($1, $2, $3, $4, $5)`, [
    profile.id,
    profile.table,
    profile.profiled_at,
    profile.rows,
    JSON.stringify(profile),
  ]);
}

/** A table's stored profiles, newest first. */
export async function listProfiles(db: Database, table: string, limit = 50): Promise<ProfileSummary[]> {
  await ensureQualityTables(db);
  const rows = await db.rows(
    `SELECT id, table_name, strftime(profiled_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS at, rows
     FROM ${QUALITY_TABLES.profiles} WHERE table_name = $1 ORDER BY profiled_at DESC, id LIMIT ${Math.max(1, Math.floor(limit))}`,
    [table],
  );
  return rows.map((r) => ({
    id: asText(r.id),
    table: asText(r.table_name),
    profiled_at: asText(r.at),
    rows: Number(r.rows),
  }));
}

/** A stored profile by id, or the table's newest when `id` is 'latest'; `skip` steps back from the newest. */
export async function loadProfile(
  db: Database,
  table: string,
  id = 'latest',
  skip = 0,
): Promise<TableProfile> {
  await ensureQualityTables(db);
  const rows =
    id === 'latest'
      ? await db.rows(
          `SELECT profile FROM ${QUALITY_TABLES.profiles} WHERE table_name = $1 ORDER BY profiled_at DESC, id LIMIT 1 OFFSET ${skip}`,
          [table],
        )
      : await db.rows(`SELECT profile FROM ${QUALITY_TABLES.profiles} WHERE table_name = $1 AND id = $2`, [
          table,
          id,
        ]);
  const [row] = rows;
  if (!row) {
    throw new CairnError(
      'NOT_FOUND',
      id === 'latest'
        ? `table '${table}' has no stored profile${skip ? ` before the newest ${skip}` : ''}; run \`cairn profile ${table}\` first`
        : `table '${table}' has no stored profile with id '${id}'`,
    );
  }
  return JSON.parse(asText(row.profile)) as TableProfile;
}
