import type { FeatureMatrix } from '../matrix.js';
import { invalid, jsonNumbers } from './validate.js';

/**
 * How a linear model turns a FeatureMatrix into columns, remembered from training so that prediction
 * applies exactly the same mapping:
 * - a numeric feature is one column; for fitting it is standardised with the training mean and
 *   standard deviation, and a missing value takes the training mean (0 after standardising);
 * - a categorical feature with k categories is k one-hot columns (none dropped; the penalty makes the
 *   fit unique), left as 0/1; a missing or unseen code sets all k to 0.
 * Coefficients are reported and applied in the original scale, so callers pass raw features.
 */
export interface Design {
  readonly names: readonly string[];
  readonly categoryCounts: Int32Array;
  /** Training mean per feature, NaN ignored (0 for categorical ones and all-missing ones). */
  readonly means: Float64Array;
  /** Training standard deviation per feature (ddof 0, as sklearn's StandardScaler); 1 when it is 0. */
  readonly scales: Float64Array;
  /** First expanded column of each feature; offsets[cols] is the expanded width. */
  readonly offsets: Int32Array;
}

export function makeDesign(
  names: readonly string[],
  categoryCounts: Int32Array,
  means: Float64Array,
  scales: Float64Array,
): Design {
  const offsets = new Int32Array(names.length + 1);
  for (let j = 0; j < names.length; j++) offsets[j + 1] = offsets[j] + Math.max(1, categoryCounts[j]);
  return { names, categoryCounts, means, scales, offsets };
}

export function designWidth(design: Design): number {
  return design.offsets[design.names.length];
}

/** Names of the expanded columns: the feature name, or `name=code` for a one-hot column. */
export function expandedNames(design: Design): string[] {
  const out: string[] = [];
  design.names.forEach((name, j) => {
    const k = design.categoryCounts[j];
    if (k === 0) out.push(name);
    else for (let c = 0; c < k; c++) out.push(`${name}=${c}`);
  });
  return out;
}

/** The category code at a value, or -1 for missing, non-integer or unseen codes. */
export function categoryCode(value: number, k: number): number {
  return Number.isInteger(value) && value >= 0 && value < k ? value : -1;
}

/** Throws INVALID_ARGUMENT unless X has the training features, in order, and no infinities. */
export function checkFeatures(design: Design, X: FeatureMatrix, operation: string): void {
  const expected = design.names;
  if (X.cols !== expected.length || X.names.some((name, j) => name !== expected[j])) {
    throw invalid(
      operation,
      `X has features [${X.names.join(', ')}]; the model was trained on [${expected.join(', ')}]`,
    );
  }
  if (X.data.length !== X.rows * X.cols) {
    throw invalid(
      operation,
      `X holds ${X.data.length} values; ${X.rows} rows × ${X.cols} features need ${X.rows * X.cols}`,
    );
  }
  for (let j = 0; j < X.cols; j++) {
    for (let i = 0, o = j * X.rows; i < X.rows; i++, o++) {
      const v = X.data[o];
      if (v === Infinity || v === -Infinity) {
        throw invalid(
          operation,
          `feature '${X.names[j]}' holds ${v} at row ${i}; use NaN for a missing value`,
        );
      }
    }
  }
}

/**
 * Linear predictors in the original feature scale: out[i·K + k] = intercepts[k] + Σ coefficients[k·width + c]·x.
 * Missing numeric values take the training mean; missing or unseen categories contribute nothing.
 */
export function linearPredictors(
  design: Design,
  coefficients: Float64Array,
  intercepts: Float64Array,
  X: FeatureMatrix,
): Float64Array {
  const n = X.rows;
  const K = intercepts.length;
  const width = designWidth(design);
  const out = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) out[i * K + k] = intercepts[k];
  for (let j = 0; j < X.cols; j++) {
    const column = X.data.subarray(j * n, (j + 1) * n);
    const categories = design.categoryCounts[j];
    const first = design.offsets[j];
    for (let k = 0; k < K; k++) {
      const row = k * width + first;
      if (categories === 0) {
        const beta = coefficients[row];
        const fill = design.means[j];
        for (let i = 0; i < n; i++) {
          const v = column[i];
          out[i * K + k] += beta * (v === v ? v : fill);
        }
      } else {
        for (let i = 0; i < n; i++) {
          const code = categoryCode(column[i], categories);
          if (code >= 0) out[i * K + k] += coefficients[row + code];
        }
      }
    }
  }
  return out;
}

export interface DesignJson {
  names: string[];
  categoryCounts: number[];
  means: number[];
  scales: number[];
}

export function designToJSON(design: Design): DesignJson {
  return {
    names: [...design.names],
    categoryCounts: Array.from(design.categoryCounts),
    means: Array.from(design.means),
    scales: Array.from(design.scales),
  };
}

export function designFromJSON(json: unknown, where: string): Design {
  const names = (json as Partial<DesignJson> | null)?.names;
  if (!Array.isArray(names) || names.some((name) => typeof name !== 'string')) {
    throw invalid(where, "'design.names' must be an array of strings");
  }
  const counts = jsonNumbers(where, json, 'categoryCounts', names.length);
  if (!counts.every((k) => Number.isInteger(k) && k >= 0)) {
    throw invalid(where, "'design.categoryCounts' must hold integers ≥ 0");
  }
  const scales = jsonNumbers(where, json, 'scales', names.length);
  if (!scales.every((s) => s > 0)) throw invalid(where, "'design.scales' must be positive");
  return makeDesign(names, Int32Array.from(counts), jsonNumbers(where, json, 'means', names.length), scales);
}
