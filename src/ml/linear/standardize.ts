import type { FeatureMatrix } from '../matrix.js';
import { categoryCode, designWidth, makeDesign, type Design } from './design.js';

/**
 * Standardisation for linear models. Penalised fits are fitted on standardised columns (so that one
 * penalty strength means the same for every feature, whatever its unit) and their coefficients are
 * mapped back to the original scale; users pass raw features.
 */

/**
 * Per feature: mean and standard deviation (ddof 0) over the non-missing values of the training rows,
 * weighted by `weights` when given (so a weight of 2 means the same as a repeated row).
 */
export function columnStats(
  X: FeatureMatrix,
  weights?: Float64Array,
): { means: Float64Array; scales: Float64Array } {
  const means = new Float64Array(X.cols);
  const scales = new Float64Array(X.cols).fill(1);
  for (let j = 0; j < X.cols; j++) {
    if (X.categoryCounts[j] > 0) continue;
    const column = X.data.subarray(j * X.rows, (j + 1) * X.rows);
    let count = 0;
    let sum = 0;
    for (let i = 0; i < X.rows; i++) {
      const v = column[i];
      if (v !== v) continue;
      const w = weights ? weights[i] : 1;
      count += w;
      sum += w * v;
    }
    if (!(count > 0)) continue;
    const mean = sum / count;
    // Two passes: the one-pass formula loses digits when the mean is large relative to the spread.
    let squares = 0;
    for (let i = 0; i < X.rows; i++) {
      const v = column[i];
      if (v === v) squares += (weights ? weights[i] : 1) * (v - mean) * (v - mean);
    }
    const std = Math.sqrt(squares / count);
    means[j] = mean;
    // A constant column gets scale 1 (sklearn's rule): it standardises to zeros and gets coefficient 0.
    scales[j] = std > 0 && Number.isFinite(std) ? std : 1;
  }
  return { means, scales };
}

/** The design learnt from training features (and optional row weights): their layout, means and scales. */
export function fitDesign(X: FeatureMatrix, weights?: Float64Array): Design {
  const { means, scales } = columnStats(X, weights);
  return makeDesign([...X.names], Int32Array.from(X.categoryCounts), means, scales);
}

/**
 * The standardised, expanded training columns (column-major rows × width): numeric (x − mean) / scale
 * with missing as 0, categorical as 0/1 one-hot columns. With `center` false numeric columns are only
 * scaled (missing still takes the mean), for fits without an intercept, where centring would add one.
 */
export function designMatrix(design: Design, X: FeatureMatrix, center = true): Float64Array {
  const n = X.rows;
  const Z = new Float64Array(n * designWidth(design));
  for (let j = 0; j < X.cols; j++) {
    const column = X.data.subarray(j * n, (j + 1) * n);
    const k = design.categoryCounts[j];
    const out = design.offsets[j] * n;
    if (k === 0) {
      const mean = design.means[j];
      const shift = center ? mean : 0;
      const scale = design.scales[j];
      for (let i = 0; i < n; i++) {
        const v = column[i];
        Z[out + i] = ((v === v ? v : mean) - shift) / scale;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const code = categoryCode(column[i], k);
        if (code >= 0) Z[out + code * n + i] = 1;
      }
    }
  }
  return Z;
}

/** Flattened [start, end) expanded-column ranges of the one-hot blocks. */
export function oneHotBlocks(design: Design): Int32Array {
  const blocks: number[] = [];
  design.names.forEach((_, j) => {
    if (design.categoryCounts[j] > 0) blocks.push(design.offsets[j], design.offsets[j + 1]);
  });
  return Int32Array.from(blocks);
}

/**
 * Maps K coefficient vectors fitted on standardised columns (row-major K × width, with intercepts)
 * to the original scale: β = β_z / scale, b = b_z − Σ β_z · mean / scale (no shift when the columns
 * were not centred). Returns new arrays.
 */
export function toOriginalScale(
  design: Design,
  beta: Float64Array,
  intercepts: Float64Array,
  center = true,
): { coefficients: Float64Array; intercepts: Float64Array } {
  const width = designWidth(design);
  const coefficients = Float64Array.from(beta);
  const out = Float64Array.from(intercepts);
  for (let k = 0; k < intercepts.length; k++) {
    for (let j = 0; j < design.names.length; j++) {
      if (design.categoryCounts[j] > 0) continue;
      const c = k * width + design.offsets[j];
      coefficients[c] = beta[c] / design.scales[j];
      if (center) out[k] -= coefficients[c] * design.means[j];
    }
  }
  return { coefficients, intercepts: out };
}
