import path from 'node:path';
import { CairnError } from '../core/errors.js';
import type { Database } from '../warehouse/database.js';
import { algorithmNamed } from './algorithms.js';
import { readArtifact } from './artifact.js';
import type { TrainedModel } from './model.js';
import { resolveVersion } from './registry.js';
import { isUnsupervised } from './spec.js';
import { unsupervisedAlgorithmNamed } from './unsupervised/algorithms.js';

/** Loads a registered version (default: production, else newest) from its artifact file. */
export async function loadModel(
  db: Database,
  artifactsDir: string,
  name: string,
  version?: number,
): Promise<TrainedModel> {
  const entry = await resolveVersion(db, name, version);
  const artifact = readArtifact(path.join(artifactsDir, entry.artifact));
  if (artifact.name !== entry.name || artifact.version !== entry.version) {
    throw new CairnError(
      'CONFLICT',
      `artifact ${entry.artifact} holds ${artifact.name} v${artifact.version}, not ${entry.name} v${entry.version}`,
    );
  }
  const task = artifact.task;
  const estimator = isUnsupervised(task)
    ? unsupervisedAlgorithmNamed(artifact.algorithm, task).load(artifact.estimator)
    : algorithmNamed(artifact.algorithm).load(artifact.estimator, task);
  return { artifact, estimator };
}
