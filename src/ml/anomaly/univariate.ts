import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';
import { columnMoments, quantileSorted, sortedColumn } from './column-stats.js';
import {
  checkColumns,
  checkTraining,
  readHeader,
  readNumber,
  readNumbers,
  readStrings,
  toJsonNumbers,
} from './model-io.js';
import { flagAnomalies, resolveThreshold, type ThresholdSpec } from './threshold.js';

export type UnivariateAlgorithm = 'zscore' | 'robust_zscore' | 'iqr';

export interface UnivariateParams {
  /** Default: 3 for zscore, 3.5 for robust_zscore (Iglewicz & Hoaglin), 1.5 for iqr (Tukey's fences). */
  threshold: ThresholdSpec | undefined;
}

const FORMAT = 'cairn-univariate-anomaly';
const DEFAULT_CUT: Record<UnivariateAlgorithm, number> = { zscore: 3, robust_zscore: 3.5, iqr: 1.5 };
/** MAD × 1.4826 estimates σ for normal data. */
const MAD_TO_SD = 1.482602218505602;
/** Mean absolute deviation × 1.2533 estimates σ (√(π/2)); used when over half the values tie (MAD = 0). */
const MEAN_AD_TO_SD = 1.2533141373155001;

/**
 * Per-feature scores combined by their maximum: a row is as abnormal as its most abnormal feature.
 * Every algorithm is one formula, score = max_j max(lower_j − x_j, x_j − upper_j) / scale_j:
 * - zscore: lower = upper = mean, scale = standard deviation, so |x − mean| / sd;
 * - robust_zscore: lower = upper = median, scale = 1.4826 · MAD (the modified z-score);
 * - iqr: lower = Q1, upper = Q3, scale = Q3 − Q1, so the score is how many IQRs a value lies beyond
 *   the box (negative inside it) and Tukey's fences are the cut 1.5.
 * Categorical features are skipped (codes have no scale); missing values are skipped, and a row
 * with none observed scores −Infinity, never flagged. A zero scale becomes 1 so a constant
 * feature still flags a row that leaves its constant.
 */
export function fitZScore(X: FeatureMatrix, params: Partial<UnivariateParams> = {}): UnivariateModel {
  return fitUnivariate(X, 'zscore', params);
}

/** Modified z-scores (median, MAD); see fitZScore. */
export function fitRobustZScore(X: FeatureMatrix, params: Partial<UnivariateParams> = {}): UnivariateModel {
  return fitUnivariate(X, 'robust_zscore', params);
}

/** Distances beyond the interquartile box in IQRs; see fitZScore. */
export function fitIqrFences(X: FeatureMatrix, params: Partial<UnivariateParams> = {}): UnivariateModel {
  return fitUnivariate(X, 'iqr', params);
}

