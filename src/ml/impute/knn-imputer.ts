import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';
import { columnMoments } from '../anomaly/column-stats.js';
import {
  checkColumns,
  checkInteger,
  checkTraining,
  readHeader,
  readNumber,
  readNumbers,
  readStrings,
  toJsonNumbers,
} from '../anomaly/model-io.js';
import { CellLog, isMissing, type ImputationResult } from './imputation-report.js';

export interface KnnImputerParams {
  /** Neighbours per fill, default 5. */
  k: number;
  /** 'uniform' (default) averages the k donors; 'distance' weights each by 1 / distance. */
  weights: 'uniform' | 'distance';
  /**
   * Measure distances on standardised numeric features (default true). scikit-learn's KNNImputer
   * does not, which lets the feature with the largest units choose the neighbours.
   */
  standardize: boolean;
}

const FORMAT = 'cairn-knn-imputer';

/**
 * k-nearest-neighbour imputation (scikit-learn's KNNImputer): a missing cell takes the mean of
 * that feature over the k training rows nearest to its row that have it. Distance is
 * nan-euclidean, √(d / present · Σ over features both rows have of the squared difference), with
 * a categorical mismatch counting 1; a categorical cell takes the donors' majority code. A cell
 * with no donor takes the column mean (mode). Confidence: the donors' standard deviation, or the
 * majority's share of the votes.
 */
export function fitKnnImputer(X: FeatureMatrix, params: Partial<KnnImputerParams> = {}): KnnImputerModel {
  checkTraining(X, 'fitKnnImputer', 1);
  const k = params.k ?? 5;
  checkInteger('fitKnnImputer', 'k', k, 1);
  const weights = params.weights ?? 'uniform';
  if (weights !== 'uniform' && weights !== 'distance') {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `fitKnnImputer: weights must be 'uniform' or 'distance'; got '${String(weights)}'`,
    );
  }
  const standardize = params.standardize ?? true;
  const n = X.rows;
  const d = X.cols;
  const center = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  const fallback = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const kj = X.categoryCounts[j];
    if (kj > 0) {
      const counts = new Float64Array(kj);
      for (let i = 0; i < n; i++) {
        const v = X.data[j * n + i];
        if (!isMissing(X, j, v)) counts[v]++;
      }
      fallback[j] = counts.indexOf(Math.max(...counts));
      continue;
    }
    const { mean, std } = columnMoments(X, j);
    fallback[j] = Number.isNaN(mean) ? 0 : mean;
    if (standardize) {
      center[j] = fallback[j];
      scale[j] = std > 0 ? std : 1;
    }
  }
  // Column-major like X, scaled, missing as NaN: distances accumulate one feature at a time.
  const train = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) {
      const v = X.data[j * n + i];
      train[j * n + i] = isMissing(X, j, v) ? NaN : (v - center[j]) / scale[j];
    }
  }
  return new KnnImputerModel(
    [...X.names],
    Int32Array.from(X.categoryCounts),
    k,
    weights,
    center,
    scale,
    fallback,
    train,
  );
}

export interface KnnImputerJson {
  format: typeof FORMAT;
  version: 1;
  names: string[];
  categoryCounts: number[];
  k: number;
  weights: 'uniform' | 'distance';
  center: number[];
  scale: number[];
  fallback: number[];
  train: (number | null)[];
}

/** A fitted KNN imputer: holds its (scaled) training rows as the donors. */
export class KnnImputerModel {
  /** @internal built by fitKnnImputer and fromJSON. */
  constructor(
    readonly names: readonly string[],
    private readonly categoryCounts: Int32Array,
    readonly k: number,
    readonly weights: 'uniform' | 'distance',
    private readonly center: Float64Array,
    private readonly scale: Float64Array,
    private readonly fallback: Float64Array,
    private readonly train: Float64Array,
  ) {}

  /** X with its gaps filled from the nearest training rows, and the report. */
  transform(X: FeatureMatrix): ImputationResult {
    checkColumns(X, this.names, 'KnnImputerModel.transform');
    const d = X.cols;
    const rows = X.rows;
    const n = this.train.length / d;
    const data = Float64Array.from(X.data);
    const log = new CellLog(this.names);
    const x = new Float64Array(d);
    const dist = new Float64Array(n);
    const present = new Float64Array(n);
    const missing: number[] = [];
    const bestDist = new Float64Array(this.k);
    const bestRow = new Int32Array(this.k);
    for (let r = 0; r < rows; r++) {
      missing.length = 0;
      for (let j = 0; j < d; j++) {
        const v = data[j * rows + r];
        if (isMissing(X, j, v)) {
          missing.push(j);
          x[j] = NaN;
        } else x[j] = (v - this.center[j]) / this.scale[j];
      }
      if (missing.length === 0) continue;
      nanEuclidean(this.train, n, d, x, this.categoryCounts, dist, present);
      const train = this.train;
      for (const j of missing) {
        let found = 0;
        const column = j * n;
        for (let i = 0; i < n; i++) {
          const di = dist[i];
          if (di !== di || train[column + i] !== train[column + i]) continue;
          if (found < this.k) found++;
          else if (di >= bestDist[found - 1]) continue;
          let at = found - 1;
          while (at > 0 && bestDist[at - 1] > di) {
            bestDist[at] = bestDist[at - 1];
            bestRow[at] = bestRow[at - 1];
            at--;
          }
          bestDist[at] = di;
          bestRow[at] = i;
        }
        const fill = this.fillFrom(j, found, bestDist, bestRow);
        data[j * rows + r] = fill.value;
        log.add(r, j, fill.value, fill.std, fill.probability, found > 0 ? 'knn' : 'mean');
      }
    }
    return { X: { ...X, data }, report: log.report() };
  }

