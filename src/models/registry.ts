import { CairnError } from '../core/errors.js';
import type { Database } from '../warehouse/database.js';
import { META_SCHEMA } from '../warehouse/metadata.js';
import { asText, type JsonRow } from '../warehouse/values.js';
import type { Evaluation } from './evaluate.js';

export const STAGES = ['none', 'staging', 'production', 'archived'] as const;
export type Stage = (typeof STAGES)[number];

/** Where the training data came from, and what it held, so a version can be traced to its data. */
export interface DataFingerprint {
  source: string;
  rows: number;
  /** Order-independent hash of every row's content, as 16 hex digits. */
  hash: string;
}

/** One immutable trained version, as the registry lists it. */
export interface ModelVersion {
  name: string;
  version: number;
  stage: Stage;
  task: string;
  algorithm: string;
  metrics: Record<string, unknown>;
  params: Record<string, unknown>;
  spec: Record<string, unknown>;
  data: DataFingerprint;
  seed: number;
  durationSeconds: number;
  cairnVersion: string;
  /** The artifact file, relative to the workspace's artifacts folder. */
  artifact: string;
  /** Curves, confusion matrix and importance on the held-out rows (see evaluate.ts); null for imports. */
  evaluation: Evaluation | null;
  createdAt: string;
}

export const VERSIONS_TABLE = `${META_SCHEMA}.model_versions`;
const TABLE = VERSIONS_TABLE;

export async function ensureRegistry(db: Database): Promise<void> {
  await db.run(`
    CREATE TABLE IF NOT EXISTS ${TABLE} (
      name VARCHAR NOT NULL,
      version INTEGER NOT NULL,
      stage VARCHAR NOT NULL DEFAULT 'none',
      task VARCHAR NOT NULL,
      algorithm VARCHAR NOT NULL,
      metrics JSON NOT NULL,
      params JSON NOT NULL,
      spec JSON NOT NULL,
      data JSON NOT NULL,
      seed INTEGER NOT NULL,
      duration_s DOUBLE NOT NULL,
      cairn_version VARCHAR NOT NULL,
      artifact VARCHAR NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (name, version)
    )`);
  await db.run(`ALTER TABLE ${TABLE} ADD COLUMN IF NOT EXISTS evaluation JSON`);
}

function parseJson(value: JsonRow[string]): Record<string, unknown> {
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
}

function fromRow(row: JsonRow): ModelVersion {
  return {
    name: asText(row.name),
    version: Number(row.version),
    stage: asText(row.stage) as Stage,
    task: asText(row.task),
    algorithm: asText(row.algorithm),
    metrics: parseJson(row.metrics),
    params: parseJson(row.params),
    spec: parseJson(row.spec),
    data: parseJson(row.data) as unknown as DataFingerprint,
    seed: Number(row.seed),
    durationSeconds: Number(row.duration_s),
    cairnVersion: asText(row.cairn_version),
    artifact: asText(row.artifact),
    evaluation: row.evaluation === null ? null : parseJson(row.evaluation),
    createdAt: asText(row.created_at),
  };
}

export async function nextVersion(db: Database, name: string): Promise<number> {
  const [row] = await db.rows(`SELECT coalesce(max(version), 0) + 1 AS v FROM ${TABLE} WHERE name = $1`, [
    name,
  ]);
  return Number(row?.v ?? 1);
}

export async function registerVersion(
  db: Database,
  version: Omit<ModelVersion, 'createdAt' | 'stage'>,
): Promise<void> {
  await db.run(
    `INSERT INTO ${TABLE} (name, version, task, algorithm, metrics, params, spec, data, seed, duration_s, cairn_version, artifact, evaluation)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      version.name,
      version.version,
      version.task,
      version.algorithm,
      JSON.stringify(version.metrics),
      JSON.stringify(version.params),
      JSON.stringify(version.spec),
      JSON.stringify(version.data),
      version.seed,
      version.durationSeconds,
      version.cairnVersion,
      version.artifact,
      version.evaluation === null ? null : JSON.stringify(version.evaluation),
    ],
  );
}

export async function listVersions(db: Database, name?: string): Promise<ModelVersion[]> {
  const rows = await db.rows(
    `SELECT * FROM ${TABLE} ${name ? 'WHERE name = $1' : ''} ORDER BY name, version`,
    name ? [name] : undefined,
  );
  return rows.map(fromRow);
}

/**
 * A model's version: the one asked for, else the production one, else the newest. Throws NOT_FOUND
 * naming what exists.
 */
export async function resolveVersion(db: Database, name: string, version?: number): Promise<ModelVersion> {
  const versions = await listVersions(db, name);
  if (versions.length === 0) {
    throw new CairnError('NOT_FOUND', `model '${name}' does not exist; train it with \`cairn train SPEC\``);
  }
  if (version !== undefined) {
    const found = versions.find((v) => v.version === version);
    if (!found) {
      throw new CairnError(
        'NOT_FOUND',
        `model '${name}' has no version ${version}; it has ${versions.map((v) => v.version).join(', ')}`,
      );
    }
    return found;
  }
  return versions.find((v) => v.stage === 'production') ?? versions[versions.length - 1];
}
