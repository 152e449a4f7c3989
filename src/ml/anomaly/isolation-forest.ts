import { CairnError } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import type { FeatureMatrix } from '../matrix.js';
import { quantileSorted, sortedColumn } from './column-stats.js';
import {
  addPathLengths,
  isolationWalk,
  type IsolationWalk,
  averagePathLength,
  growIsolationTree,
  type IsolationNodes,
} from './isolation-tree.js';
import {
  checkColumns,
  checkInteger,
  checkNumber,
  checkTraining,
  readHeader,
  readNumber,
  readNumbers,
  readStrings,
} from './model-io.js';
import { flagAnomalies, resolveThreshold, type ThresholdSpec } from './threshold.js';

export interface IsolationForestParams {
  /** Trees, default 100. */
  nEstimators: number;
  /** Rows drawn (without replacement) per tree: a count ≥ 2, or a fraction ≤ 1 of the rows; default min(256, rows). */
  maxSamples: number | 'auto';
  seed: number;
  /** Default: score 0.5, scikit-learn's contamination='auto' cut. */
  threshold: ThresholdSpec | undefined;
}

export const DEFAULT_ISOLATION_FOREST_PARAMS: Readonly<IsolationForestParams> = {
  nEstimators: 100,
  maxSamples: 'auto',
  seed: 42,
  threshold: undefined,
};

const OPERATION = 'fitIsolationForest';
const FORMAT = 'cairn-isolation-forest';

/**
 * Fits an isolation forest. The anomaly score of a row is 2^(−E[h(x)] / c(ψ)), h its path length
 * through a tree and ψ the rows per tree — the paper's score, which is exactly minus
 * scikit-learn's `score_samples`; it lies in (0, 1] and grows with abnormality. Missing values take
 * the feature's training median, since a split needs a side for them and the median side is the
 * least informative; categorical codes are split on as numbers.
 */
export function fitIsolationForest(
  X: FeatureMatrix,
  params: Partial<IsolationForestParams> = {},
): IsolationForestModel {
  checkTraining(X, OPERATION);
  const p = { ...DEFAULT_ISOLATION_FOREST_PARAMS, ...params };
  checkInteger(OPERATION, 'nEstimators', p.nEstimators, 1);
  const psi = sampleSize(p.maxSamples, X.rows);
  const n = X.rows;
  const d = X.cols;
  const medians = new Float64Array(d);
  const data = Float64Array.from(X.data);
  for (let j = 0; j < d; j++) {
    const median = quantileSorted(sortedColumn(X, j), 0.5);
    medians[j] = Number.isNaN(median) ? 0 : median;
    for (let i = j * n; i < (j + 1) * n; i++) if (data[i] !== data[i]) data[i] = medians[j];
  }
  const capacity = p.nEstimators * (2 * psi - 1);
  const nodes: IsolationNodes = {
    feature: new Int32Array(capacity),
    value: new Float64Array(capacity),
    left: new Int32Array(capacity),
  };
  const roots = new Int32Array(p.nEstimators);
  const maxDepth = Math.ceil(Math.log2(Math.max(psi, 2)));
  const random = new Random(p.seed);
  const permutation = new Uint32Array(n);
  for (let i = 0; i < n; i++) permutation[i] = i;
  const sample = new Uint32Array(psi);
  let used = 0;
  for (let t = 0; t < p.nEstimators; t++) {
    for (let k = 0; k < psi; k++) {
      const pick = k + random.int(n - k);
      const row = permutation[pick];
      permutation[pick] = permutation[k];
      permutation[k] = row;
      sample[k] = row;
    }
    roots[t] = used;
    used = growIsolationTree(data, n, d, sample, maxDepth, random, nodes, used);
  }
  const trimmed: IsolationNodes = {
    feature: nodes.feature.slice(0, used),
    value: nodes.value.slice(0, used),
    left: nodes.left.slice(0, used),
  };
  const model = new IsolationForestModel([...X.names], trimmed, roots, psi, medians, 0.5);
  // Scoring the training rows costs as much as the fit; only a contamination rate needs it.
  if (p.threshold === undefined) return model;
  const scores = 'contamination' in p.threshold ? model.score(X) : new Float64Array(0);
  return model.withThreshold(resolveThreshold(p.threshold, scores, 0.5));
}

