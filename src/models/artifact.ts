import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CairnError, errorMessage } from '../core/errors.js';
import type { FeatureSpec } from './features.js';
import { isUnsupervised, type ModelTask } from './spec.js';
import type { TargetInfo } from './target.js';

export const ARTIFACT_FORMAT = 'cairn-model';
/**
 * Bumped when the file layout changes; loaders refuse newer versions they do not know. Version 2
 * added the unsupervised tasks (target.outputs); supervised artifacts are still written as
 * version 1, which they are, so a Cairn from before version 2 keeps reading them.
 */
export const ARTIFACT_VERSION = 2;

/** The format version an artifact of this task is written with. */
export function artifactVersionFor(task: ModelTask): number {
  return isUnsupervised(task) ? ARTIFACT_VERSION : 1;
}

/** Everything needed to predict with a trained version, in one JSON file. */
export interface ModelArtifact {
  format: typeof ARTIFACT_FORMAT;
  formatVersion: number;
  cairnVersion: string;
  name: string;
  version: number;
  task: ModelTask;
  algorithm: string;
  target: TargetInfo;
  features: FeatureSpec[];
  estimator: unknown;
  metrics: Record<string, unknown>;
  createdAt: string;
}

export function artifactPath(name: string, version: number): string {
  return path.join('models', name, `v${version}.json`);
}

/** Writes the artifact under the artifacts folder; a temp file and a rename keep a crash from leaving half a file. */
export function writeArtifact(artifactsDir: string, artifact: ModelArtifact): string {
  const relative = artifactPath(artifact.name, artifact.version);
  const file = path.join(artifactsDir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(artifact));
  renameSync(`${file}.tmp`, file);
  return relative;
}

export function readArtifact(file: string): ModelArtifact {
  let parsed: Partial<ModelArtifact>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ModelArtifact>;
  } catch (error) {
    throw new CairnError('INVALID_ARGUMENT', `cannot read model file ${file}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  if (parsed.format !== ARTIFACT_FORMAT) {
    throw new CairnError(
      'UNSUPPORTED_FORMAT',
      `${file} is not a Cairn model file (format '${String(parsed.format)}')`,
    );
  }
  if (typeof parsed.formatVersion !== 'number' || parsed.formatVersion > ARTIFACT_VERSION) {
    throw new CairnError(
      'UNSUPPORTED_FORMAT',
      `${file} has model format version ${String(parsed.formatVersion)}; this Cairn reads up to ${ARTIFACT_VERSION}`,
    );
  }
  return parsed as ModelArtifact;
}
