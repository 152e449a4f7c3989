import { CairnError } from '../../core/errors.js';
import type { EnsembleObjective, TreeEnsemble } from './ensemble.js';
import type { GbdtParams } from './gbdt-params.js';
import { treeFromJson, treeToJson, type TreeJson } from './tree.js';

/** A GbdtModel as JSON: versioned, with plain number arrays (doubles round-trip exactly). */
export interface GbdtJson {
  format: 'cairn-gbdt';
  version: 1;
  params: Partial<GbdtParams>;
  bestIteration: number;
  evalHistory: { metric: string; valid: number[] };
  ensemble: {
    objective: EnsembleObjective;
    outputs: number;
    baseMargin: number[];
    treeOutput: number[];
    featureNames: string[];
    categoryCounts: number[];
    trees: TreeJson[];
  };
}

export function ensembleToJson(ensemble: TreeEnsemble): GbdtJson['ensemble'] {
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

/** Checks the envelope and rebuilds the ensemble; throws INVALID_ARGUMENT naming what is wrong. */
export function ensembleFromJson(json: GbdtJson): TreeEnsemble {
  if (json === null || typeof json !== 'object' || json.format !== 'cairn-gbdt') {
    throw new CairnError(
      'INVALID_ARGUMENT',
      "GBDT model JSON lacks format 'cairn-gbdt'; is this a Cairn GBDT model?",
    );
  }
  if (json.version !== 1) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `GBDT model JSON has version ${String(json.version)}; this Cairn reads version 1`,
    );
  }
  const e = json.ensemble;
  if (e.treeOutput.length !== e.trees.length || e.baseMargin.length !== e.outputs) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `GBDT model JSON is inconsistent: ${e.trees.length} trees, ${e.treeOutput.length} tree outputs, ` +
        `${e.outputs} outputs, ${e.baseMargin.length} base margins`,
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