  private fillFrom(
    j: number,
    found: number,
    bestDist: Float64Array,
    bestRow: Int32Array,
  ): { value: number; std: number; probability: number } {
    const n = this.train.length / this.names.length;
    const column = j * n;
    const kj = this.categoryCounts[j];
    if (found === 0) return { value: this.fallback[j], std: NaN, probability: NaN };
    let total = 0;
    const w = new Float64Array(found);
    for (let m = 0; m < found; m++) {
      // A donor at distance 0 takes all the weight, as in scikit-learn's 'distance' weighting.
      w[m] = this.weights === 'uniform' ? 1 : bestDist[m] === 0 ? 1e300 : 1 / Math.sqrt(bestDist[m]);
      total += w[m];
    }
    if (kj > 0) {
      const votes = new Float64Array(kj);
      for (let m = 0; m < found; m++) votes[this.train[column + bestRow[m]]] += w[m];
      let best = 0;
      for (let c = 1; c < kj; c++) if (votes[c] > votes[best]) best = c;
      return { value: best, std: NaN, probability: votes[best] / total };
    }
    let mean = 0;
    for (let m = 0; m < found; m++) mean += w[m] * this.train[column + bestRow[m]];
    mean /= total;
    let ss = 0;
    for (let m = 0; m < found; m++) ss += w[m] * (this.train[column + bestRow[m]] - mean) ** 2;
    const s = this.scale[j];
    return { value: mean * s + this.center[j], std: Math.sqrt(ss / total) * s, probability: NaN };
  }

  toJSON(): KnnImputerJson {
    return {
      format: FORMAT,
      version: 1,
      names: [...this.names],
      categoryCounts: Array.from(this.categoryCounts),
      k: this.k,
      weights: this.weights,
      center: Array.from(this.center),
      scale: Array.from(this.scale),
      fallback: Array.from(this.fallback),
      train: toJsonNumbers(this.train),
    };
  }

  static fromJSON(json: unknown): KnnImputerModel {
    const o = readHeader(json, FORMAT);
    const names = readStrings(o, 'names', FORMAT);
    const d = names.length;
    const train = readNumbers(o, 'train', FORMAT);
    const parts = [
      readNumbers(o, 'center', FORMAT),
      readNumbers(o, 'scale', FORMAT),
      readNumbers(o, 'fallback', FORMAT),
    ];
    const counts = Int32Array.from(readNumbers(o, 'categoryCounts', FORMAT));
    const weights = o.weights === 'distance' ? 'distance' : 'uniform';
    if (parts.some((a) => a.length !== d) || counts.length !== d || train.length % d !== 0) {
      throw new CairnError('INVALID_ARGUMENT', `${FORMAT} model: arrays do not match ${d} columns`);
    }
    return new KnnImputerModel(
      names,
      counts,
      readNumber(o, 'k', FORMAT),
      weights,
      parts[0],
      parts[1],
      parts[2],
      train,
    );
  }
}

/**
 * Squared nan-euclidean distances from x (length d, NaN = missing) to each row of T (column-major,
 * n × d): d / present · Σ squared differences over features both have; NaN when none is shared.
 * A categorical feature (counts[j] > 0) adds 1 for different codes. `present` is scratch (length n).
 */
export function nanEuclidean(
  T: Float64Array,
  n: number,
  d: number,
  x: Float64Array,
  counts: Int32Array,
  out: Float64Array,
  present: Float64Array,
): void {
  out.fill(0);
  present.fill(0);
  for (let j = 0; j < d; j++) {
    const a = x[j];
    if (a !== a) continue;
    const column = j * n;
    const categorical = counts[j] > 0;
    for (let i = 0; i < n; i++) {
      const b = T[column + i];
      if (b !== b) continue;
      present[i]++;
      if (categorical) out[i] += a === b ? 0 : 1;
      else out[i] += (a - b) * (a - b);
    }
  }
  for (let i = 0; i < n; i++) out[i] = present[i] === 0 ? NaN : (out[i] * d) / present[i];
}
