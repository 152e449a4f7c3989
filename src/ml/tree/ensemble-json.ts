import { CairnError } from '../../core/errors.js';
import type { EnsembleObjective, TreeEnsemble } from './ensemble.js';
import { treeFromJson, treeToJson, type TreeJson } from './tree.js';

/** A TreeEnsemble as JSON: plain number arrays (doubles round-trip exactly). */
export interface EnsembleJson {
  objective: EnsembleObjective;
  outputs: number;
  baseMargin: number[];
  treeOutput: number[];
  featureNames: string[];
  categoryCounts: number[];
  trees: TreeJson[];
}

/** The envelope every saved tree model carries. */
export interface ModelEnvelope {
  format: string;
  version: number;
}

export function ensembleToJson(ensemble: TreeEnsemble): EnsembleJson {
  return {
    objective: ensemble.objective,
    outputs: ensemble.outputs,
    baseMargin: Array.from(ensemble.baseMargin),
    treeOutput: Array.from(ensemble.treeOutput),
    featureNames: [...ensemble.featureNames],
    categoryCounts: Array.from(ensemble.categoryCounts),
    trees: ensemble.trees.map(treeToJson),
  };
}

/**
 * Checks a saved model's envelope (format and version 1) and rebuilds its ensemble; throws
 * INVALID_ARGUMENT naming what is wrong. `what` names the model kind in messages.
 */
export function ensembleFromJson(
  json: ModelEnvelope & { ensemble: EnsembleJson },
  format: string,
  what: string,
): TreeEnsemble {
  if (json === null || typeof json !== 'object' || json.format !== format) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${what} JSON lacks format '${format}'; is this a Cairn ${what}?`,
    );
  }
  if (json.version !== 1) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${what} JSON has version ${String(json.version)}; this Cairn reads version 1`,
    );
  }
  const e = json.ensemble;
  if (
    e.treeOutput.length !== e.trees.length ||
    e.baseMargin.length !== e.outputs ||
    e.featureNames.length !== e.categoryCounts.length
  ) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${what} JSON is inconsistent: ${e.trees.length} trees, ${e.treeOutput.length} tree outputs, ` +
        `${e.outputs} outputs, ${e.baseMargin.length} base margins, ${e.featureNames.length} features`,
    );
  }
  return {
    objective: e.objective,
    outputs: e.outputs,
    baseMargin: Float64Array.from(e.baseMargin),
    treeOutput: Int32Array.from(e.treeOutput),
    featureNames: [...e.featureNames],
    categoryCounts: Int32Array.from(e.categoryCounts),
    trees: e.trees.map(treeFromJson),
  };
}
