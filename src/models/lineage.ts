import { createHash } from 'node:crypto';
import { CairnError } from '../core/errors.js';
import { dropTable } from '../warehouse/catalog.js';
import type { Database } from '../warehouse/database.js';
import { listVersions, type DataFingerprint, type Stage } from './registry.js';
import { stageHistory, type StageEvent } from './stages.js';

/** Which data and which spec made one version. */
export interface LineageEntry {
  version: number;
  stage: Stage;
  createdAt: string;
  algorithm: string;
  data: DataFingerprint;
  /** 12 hex digits of the spec's hash: equal specs, equal hashes. */
  specHash: string;
  /** The earlier version trained on exactly the same data (source, rows and content hash), if any. */
  sameDataAs: number | null;
  /** The earlier version trained from the same spec, if any. */
  sameSpecAs: number | null;
  seed: number;
  cairnVersion: string;
}

export interface Lineage {
  model: string;
  versions: LineageEntry[];
  stages: StageEvent[];
}

/** Every version of a model with its data fingerprint and spec, and the stage changes, oldest first. */
export async function lineage(db: Database, name: string): Promise<Lineage> {
  const versions = await listVersions(db, name);
  if (versions.length === 0)
    throw new CairnError('NOT_FOUND', `model '${name}' does not exist; train it with \`cairn train SPEC\``);
  const entries: LineageEntry[] = [];
  for (const v of versions) {
    const specHash = createHash('sha256').update(JSON.stringify(v.spec)).digest('hex').slice(0, 12);
    const sameData = entries.find(
      (e) => e.data.source === v.data.source && e.data.rows === v.data.rows && e.data.hash === v.data.hash,
    );
    entries.push({
      version: v.version,
      stage: v.stage,
      createdAt: v.createdAt,
      algorithm: v.algorithm,
      data: v.data,
      specHash,
      sameDataAs: sameData?.version ?? null,
      sameSpecAs: entries.find((e) => e.specHash === specHash)?.version ?? null,
      seed: v.seed,
      cairnVersion: v.cairnVersion,
    });
  }
  return { model: name, versions: entries, stages: await stageHistory(db, name) };
}

/** Production versions trained on a warehouse table, for a warning before the table goes. */
export async function productionModelsOn(db: Database, table: string): Promise<string[]> {
  const versions = await listVersions(db);
  return versions
    .filter((v) => v.stage === 'production' && v.data.source === `table:${table}`)
    .map((v) => `${v.name} v${v.version}`);
}

export interface DropReport {
  table: string;
  dropped: boolean;
  /** Production models trained on the table, which can no longer be retrained from it. */
  warnings: string[];
}

/**
 * Drops a warehouse table, unless production models were trained on it: then CONFLICT naming them,
 * unless `force`, which drops it and reports them as warnings.
 */
export async function dropTableChecked(db: Database, table: string, force: boolean): Promise<DropReport> {
  const models = await productionModelsOn(db, table);
  const warnings = models.map(
    (m) => `production model ${m} was trained on table '${table}'; retraining it needs the data back`,
  );
  if (models.length > 0 && !force) {
    throw new CairnError(
      'CONFLICT',
      `table '${table}' trained production model(s) ${models.join(', ')}; drop it anyway with --force (HTTP: ?force=true)`,
    );
  }
  await dropTable(db, table);
  return { table, dropped: true, warnings };
}
