import type { TreeEnsemble } from './ensemble.js';

export type ImportanceKind = 'gain' | 'total_gain' | 'split';

/**
 * Feature importance over all trees (XGBoost's definitions): 'split' counts the splits on each
 * feature, 'total_gain' sums their gains, 'gain' is total_gain / split (0 for unused features).
 */
export function featureImportance(ensemble: TreeEnsemble, kind: ImportanceKind): Float64Array {
  const F = ensemble.featureNames.length;
  const splits = new Float64Array(F);
  const gains = new Float64Array(F);
  for (const tree of ensemble.trees) {
    for (let node = 0; node < tree.left.length; node++) {
      if (tree.left[node] < 0) continue;
      const f = tree.feature[node];
      splits[f]++;
      gains[f] += tree.gain[node];
    }
  }
  if (kind === 'split') return splits;
  if (kind === 'total_gain') return gains;
  return gains.map((g, f) => (splits[f] > 0 ? g / splits[f] : 0));
}
