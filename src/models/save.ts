import type { Database } from '../warehouse/database.js';
import { VERSION } from '../version.js';
import { ARTIFACT_FORMAT, artifactVersionFor, writeArtifact } from './artifact.js';
import type { Estimator } from './estimator.js';
import type { Evaluation } from './evaluate.js';
import type { FeatureSpec } from './features.js';
import { nextVersion, registerVersion, type DataFingerprint } from './registry.js';
import type { TargetInfo } from './target.js';

export interface NewVersion {
  name: string;
  algorithm: string;
  target: TargetInfo;
  features: FeatureSpec[];
  estimator: Estimator;
  metrics: Record<string, number>;
  evaluation: Evaluation | null;
  params: Record<string, unknown>;
  spec: Record<string, unknown>;
  data: DataFingerprint;
  seed: number;
  started: number;
}

/** Stores a fitted estimator as the model's next version: artifact file first, then the registry row. */
export async function saveVersion(db: Database, artifactsDir: string, fitted: NewVersion): Promise<number> {
  const version = await nextVersion(db, fitted.name);
  const artifact = writeArtifact(artifactsDir, {
    format: ARTIFACT_FORMAT,
    formatVersion: artifactVersionFor(fitted.target.task),
    cairnVersion: VERSION,
    name: fitted.name,
    version,
    task: fitted.target.task,
    algorithm: fitted.algorithm,
    target: fitted.target,
    features: fitted.features,
    estimator: fitted.estimator.toJSON(),
    metrics: fitted.metrics,
    createdAt: new Date().toISOString(),
  });
  await registerVersion(db, {
    name: fitted.name,
    version,
    task: fitted.target.task,
    algorithm: fitted.algorithm,
    metrics: fitted.metrics,
    params: fitted.params,
    spec: fitted.spec,
    data: fitted.data,
    seed: fitted.seed,
    durationSeconds: (performance.now() - fitted.started) / 1000,
    cairnVersion: VERSION,
    artifact,
    evaluation: fitted.evaluation,
  });
  return version;
}
