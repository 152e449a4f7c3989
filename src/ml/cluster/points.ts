import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';

/**
 * Points as the clustering and projection kernels see them: row-major, `n` rows of `d` values
 * (point i is `data[i * d .. i * d + d)`). Distance kernels read one point at a time, so a
 * row-major copy keeps each point's values contiguous; the FeatureMatrix itself is column-major.
 */
export interface Points {
  readonly n: number;
  readonly d: number;
  readonly data: Float64Array;
}

export function invalid(operation: string, message: string): CairnError {
  return new CairnError('INVALID_ARGUMENT', `${operation}: ${message}`);
}

/**
 * A row-major copy of X for distance-based learners. Missing values and categorical features are
 * refused, not guessed: distances over NaN or over category codes mean nothing, so the caller imputes
 * (ml/impute) and one-hot encodes (features/) first.
 */
export function toPoints(X: FeatureMatrix, operation: string, minRows = 1): Points {
  const { rows: n, cols: d } = X;
  if (X.data.length !== n * d || X.names.length !== d || X.categoryCounts.length !== d) {
    throw invalid(operation, `X is not a ${n} × ${d} feature matrix (data, names or categoryCounts)`);
  }
  if (n < minRows) throw invalid(operation, `X has ${n} rows; at least ${minRows} are needed`);
  if (d === 0) throw invalid(operation, 'X has no features');
  const data = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    if (X.categoryCounts[j] > 0) {
      throw invalid(
        operation,
        `feature '${X.names[j]}' is categorical; one-hot encode it before clustering or projecting`,
      );
    }
    const column = X.data.subarray(j * n, (j + 1) * n);
    for (let i = 0; i < n; i++) {
      const v = column[i];
      if (!Number.isFinite(v)) {
        throw invalid(
          operation,
          `feature '${X.names[j]}' holds ${v} at row ${i}; impute missing values before clustering or projecting`,
        );
      }
      data[i * d + j] = v;
    }
  }
  return { n, d, data };
}

/** Checks that X has the features a model was fitted on, in the same order, and returns its points. */
export function toPointsLike(names: readonly string[], X: FeatureMatrix, operation: string): Points {
  if (X.cols !== names.length || X.names.some((name, j) => name !== names[j])) {
    throw invalid(
      operation,
      `X has features [${X.names.join(', ')}]; the model was fitted on [${names.join(', ')}]`,
    );
  }
  return toPoints(X, operation, 0);
}

/** Squared Euclidean distance between point a of A and point b of B (both d wide, row-major). */
export function squaredDistance(A: Float64Array, a: number, B: Float64Array, b: number, d: number): number {
  const ao = a * d;
  const bo = b * d;
  // Four independent sums let the CPU overlap the multiply-adds; V8 does not vectorise this loop.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    const t0 = A[ao + j] - B[bo + j];
    const t1 = A[ao + j + 1] - B[bo + j + 1];
    const t2 = A[ao + j + 2] - B[bo + j + 2];
    const t3 = A[ao + j + 3] - B[bo + j + 3];
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
  }
  for (; j < d; j++) {
    const t = A[ao + j] - B[bo + j];
    s0 += t * t;
  }
  return s0 + s1 + (s2 + s3);
}

/** The points `index` of P as a new row-major block. */
export function takePoints(P: Points, index: ArrayLike<number>): Points {
  const { d } = P;
  const data = new Float64Array(index.length * d);
  for (let i = 0; i < index.length; i++) data.set(P.data.subarray(index[i] * d, index[i] * d + d), i * d);
  return { n: index.length, d, data };
}

/** `count` distinct row indices out of n, seeded, in increasing order (for sampling large inputs). */
export function sampleIndex(n: number, count: number, next: () => number): Uint32Array {
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(next() * (n - i));
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  return all.subarray(0, count).sort();
}

/** Index of the nearest of k centres (row-major k × d) to point i of P, and its squared distance. */
export function nearestCentre(
  P: Float64Array,
  i: number,
  centres: Float64Array,
  k: number,
  d: number,
): { index: number; distance: number } {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < k; c++) {
    const dist = squaredDistance(P, i, centres, c, d);
    if (dist < bestDistance) {
      bestDistance = dist;
      best = c;
    }
  }
  return { index: best, distance: bestDistance };
}

/** A parsed JSON record's array of numbers, or INVALID_ARGUMENT naming the key. */
export function jsonArray(
  where: string,
  record: Record<string, unknown>,
  key: string,
  length?: number,
): number[] {
  const list = record[key];
  if (
    !Array.isArray(list) ||
    (length !== undefined && list.length !== length) ||
    !list.every((v) => typeof v === 'number' && Number.isFinite(v))
  ) {
    throw invalid(where, `'${key}' must be an array of ${length ?? 'any number of'} finite numbers`);
  }
  return list as number[];
}

/** Checks a saved model's `format` and `version` and returns it as a record. */
export function jsonRecord(
  where: string,
  json: unknown,
  format: string,
  version: number,
): Record<string, unknown> {
  if (typeof json !== 'object' || json === null) throw invalid(where, 'expected a JSON object');
  const record = json as Record<string, unknown>;
  if (record.format !== format) {
    throw invalid(where, `'format' is ${JSON.stringify(record.format)}; expected '${format}'`);
  }
  if (record.version !== version) {
    throw invalid(
      where,
      `'version' is ${JSON.stringify(record.version)}; this build reads version ${version}`,
    );
  }
  return record;
}

/** Feature names from a saved model. */
export function jsonNames(where: string, record: Record<string, unknown>): string[] {
  const names = record.names;
  if (!Array.isArray(names) || !names.every((v) => typeof v === 'string')) {
    throw invalid(where, "'names' must be an array of feature names");
  }
  return names;
}

/**
 * The point farthest from its own centre among clusters with more than one point (scikit-learn's
 * choice for refilling an empty cluster), or −1 when there is none.
 */
export function farthestMovablePoint(
  data: Float64Array,
  centres: Float64Array,
  labels: Int32Array,
  counts: Int32Array | Float64Array,
  n: number,
  d: number,
): number {
  let far = -1;
  let farDistance = -1;
  for (let i = 0; i < n; i++) {
    if (counts[labels[i]] <= 1) continue;
    const dist = squaredDistance(data, i, centres, labels[i], d);
    if (dist > farDistance) {
      farDistance = dist;
      far = i;
    }
  }
  return far;
}