function fitUnivariate(
  X: FeatureMatrix,
  algorithm: UnivariateAlgorithm,
  params: Partial<UnivariateParams>,
): UnivariateModel {
  const operation = `fit ${algorithm}`;
  checkTraining(X, operation);
  const d = X.cols;
  const lower = new Float64Array(d).fill(NaN);
  const upper = new Float64Array(d).fill(NaN);
  const scale = new Float64Array(d).fill(NaN);
  let numeric = 0;
  for (let j = 0; j < d; j++) {
    if (X.categoryCounts[j] > 0) continue;
    numeric++;
    if (algorithm === 'zscore') {
      const { mean, std } = columnMoments(X, j);
      lower[j] = upper[j] = mean;
      scale[j] = std;
    } else {
      const sorted = sortedColumn(X, j);
      if (algorithm === 'iqr') {
        lower[j] = quantileSorted(sorted, 0.25);
        upper[j] = quantileSorted(sorted, 0.75);
        scale[j] = upper[j] - lower[j];
      } else {
        const median = quantileSorted(sorted, 0.5);
        lower[j] = upper[j] = median;
        const deviations = sorted.map((v) => Math.abs(v - median)).sort();
        const mad = quantileSorted(deviations, 0.5);
        scale[j] =
          mad > 0 ? MAD_TO_SD * mad : (MEAN_AD_TO_SD * deviations.reduce((s, v) => s + v, 0)) / sorted.length;
      }
    }
    if (!(scale[j] > 0)) scale[j] = 1;
  }
  if (numeric === 0) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${operation} needs at least one numeric feature; all ${d} (${X.names.join(', ')}) are categorical`,
    );
  }
  const draft = new UnivariateModel(algorithm, [...X.names], lower, upper, scale, DEFAULT_CUT[algorithm]);
  const threshold = resolveThreshold(params.threshold, draft.score(X), DEFAULT_CUT[algorithm]);
  return new UnivariateModel(algorithm, [...X.names], lower, upper, scale, threshold);
}

/** Scores rows by x against per-feature centre/box and scale; see fitZScore. */
export function scoreUnivariate(
  X: Float64Array,
  rows: number,
  lower: Float64Array,
  upper: Float64Array,
  scale: Float64Array,
  out = new Float64Array(rows),
): Float64Array {
  out.fill(-Infinity);
  for (let j = 0; j < lower.length; j++) {
    const lo = lower[j];
    if (lo !== lo) continue;
    const hi = upper[j];
    // Division, not a product with 1/scale: equal scores on different features must stay equal.
    const sc = scale[j];
    const column = j * rows;
    for (let i = 0; i < rows; i++) {
      const v = X[column + i];
      const s = Math.max(lo - v, v - hi) / sc;
      if (s > out[i]) out[i] = s;
    }
  }
  return out;
}

export interface UnivariateJson {
  format: typeof FORMAT;
  version: 1;
  algorithm: UnivariateAlgorithm;
  names: string[];
  lower: (number | null)[];
  upper: (number | null)[];
  scale: (number | null)[];
  threshold: number;
}

/** A fitted z-score, robust z-score or IQR-fence detector: immutable. */
export class UnivariateModel {
  /** @internal built by the fit functions and fromJSON. */
  constructor(
    readonly algorithm: UnivariateAlgorithm,
    readonly names: readonly string[],
    private readonly lower: Float64Array,
    private readonly upper: Float64Array,
    private readonly scale: Float64Array,
    /** Rows scoring above this are anomalies. */
    readonly threshold: number,
  ) {}

  /** Per row, the largest per-feature score (in standard deviations, robust ones, or IQRs). */
  score(X: FeatureMatrix): Float64Array {
    checkColumns(X, this.names, `${this.algorithm} score`);
    return scoreUnivariate(X.data, X.rows, this.lower, this.upper, this.scale);
  }

  /** 1 for rows scoring above the threshold, else 0. */
  isAnomaly(X: FeatureMatrix): Uint8Array {
    return flagAnomalies(this.score(X), this.threshold);
  }

  toJSON(): UnivariateJson {
    return {
      format: FORMAT,
      version: 1,
      algorithm: this.algorithm,
      names: [...this.names],
      lower: toJsonNumbers(this.lower),
      upper: toJsonNumbers(this.upper),
      scale: toJsonNumbers(this.scale),
      threshold: this.threshold,
    };
  }

  static fromJSON(json: unknown): UnivariateModel {
    const o = readHeader(json, FORMAT);
    const algorithm = o.algorithm as UnivariateAlgorithm;
    if (!(algorithm in DEFAULT_CUT)) {
      throw new CairnError('INVALID_ARGUMENT', `${FORMAT} model: unknown algorithm ${String(o.algorithm)}`);
    }
    const names = readStrings(o, 'names', FORMAT);
    const lower = readNumbers(o, 'lower', FORMAT);
    const upper = readNumbers(o, 'upper', FORMAT);
    const scale = readNumbers(o, 'scale', FORMAT);
    if ([lower, upper, scale].some((a) => a.length !== names.length)) {
      throw new CairnError('INVALID_ARGUMENT', `${FORMAT} model: one lower/upper/scale per feature expected`);
    }
    return new UnivariateModel(algorithm, names, lower, upper, scale, readNumber(o, 'threshold', FORMAT));
  }
}
