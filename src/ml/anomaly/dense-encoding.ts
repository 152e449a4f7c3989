import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';
import { columnMoments } from './column-stats.js';
import { readNumbers } from './model-io.js';

/**
 * The geometry the distance- and network-based detectors (LOF, autoencoder) work in: numeric
 * features standardised with the training mean and standard deviation (a missing value sits at
 * the mean, 0), categorical features one-hot (a missing or unseen code is all zeros). Without
 * scaling the feature with the largest units would decide every distance.
 */
export interface DenseEncoding {
  categoryCounts: Int32Array;
  mean: Float64Array;
  scale: Float64Array;
  /** Width of an encoded row. */
  width: number;
}

export function fitDenseEncoding(X: FeatureMatrix): DenseEncoding {
  const d = X.cols;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  let width = 0;
  for (let j = 0; j < d; j++) {
    const k = X.categoryCounts[j];
    if (k > 0) {
      width += k;
      continue;
    }
    width++;
    const m = columnMoments(X, j);
    mean[j] = Number.isNaN(m.mean) ? 0 : m.mean;
    scale[j] = m.std > 0 ? m.std : 1;
  }
  return { categoryCounts: Int32Array.from(X.categoryCounts), mean, scale, width };
}

/** The encoded rows of X, row-major (rows × width). */
export function encodeRows(encoding: DenseEncoding, X: FeatureMatrix): Float64Array {
  const { categoryCounts, mean, scale, width } = encoding;
  const n = X.rows;
  const out = new Float64Array(n * width);
  let c = 0;
  for (let j = 0; j < X.cols; j++) {
    const k = categoryCounts[j];
    const from = j * n;
    if (k > 0) {
      for (let i = 0; i < n; i++) {
        const v = X.data[from + i];
        if (Number.isInteger(v) && v >= 0 && v < k) out[i * width + c + v] = 1;
      }
      c += k;
    } else {
      for (let i = 0; i < n; i++) {
        const v = X.data[from + i];
        out[i * width + c] = v === v ? (v - mean[j]) / scale[j] : 0;
      }
      c++;
    }
  }
  return out;
}

export function encodingToJSON(encoding: DenseEncoding): Record<string, number[]> {
  return {
    categoryCounts: Array.from(encoding.categoryCounts),
    mean: Array.from(encoding.mean),
    scale: Array.from(encoding.scale),
  };
}

export function encodingFromJSON(json: unknown, format: string): DenseEncoding {
  const o = (json ?? {}) as Record<string, unknown>;
  const categoryCounts = Int32Array.from(readNumbers(o, 'categoryCounts', format));
  const mean = readNumbers(o, 'mean', format);
  const scale = readNumbers(o, 'scale', format);
  if (mean.length !== categoryCounts.length || scale.length !== categoryCounts.length) {
    throw new CairnError('INVALID_ARGUMENT', `${format} model: encoding arrays differ in length`);
  }
  let width = 0;
  for (const k of categoryCounts) width += k > 0 ? k : 1;
  return { categoryCounts, mean, scale, width };
}
