import { CairnError } from '../core/errors.js';
import { exec, type Database } from '../warehouse/database.js';
import { META_SCHEMA } from '../warehouse/metadata.js';
import { asText } from '../warehouse/values.js';
import {
  listVersions,
  resolveVersion,
  STAGES,
  VERSIONS_TABLE,
  type ModelVersion,
  type Stage,
} from './registry.js';

const EVENTS = `${META_SCHEMA}.model_stage_events`;

/** One stage change, as `cairn models show` and lineage list them. */
export interface StageEvent {
  name: string;
  version: number;
  from: Stage;
  to: Stage;
  reason: string;
  at: string;
}

export interface StageChange {
  model: string;
  version: number;
  stage: Stage;
  /** Versions whose stage changed with it (the production version a promotion archived). */
  archived: number[];
}

export async function ensureStageEvents(db: Database): Promise<void> {
  await db.run(`
    CREATE TABLE IF NOT EXISTS ${EVENTS} (
      name VARCHAR NOT NULL,
      version INTEGER NOT NULL,
      from_stage VARCHAR NOT NULL,
      to_stage VARCHAR NOT NULL,
      reason VARCHAR NOT NULL,
      changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
}

export function checkStage(value: string): Stage {
  if (!(STAGES as readonly string[]).includes(value)) {
    throw new CairnError('INVALID_ARGUMENT', `stage '${value}' is not one of ${STAGES.join(', ')}`);
  }
  return value as Stage;
}

/**
 * Moves a version to a stage in one transaction. A model has at most one production version: the
 * one there before is archived. Every change is recorded with its reason.
 */
export async function setStage(
  db: Database,
  name: string,
  version: number,
  stage: Stage,
  reason = 'promote',
): Promise<StageChange> {
  const target = await resolveVersion(db, name, version);
  const others =
    stage === 'production'
      ? (await listVersions(db, name)).filter((v) => v.stage === 'production' && v.version !== version)
      : [];
  await db.transaction(async (connection) => {
    const move = async (v: ModelVersion, to: Stage) => {
      await exec(connection, `UPDATE ${VERSIONS_TABLE} SET stage = $1 WHERE name = $2 AND version = $3`, [
        to,
        name,
        v.version,
      ]);
      await exec(
        connection,
        `INSERT INTO ${EVENTS} (name, version, from_stage, to_stage, reason) VALUES ($1, $2, $3, $4, $5)`,
        [name, v.version, v.stage, to, reason],
      );
    };
    for (const other of others) await move(other, 'archived');
    if (target.stage !== stage) await move(target, stage);
  });
  return { model: name, version, stage, archived: others.map((v) => v.version) };
}

/** Stage changes of a model, oldest first. */
export async function stageHistory(db: Database, name: string): Promise<StageEvent[]> {
  const rows = await db.rows(
    `SELECT name, version, from_stage, to_stage, reason, CAST(changed_at AS VARCHAR) AS changed_at
     FROM ${EVENTS} WHERE name = $1 ORDER BY changed_at, rowid`,
    [name],
  );
  return rows.map((row) => ({
    name: asText(row.name),
    version: Number(row.version),
    from: asText(row.from_stage) as Stage,
    to: asText(row.to_stage) as Stage,
    reason: asText(row.reason),
    at: asText(row.changed_at),
  }));
}

/**
 * Puts back the production version before the current one: the version most recently moved out of
 * production that still exists and is not the current one. CONFLICT when there is none.
 */
export async function rollback(
  db: Database,
  name: string,
  /** Runs before the change with the version that will serve (the server loads it; a throw stops the rollback). */
  prepare?: (version: number) => Promise<void>,
): Promise<StageChange> {
  const versions = await listVersions(db, name);
  if (versions.length === 0) throw new CairnError('NOT_FOUND', `model '${name}' does not exist`);
  const current = versions.find((v) => v.stage === 'production');
  const history = await stageHistory(db, name);
  const previous = history.reverse().find((e) => e.from === 'production' && e.version !== current?.version);
  if (previous === undefined) {
    throw new CairnError(
      'CONFLICT',
      `model '${name}' has no earlier production version to roll back to` +
        (current ? ` (v${current.version} is the only one that has been in production)` : ''),
    );
  }
  await prepare?.(previous.version);
  return setStage(db, name, previous.version, 'production', 'rollback');
}
