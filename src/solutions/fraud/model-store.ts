import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../core/errors.js';
import type { Database } from '../../warehouse/database.js';
import { META_SCHEMA } from '../../warehouse/metadata.js';
import { asText } from '../../warehouse/values.js';
import { FraudEnsemble, type FraudEnsembleJson } from './ensemble.js';

const TABLE = `${META_SCHEMA}.fraud_model_versions`;

/** One trained fraud ensemble, as `cairn solutions train fraud` registers it. */
export interface FraudModelVersion {
  version: number;
  /** The artifact file, relative to the workspace's artifacts folder. */
  artifact: string;
  /** Hold-out figures of the training run (simulated data). */
  metrics: Record<string, unknown>;
  ruleVersion: number;
  createdAt: string;
}

export async function ensureModelStore(db: Database): Promise<void> {
  await db.run(`
    CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
    CREATE TABLE IF NOT EXISTS ${TABLE} (
      version INTEGER PRIMARY KEY,
      artifact VARCHAR NOT NULL,
      metrics JSON NOT NULL,
      rule_version INTEGER NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
}

/** Writes the ensemble's artifact and registers it as the next version. */
export async function saveFraudModel(
  db: Database,
  artifactsDir: string,
  ensemble: FraudEnsemble,
  metrics: Record<string, unknown>,
  ruleVersion: number,
): Promise<FraudModelVersion> {
  await ensureModelStore(db);
  const [row] = await db.rows(`SELECT coalesce(max(version), 0) + 1 AS v FROM ${TABLE}`);
  const version = Number(row.v);
  const artifact = path.join('fraud', `ensemble-v${version}.json`);
  mkdirSync(path.join(artifactsDir, 'fraud'), { recursive: true });
  writeFileSync(path.join(artifactsDir, artifact), JSON.stringify(ensemble.toJSON()));
  await db.run(`INSERT INTO ${TABLE} (version, artifact, metrics, rule_version) VALUES ($1, $2, $3, $4)`, [
    version,
    artifact,
    JSON.stringify(metrics),
    ruleVersion,
  ]);
  return { version, artifact, metrics, ruleVersion, createdAt: new Date().toISOString() };
}

/** The newest registered version, or null when none was trained. */
export async function latestFraudModel(db: Database): Promise<FraudModelVersion | null> {
  await ensureModelStore(db);
  const [row] = await db.rows(`SELECT * FROM ${TABLE} ORDER BY version DESC LIMIT 1`);
  if (row === undefined) return null;
  return {
    version: Number(row.version),
    artifact: asText(row.artifact),
    metrics: JSON.parse(asText(row.metrics)) as Record<string, unknown>,
    ruleVersion: Number(row.rule_version),
    createdAt: new Date(asText(row.created_at)).toISOString(),
  };
}

export function loadFraudEnsemble(artifactsDir: string, version: FraudModelVersion): FraudEnsemble {
  const file = path.join(artifactsDir, version.artifact);
  try {
    return FraudEnsemble.fromJSON(JSON.parse(readFileSync(file, 'utf8')) as FraudEnsembleJson);
  } catch (error) {
    throw new CairnError('INTERNAL', `fraud model v${version.version} could not be loaded from ${file}`, {
      cause: error,
    });
  }
}
