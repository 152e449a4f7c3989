import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';
import {
  encodeRows,
  encodingFromJSON,
  encodingToJSON,
  fitDenseEncoding,
  type DenseEncoding,
} from './dense-encoding.js';
import { buildNeighborIndex, type NeighborIndex } from './kd-tree.js';
import {
  checkColumns,
  checkInteger,
  checkTraining,
  readHeader,
  readNumber,
  readNumbers,
  readStrings,
} from './model-io.js';
import { flagAnomalies, resolveThreshold, type ThresholdSpec } from './threshold.js';

export interface LofParams {
  /** Neighbours k, default 20 (scikit-learn's); capped at rows − 1. */
  k: number;
  /** Default: score 1.5, scikit-learn's contamination='auto' cut. */
  threshold: ThresholdSpec | undefined;
}

const FORMAT = 'cairn-lof';
const OPERATION = 'fitLof';
/** Added to mean reachability distances, as scikit-learn does, so duplicates do not divide by 0. */
const EPS = 1e-10;

/**
 * Local outlier factor (Breunig et al. 2000). With k-distance(o) the distance from o to its k-th
 * neighbour and reach(a, o) = max(k-distance(o), d(a, o)), a point's local reachability density is
 * 1 / mean over its k neighbours of reach, and its LOF the mean density of its neighbours divided
 * by its own: about 1 inside a cluster, larger for a point sparser than its neighbourhood.
 * `trainingScores` are the training rows' LOFs (each row's neighbours exclude itself:
 * scikit-learn's negative_outlier_factor_, negated); `score` treats rows as new (novelty), their
 * neighbours found among the training rows. Features are standardised/one-hot (dense-encoding.ts).
 */
export function fitLof(X: FeatureMatrix, params: Partial<LofParams> = {}): LofModel {
  checkTraining(X, OPERATION, 3);
  const k = Math.min(params.k ?? 20, X.rows - 1);
  checkInteger(OPERATION, 'k', k, 1);
  const encoding = fitDenseEncoding(X);
  const points = encodeRows(encoding, X);
  const n = X.rows;
  const p = encoding.width;
  const index = buildNeighborIndex(points, n, p);
  const neighbours = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  const dist = new Float64Array(k);
  const idx = new Int32Array(k);
  const kDistance = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    index.query(points.subarray(i * p, (i + 1) * p), k, i, dist, idx);
    neighbours.set(idx, i * k);
    distances.set(dist, i * k);
    kDistance[i] = dist[k - 1];
  }
  const lrd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let m = 0; m < k; m++) sum += Math.max(kDistance[neighbours[i * k + m]], distances[i * k + m]);
    lrd[i] = 1 / (sum / k + EPS);
  }
  const training = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let m = 0; m < k; m++) sum += lrd[neighbours[i * k + m]];
    training[i] = sum / k / lrd[i];
  }
  const threshold = resolveThreshold(params.threshold, training, 1.5);
  return new LofModel([...X.names], encoding, points, index, k, kDistance, lrd, training, threshold);
}

export interface LofJson {
  format: typeof FORMAT;
  version: 1;
  names: string[];
  encoding: Record<string, number[]>;
  k: number;
  points: number[];
  kDistance: number[];
  lrd: number[];
  trainingScores: number[];
  threshold: number;
}

/** A fitted LOF detector: holds its encoded training rows and their densities. */
export class LofModel {
  /** @internal built by fitLof and fromJSON. */
  constructor(
    readonly names: readonly string[],
    private readonly encoding: DenseEncoding,
    private readonly points: Float64Array,
    private readonly index: NeighborIndex,
    readonly k: number,
    private readonly kDistance: Float64Array,
    private readonly lrd: Float64Array,
    private readonly training: Float64Array,
    /** Rows scoring above this are anomalies. */
    readonly threshold: number,
  ) {}

  /** The training rows' LOFs (each without itself among its neighbours); a copy. */
  get trainingScores(): Float64Array {
    return Float64Array.from(this.training);
  }

  /** LOF of each row of X as a new point against the training rows; about 1 is normal. */
  score(X: FeatureMatrix): Float64Array {
    checkColumns(X, this.names, 'LofModel.score');
    const p = this.encoding.width;
    const rows = encodeRows(this.encoding, X);
    const k = this.k;
    const dist = new Float64Array(k);
    const idx = new Int32Array(k);
    const out = new Float64Array(X.rows);
    for (let r = 0; r < X.rows; r++) {
      this.index.query(rows.subarray(r * p, (r + 1) * p), k, -1, dist, idx);
      let reach = 0;
      let density = 0;
      for (let m = 0; m < k; m++) {
        reach += Math.max(this.kDistance[idx[m]], dist[m]);
        density += this.lrd[idx[m]];
      }
      out[r] = (density / k) * (reach / k + EPS);
    }
    return out;
  }

  /** 1 for rows scoring above the threshold, else 0. */
  isAnomaly(X: FeatureMatrix): Uint8Array {
    return flagAnomalies(this.score(X), this.threshold);
  }

  toJSON(): LofJson {
    return {
      format: FORMAT,
      version: 1,
      names: [...this.names],
      encoding: encodingToJSON(this.encoding),
      k: this.k,
      points: Array.from(this.points),
      kDistance: Array.from(this.kDistance),
      lrd: Array.from(this.lrd),
      trainingScores: Array.from(this.training),
      threshold: this.threshold,
    };
  }

  static fromJSON(json: unknown): LofModel {
    const o = readHeader(json, FORMAT);
    const names = readStrings(o, 'names', FORMAT);
    const encoding = encodingFromJSON(o.encoding, FORMAT);
    const points = readNumbers(o, 'points', FORMAT);
    const kDistance = readNumbers(o, 'kDistance', FORMAT);
    const lrd = readNumbers(o, 'lrd', FORMAT);
    const training = readNumbers(o, 'trainingScores', FORMAT);
    const n = kDistance.length;
    const k = readNumber(o, 'k', FORMAT);
    if (
      points.length !== n * encoding.width ||
      lrd.length !== n ||
      training.length !== n ||
      !(k >= 1 && k < n)
    ) {
      throw new CairnError('INVALID_ARGUMENT', `${FORMAT} model: point and density arrays do not agree`);
    }
    const index = buildNeighborIndex(points, n, encoding.width);
    return new LofModel(
      names,
      encoding,
      points,
      index,
      k,
      kDistance,
      lrd,
      training,
      readNumber(o, 'threshold', FORMAT),
    );
  }
}