function sampleSize(maxSamples: number | 'auto', rows: number): number {
  if (maxSamples === 'auto') return Math.min(256, rows);
  if (maxSamples > 0 && maxSamples <= 1) return Math.max(2, Math.floor(maxSamples * rows));
  checkNumber(OPERATION, 'maxSamples', maxSamples, 1);
  checkInteger(OPERATION, 'maxSamples', maxSamples, 2);
  return Math.min(maxSamples, rows);
}

export interface IsolationForestJson {
  format: typeof FORMAT;
  version: 1;
  names: string[];
  sampleSize: number;
  threshold: number;
  medians: number[];
  roots: number[];
  feature: number[];
  value: number[];
  left: number[];
}

/** A fitted isolation forest: immutable; scores rows with the training features in the same order. */
export class IsolationForestModel {
  readonly algorithm = 'isolation_forest';

  /** @internal built by fitIsolationForest and fromJSON. */
  constructor(
    readonly names: readonly string[],
    private readonly nodes: IsolationNodes,
    private readonly roots: Int32Array,
    /** ψ, the rows each tree was grown on. */
    readonly sampleSize: number,
    private readonly medians: Float64Array,
    /** Rows scoring above this are anomalies. */
    readonly threshold: number,
  ) {}

  /** The trees laid out for scoring, on first use. */
  private walk: IsolationWalk | undefined;

  /** Anomaly score per row, in (0, 1]; about 0.5 and below is normal, near 1 is isolated at once. */
  score(X: FeatureMatrix): Float64Array {
    checkColumns(X, this.names, 'IsolationForestModel.score');
    const depths = new Float64Array(X.rows);
    this.walk ??= isolationWalk(this.nodes);
    addPathLengths(this.walk, this.roots, withMedians(X, this.medians), X.rows, depths);
    const scale = this.roots.length * averagePathLength(this.sampleSize);
    for (let i = 0; i < X.rows; i++) depths[i] = 2 ** (-depths[i] / scale);
    return depths;
  }

  /** 1 for rows scoring above the threshold, else 0. */
  isAnomaly(X: FeatureMatrix): Uint8Array {
    return flagAnomalies(this.score(X), this.threshold);
  }

  /** The same forest with another threshold. */
  withThreshold(threshold: number): IsolationForestModel {
    return new IsolationForestModel(
      this.names,
      this.nodes,
      this.roots,
      this.sampleSize,
      this.medians,
      threshold,
    );
  }

  toJSON(): IsolationForestJson {
    return {
      format: FORMAT,
      version: 1,
      names: [...this.names],
      sampleSize: this.sampleSize,
      threshold: this.threshold,
      medians: Array.from(this.medians),
      roots: Array.from(this.roots),
      feature: Array.from(this.nodes.feature),
      value: Array.from(this.nodes.value),
      left: Array.from(this.nodes.left),
    };
  }

  static fromJSON(json: unknown): IsolationForestModel {
    const o = readHeader(json, FORMAT);
    const names = readStrings(o, 'names', FORMAT);
    const feature = Int32Array.from(readNumbers(o, 'feature', FORMAT));
    const value = readNumbers(o, 'value', FORMAT);
    const left = Int32Array.from(readNumbers(o, 'left', FORMAT));
    const roots = Int32Array.from(readNumbers(o, 'roots', FORMAT));
    const medians = readNumbers(o, 'medians', FORMAT);
    const size = feature.length;
    const broken =
      value.length !== size ||
      left.length !== size ||
      medians.length !== names.length ||
      roots.some((r) => r < 0 || r >= size) ||
      feature.some((f, i) => f >= names.length || (f >= 0 && (left[i] <= i || left[i] + 1 >= size)));
    if (broken) {
      throw new CairnError('INVALID_ARGUMENT', `${FORMAT} model: node arrays are inconsistent`);
    }
    return new IsolationForestModel(
      names,
      { feature, value, left },
      roots,
      readNumber(o, 'sampleSize', FORMAT),
      medians,
      readNumber(o, 'threshold', FORMAT),
    );
  }
}

/** X's values with each missing one replaced by its column's median (X itself when none is missing). */
function withMedians(X: FeatureMatrix, medians: Float64Array): Float64Array {
  const { data, rows } = X;
  let filled: Float64Array | null = null;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === data[i]) continue;
    filled ??= data.slice();
    filled[i] = medians[Math.floor(i / rows)];
  }
  return filled ?? data;
}
