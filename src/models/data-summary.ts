import type { FeatureMatrix } from '../ml/matrix.js';

/** One feature of the training rows, as a model card shows it and drift checks will compare with. */
export interface FeatureSummary {
  feature: string;
  /** Share of rows where the feature is missing. */
  missing: number;
  /** Numeric features. */
  min?: number;
  max?: number;
  mean?: number;
  std?: number;
  /** Categorical features: the most frequent codes' shares, largest first (at most 10). */
  top?: { code: number; share: number }[];
}

/** Per-feature summary of a training matrix: one pass per column. */
export function summarizeFeatures(X: FeatureMatrix): FeatureSummary[] {
  return X.names.map((feature, f) => {
    const column = X.data.subarray(f * X.rows, (f + 1) * X.rows);
    let missing = 0;
    if (X.categoryCounts[f] > 0) {
      const counts = new Float64Array(X.categoryCounts[f]);
      for (const v of column) {
        if (Number.isNaN(v)) missing++;
        else if (v >= 0 && v < counts.length) counts[v]++;
      }
      const top = Array.from(counts, (count, code) => ({ code, share: count / X.rows }))
        .filter((c) => c.share > 0)
        .sort((a, b) => b.share - a.share || a.code - b.code)
        .slice(0, 10);
      return { feature, missing: missing / X.rows, top };
    }
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let squares = 0;
    for (const v of column) {
      if (Number.isNaN(v)) {
        missing++;
        continue;
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
      squares += v * v;
    }
    const n = X.rows - missing;
    if (n === 0) return { feature, missing: 1 };
    const mean = sum / n;
    return {
      feature,
      missing: missing / X.rows,
      min,
      max,
      mean,
      std: Math.sqrt(Math.max(0, squares / n - mean * mean)),
    };
  });
}
