import { CairnError } from '../../core/errors.js';
import {
  encodeRows,
  encodingFromJSON,
  encodingToJSON,
  fitDenseEncoding,
  type DenseEncoding,
} from '../../ml/anomaly/dense-encoding.js';
import type { FeatureMatrix } from '../../ml/matrix.js';
import type { FeatureSpec } from '../features.js';

/**
 * The all-numeric input that clustering and projection need, made from a model's feature matrix:
 * numeric features standardised with the training mean and standard deviation (so no unit decides
 * the distances alone), a missing value at the mean, categorical features one-hot. The same geometry
 * the LOF and autoencoder detectors use (ml/anomaly/dense-encoding.ts).
 */
export interface DenseInput {
  readonly encoding: DenseEncoding;
  /** Output column names: a numeric feature's own, `feature=category` per category. */
  readonly names: readonly string[];
}

/** Fits the encoding; `standardize: false` only centres numeric features (a missing value still sits at the mean). */
export function fitDenseInput(X: FeatureMatrix, features: FeatureSpec[], standardize = true): DenseInput {
  const fitted = fitDenseEncoding(X);
  const encoding = standardize ? fitted : { ...fitted, scale: new Float64Array(X.cols).fill(1) };
  const names = features.flatMap((f, j) => {
    const k = X.categoryCounts[j];
    if (k === 0) return [f.name];
    const labels = f.kind === 'categorical' ? f.categories : [];
    return Array.from({ length: k }, (_, c) => `${f.name}=${labels[c] ?? c}`);
  });
  return { encoding, names };
}

/** The encoded rows of X as a column-major numeric FeatureMatrix. */
export function denseMatrix(input: DenseInput, X: FeatureMatrix): FeatureMatrix {
  const width = input.encoding.width;
  if (X.cols !== input.encoding.categoryCounts.length) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `the input has ${X.cols} features; the model was fitted on ${input.encoding.categoryCounts.length}`,
    );
  }
  const rowMajor = encodeRows(input.encoding, X);
  const n = X.rows;
  const data = new Float64Array(n * width);
  for (let i = 0; i < n; i++) for (let c = 0; c < width; c++) data[c * n + i] = rowMajor[i * width + c];
  return { rows: n, cols: width, data, names: [...input.names], categoryCounts: new Int32Array(width) };
}

export function denseInputToJSON(input: DenseInput): Record<string, unknown> {
  return { ...encodingToJSON(input.encoding), names: [...input.names] };
}

export function denseInputFromJSON(json: unknown, format: string): DenseInput {
  const encoding = encodingFromJSON(json, format);
  const names = (json as { names?: unknown }).names;
  if (!Array.isArray(names) || names.length !== encoding.width || names.some((n) => typeof n !== 'string')) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${format} model: 'input.names' is not ${encoding.width} strings`,
    );
  }
  return { encoding, names: names as string[] };
}
