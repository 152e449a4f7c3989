import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';
import { CompiledEnsemble } from './compiled-ensemble.js';
import type { TreeEnsemble } from './ensemble.js';
import { ensembleFromJson, ensembleToJson, type EnsembleJson } from './ensemble-json.js';
import type { RandomForestParams } from './forest-params.js';

/** A RandomForestModel as JSON: versioned, plain number arrays (doubles round-trip exactly). */
export interface ForestJson {
  format: 'cairn-forest';
  version: 1;
  params: RandomForestParams;
  /** Null when there was no out-of-bag estimate (no bootstrap, or no row ever out of bag). */
  oobScore: number | null;
  ensemble: EnsembleJson;
}

/**
 * A trained random forest or decision tree: immutable. Its ensemble's margins are already the
 * forest's averages — leaf values are scaled by 1 / trees and the ensemble's objective is
 * 'regression' (identity), so no link function (sigmoid, softmax) may be applied to them. Binary:
 * one output, P(class 1). Multiclass: output k averages the class-k trees; predict() rescales each
 * row to sum to 1 (the one-vs-rest trees' averages sum to about 1). Regression: the mean.
 */
export class RandomForestModel {
  private readonly compiled: CompiledEnsemble;

  constructor(
    readonly ensemble: TreeEnsemble,
    readonly params: Readonly<RandomForestParams>,
    /** Out-of-bag accuracy (classification) or R² (regression); NaN without one. */
    readonly oobScore: number,
    /** Out-of-bag predictions of the training rows (as predict lays them out; NaN where never out of bag); null after loading. */
    readonly oobPredictions: Float64Array | null,
  ) {
    this.compiled = new CompiledEnsemble(ensemble);
  }

  /** Binary: P(class 1) per row; multiclass: probabilities row-major (rows × classes); regression: values. */
  predict(X: FeatureMatrix): Float64Array {
    const expected = this.ensemble.featureNames.length;
    if (X.cols !== expected) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `predict got ${X.cols} features; the random forest was trained on ${expected} (${this.ensemble.featureNames.slice(0, 10).join(', ')})`,
      );
    }
    const out = this.compiled.predictMargins(X);
    if (this.params.task === 'multiclass') normaliseRows(out, this.ensemble.outputs);
    return out;
  }

  /** Mean decrease in impurity per feature: each tree's gains normalised to sum 1, averaged, normalised. */
  importance(): Float64Array {
    const F = this.ensemble.featureNames.length;
    const total = new Float64Array(F);
    const perTree = new Float64Array(F);
    for (const tree of this.ensemble.trees) {
      perTree.fill(0);
      let sum = 0;
      for (let node = 0; node < tree.left.length; node++) {
        if (tree.left[node] < 0) continue;
        perTree[tree.feature[node]] += tree.gain[node];
        sum += tree.gain[node];
      }
      if (sum > 0) for (let f = 0; f < F; f++) total[f] += perTree[f] / sum;
    }
    let sum = 0;
    for (let f = 0; f < F; f++) sum += total[f];
    if (sum > 0) for (let f = 0; f < F; f++) total[f] /= sum;
    return total;
  }

  toJSON(): ForestJson {
    return {
      format: 'cairn-forest',
      version: 1,
      params: { ...this.params, classWeights: copyWeights(this.params.classWeights) },
      oobScore: Number.isNaN(this.oobScore) ? null : this.oobScore,
      ensemble: ensembleToJson(this.ensemble),
    };
  }

  /** Rebuilds a model from toJSON(); throws INVALID_ARGUMENT naming what is wrong. */
  static fromJSON(json: ForestJson): RandomForestModel {
    const ensemble = ensembleFromJson(json, 'cairn-forest', 'random forest');
    const params = { ...json.params, classWeights: copyWeights(json.params.classWeights) };
    return new RandomForestModel(ensemble, params, json.oobScore ?? NaN, null);
  }
}

/** Rescales each row of row-major scores (K per row) to sum to 1; negative scores count as 0. */
export function normaliseRows(out: Float64Array, K: number): void {
  for (let r = 0; r < out.length; r += K) {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += out[r + k] = Math.max(out[r + k], 0);
    if (sum > 0) for (let k = 0; k < K; k++) out[r + k] /= sum;
  }
}

function copyWeights(w: RandomForestParams['classWeights']): RandomForestParams['classWeights'] {
  return Array.isArray(w) ? [...w] : w;
}
