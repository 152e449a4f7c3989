import type { FeatureMatrix } from '../matrix.js';
import { numberParam } from '../linear/validate.js';
import type { ClusterModel } from './cluster-model.js';
import { KdTree } from './kd-tree.js';
import {
  invalid,
  jsonArray,
  jsonNames,
  jsonRecord,
  takePoints,
  toPoints,
  toPointsLike,
  type Points,
} from './points.js';

export interface DbscanParams {
  /** Neighbourhood radius (Euclidean, in feature units). See suggestEps for a data-driven value. */
  eps: number;
  /** Rows within eps (the row itself included) that make a row a core row. Default 5. */
  minSamples?: number;
}

const FORMAT = 'cairn-dbscan';

/**
 * DBSCAN (Ester et al. 1996) with k-d tree range queries. Clusters are grown from core rows in row
 * order and a border row joins the first cluster that reaches it — scikit-learn's order, so both
 * give the same labels. Noise is −1. Memory stays O(rows): neighbourhoods are queried again when a
 * cluster grows instead of being stored.
 */
export function fitDbscan(X: FeatureMatrix, params: DbscanParams): DbscanModel {
  const where = 'fitDbscan';
  const eps = numberParam(where, 'eps', params.eps, NaN, 0);
  const minSamples = numberParam(where, 'minSamples', params.minSamples, 5, 1, Infinity, true);
  if (!(eps > 0)) throw invalid(where, `'eps' is ${eps}; expected a number > 0`);
  const P = toPoints(X, where, 1);
  const tree = KdTree.build(P);
  const r2 = eps * eps;
  const { n, d, data } = P;
  const core = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (tree.countWithin(data, i * d, r2) >= minSamples) core[i] = 1;

  const labels = new Int32Array(n).fill(-1);
  let clusters = 0;
  const stack: number[] = [];
  for (let seed = 0; seed < n; seed++) {
    if (labels[seed] !== -1 || core[seed] === 0) continue;
    const label = clusters++;
    labels[seed] = label;
    stack.push(seed);
    while (stack.length > 0) {
      const i = stack.pop()!;
      tree.radius(data, i * d, r2, (j) => {
        if (labels[j] !== -1) return;
        labels[j] = label;
        if (core[j] === 1) stack.push(j);
      });
    }
  }
  const coreIndex: number[] = [];
  for (let i = 0; i < n; i++) if (core[i] === 1) coreIndex.push(i);
  const corePoints = takePoints(P, coreIndex);
  const coreLabels = Int32Array.from(coreIndex, (i) => labels[i]);
  return DbscanModel.create([...X.names], eps, minSamples, labels, corePoints, coreLabels, clusters);
}

export interface DbscanModelJson {
  format: typeof FORMAT;
  version: 1;
  names: string[];
  eps: number;
  minSamples: number;
  k: number;
  /** Cluster of each training row, −1 for noise. */
  labels: number[];
  /** Core rows, row-major, and their clusters. */
  corePoints: number[];
  coreLabels: number[];
}

/**
 * A fitted DBSCAN: the training labels and the core rows. DBSCAN itself has no prediction rule;
 * `predict` gives a new row the cluster of its nearest core row within eps, else noise (−1) —
 * a training row's own label except for a border row that two clusters reach.
 */
export class DbscanModel implements ClusterModel {
  readonly algorithm = 'dbscan';
  private tree: KdTree | undefined;

  private constructor(
    readonly names: readonly string[],
    readonly eps: number,
    readonly minSamples: number,
    private readonly trainingLabels: Int32Array,
    private readonly core: Points,
    private readonly coreLabels: Int32Array,
    readonly k: number,
  ) {}

  /** @internal used by fitDbscan and fromJSON. */
  static create(
    names: string[],
    eps: number,
    minSamples: number,
    labels: Int32Array,
    core: Points,
    coreLabels: Int32Array,
    k: number,
  ): DbscanModel {
    return new DbscanModel(names, eps, minSamples, labels, core, coreLabels, k);
  }

  /** Cluster of each training row (−1 noise); a copy. */
  get labels(): Int32Array {
    return Int32Array.from(this.trainingLabels);
  }

  /** Number of core rows. */
  get coreCount(): number {
    return this.core.n;
  }

  predict(X: FeatureMatrix): Int32Array {
    const P = toPointsLike(this.names, X, 'DbscanModel.predict');
    const out = new Int32Array(P.n).fill(-1);
    if (this.core.n === 0) return out;
    this.tree ??= KdTree.build(this.core);
    const index = new Int32Array(1);
    const distance = new Float64Array(1);
    const r2 = this.eps * this.eps;
    for (let i = 0; i < P.n; i++) {
      this.tree.nearest(P.data, i * P.d, 1, index, distance);
      if (distance[0] <= r2) out[i] = this.coreLabels[index[0]];
    }
    return out;
  }

  toJSON(): DbscanModelJson {
    return {
      format: FORMAT,
      version: 1,
      names: [...this.names],
      eps: this.eps,
      minSamples: this.minSamples,
      k: this.k,
      labels: Array.from(this.trainingLabels),
      corePoints: Array.from(this.core.data),
      coreLabels: Array.from(this.coreLabels),
    };
  }

  static fromJSON(json: unknown): DbscanModel {
    const where = 'DbscanModel.fromJSON';
    const record = jsonRecord(where, json, FORMAT, 1);
    const names = jsonNames(where, record);
    const eps = numberParam(where, 'eps', record.eps as number, NaN, 0);
    const minSamples = numberParam(where, 'minSamples', record.minSamples as number, NaN, 1, Infinity, true);
    const k = numberParam(where, 'k', record.k as number, NaN, 0, Infinity, true);
    const labels = Int32Array.from(jsonArray(where, record, 'labels'));
    const coreLabels = Int32Array.from(jsonArray(where, record, 'coreLabels'));
    const d = names.length;
    const coreData = Float64Array.from(jsonArray(where, record, 'corePoints', coreLabels.length * d));
    return DbscanModel.create(
      names,
      eps,
      minSamples,
      labels,
      { n: coreLabels.length, d, data: coreData },
      coreLabels,
      k,
    );
  }
}
