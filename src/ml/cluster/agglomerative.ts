import { Random } from '../../core/random.js';
import type { FeatureMatrix } from '../matrix.js';
import { choiceParam, numberParam } from '../linear/validate.js';
import { silhouetteSamples } from '../metrics/cluster-quality.js';
import type { ClusterModel } from './cluster-model.js';
import { assignNearest } from './kmeans.js';
import { centroidWardLinkage, cutTree, matrixLinkage, singleLinkage, type Linkage } from './linkage.js';
import {
  invalid,
  jsonArray,
  jsonNames,
  jsonRecord,
  sampleIndex,
  takePoints,
  toPoints,
  toPointsLike,
  type Points,
} from './points.js';

export interface AgglomerativeParams {
  /** Number of clusters; absent: the k in [2, 10] with the best silhouette, cut from one tree. */
  k?: number;
  /** Default 'ward'. */
  linkage?: Linkage;
  /**
   * Largest input the tree is built on. Defaults: 4,000 rows for complete and average (their
   * distance matrix takes rows² doubles: 128 MB at 4,000), 20,000 for ward and single (above 4,000
   * rows Ward needs O(rows) memory; O(rows² × features) time: tens of seconds at 20,000).
   */
  maxRows?: number;
  /** Above maxRows: build the tree on a seeded sample of maxRows rows and give the other rows the nearest cluster centroid, instead of refusing. Default false. */
  sample?: boolean;
  seed?: number;
}

export const AGGLOMERATIVE_MAX_ROWS: Readonly<Record<Linkage, number>> = {
  ward: 20_000,
  single: 20_000,
  complete: 4_000,
  average: 4_000,
};

/** Above this many rows Ward switches from the matrix chain to the centroid chain (same tree, less memory). */
const WARD_MATRIX_ROWS = 4_000;
const FORMAT = 'cairn-agglomerative';

/**
 * Agglomerative (hierarchical) clustering: builds the whole merge tree once (see linkage.ts) and cuts
 * it into k clusters. The model keeps the tree in scipy's linkage layout for a dendrogram.
 */
export function fitAgglomerative(X: FeatureMatrix, params: AgglomerativeParams = {}): AgglomerativeModel {
  const where = 'fitAgglomerative';
  const linkage = choiceParam(where, 'linkage', params.linkage, 'ward', [
    'ward',
    'complete',
    'average',
    'single',
  ]);
  const maxRows = numberParam(
    where,
    'maxRows',
    params.maxRows,
    AGGLOMERATIVE_MAX_ROWS[linkage],
    3,
    Infinity,
    true,
  );
  const seed = numberParam(where, 'seed', params.seed, 42, -Infinity, Infinity, true);
  const all = toPoints(X, where, 3);
  let treeRows: Uint32Array | undefined;
  if (all.n > maxRows) {
    if (params.sample !== true) {
      throw invalid(
        where,
        `X has ${all.n} rows; ${linkage} linkage is limited to ${maxRows} rows here. ` +
          `Pass sample: true to build the tree on ${maxRows} sampled rows, raise maxRows, or use k-means`,
      );
    }
    const random = new Random(seed);
    treeRows = sampleIndex(all.n, maxRows, () => random.next());
  }
  const P = treeRows === undefined ? all : takePoints(all, treeRows);
  const Z =
    linkage === 'single'
      ? singleLinkage(P)
      : linkage === 'ward' && P.n > WARD_MATRIX_ROWS
        ? centroidWardLinkage(P)
        : matrixLinkage(P, linkage);
  let k: number;
  if (params.k === undefined) k = bestCut(P, Z, seed);
  else k = numberParam(where, 'k', params.k, NaN, 1, P.n, true);
  const treeLabels = cutTree(Z, P.n, k);
  const centroids = clusterCentroids(P, treeLabels, k);
  let labels = treeLabels;
  if (treeRows !== undefined) {
    labels = assignNearest(all, centroids, k).labels;
    treeRows.forEach((row, t) => (labels[row] = treeLabels[t]));
  }
  return AgglomerativeModel.create([...X.names], linkage, k, labels, centroids, Z, treeRows);
}

/** The k in [2, 10] whose cut has the best mean silhouette (on at most 2,000 seeded rows). */
function bestCut(P: Points, Z: Float64Array, seed: number): number {
  const random = new Random(seed);
  const rows = P.n > 2000 ? sampleIndex(P.n, 2000, () => random.next()) : undefined;
  const S = rows === undefined ? P : takePoints(P, rows);
  let bestK = 2;
  let best = -Infinity;
  for (let k = 2; k <= Math.min(10, P.n - 1); k++) {
    const labels = cutTree(Z, P.n, k);
    const code = rows === undefined ? labels : Int32Array.from(rows, (i) => labels[i]);
    const values = silhouetteSamples(S, code, k);
    let mean = 0;
    for (let i = 0; i < values.length; i++) mean += values[i] / values.length;
    if (mean > best) {
      best = mean;
      bestK = k;
    }
  }
  return bestK;
}

function clusterCentroids(P: Points, labels: Int32Array, k: number): Float64Array {
  const { n, d, data } = P;
  const centres = new Float64Array(k * d);
  const sizes = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sizes[labels[i]]++;
    for (let j = 0; j < d; j++) centres[labels[i] * d + j] += data[i * d + j];
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centres[c * d + j] /= sizes[c];
  return centres;
}

export interface AgglomerativeModelJson {
  format: typeof FORMAT;
  version: 1;
  names: string[];
  linkage: Linkage;
  k: number;
  labels: number[];
  /** Row-major k × features: the mean of each cluster's training rows. */
  centroids: number[];
  /** scipy-style linkage matrix, row-major (treeRows − 1) × 4. */
  tree: number[];
  /** Training rows the tree was built on when the input was sampled; absent when it holds every row. */
  treeRows?: number[];
}

/**
 * A fitted agglomerative clustering. Hierarchical clustering defines clusters only for the rows it
 * merged, so `predict` gives a new row the cluster with the nearest centroid (mean of its training
 * rows) — exact for well-separated, roughly round clusters, an approximation for single linkage's
 * chains. `labels` are the training rows' own clusters from the tree.
 */
export class AgglomerativeModel implements ClusterModel {
  readonly algorithm = 'agglomerative';

  private constructor(
    readonly names: readonly string[],
    readonly linkage: Linkage,
    readonly k: number,
    private readonly trainingLabels: Int32Array,
    private readonly centroidData: Float64Array,
    private readonly Z: Float64Array,
    private readonly treeRowIndex: Uint32Array | undefined,
  ) {}

  /** @internal used by fitAgglomerative and fromJSON. */
  static create(
    names: string[],
    linkage: Linkage,
    k: number,
    labels: Int32Array,
    centroids: Float64Array,
    Z: Float64Array,
    treeRows: Uint32Array | undefined,
  ): AgglomerativeModel {
    return new AgglomerativeModel(names, linkage, k, labels, centroids, Z, treeRows);
  }

  /** Cluster of each training row; a copy. */
  get labels(): Int32Array {
    return Int32Array.from(this.trainingLabels);
  }

  /** Cluster centroids, row-major k × features; a copy. */
  get centroids(): Float64Array {
    return Float64Array.from(this.centroidData);
  }

  /**
   * The merge tree as scipy's linkage matrix (row-major (m − 1) × 4: [a, b, distance, size], ids < m
   * are tree rows, m + t the cluster of merge t), for a dendrogram; a copy.
   */
  get tree(): Float64Array {
    return Float64Array.from(this.Z);
  }

  /** The training rows the tree is over (all rows 0..n−1 unless the input was sampled); a copy. */
  get treeRows(): Uint32Array {
    return this.treeRowIndex === undefined
      ? Uint32Array.from({ length: this.Z.length / 4 + 1 }, (_, i) => i)
      : Uint32Array.from(this.treeRowIndex);
  }

  /** The tree rows' clusters for another number of clusters, without refitting. */
  cut(k: number): Int32Array {
    const m = this.Z.length / 4 + 1;
    return cutTree(this.Z, m, numberParam('AgglomerativeModel.cut', 'k', k, NaN, 1, m, true));
  }

  predict(X: FeatureMatrix): Int32Array {
    return assignNearest(toPointsLike(this.names, X, 'AgglomerativeModel.predict'), this.centroidData, this.k)
      .labels;
  }

  toJSON(): AgglomerativeModelJson {
    const json: AgglomerativeModelJson = {
      format: FORMAT,
      version: 1,
      names: [...this.names],
      linkage: this.linkage,
      k: this.k,
      labels: Array.from(this.trainingLabels),
      centroids: Array.from(this.centroidData),
      tree: Array.from(this.Z),
    };
    if (this.treeRowIndex !== undefined) json.treeRows = Array.from(this.treeRowIndex);
    return json;
  }

  static fromJSON(json: unknown): AgglomerativeModel {
    const where = 'AgglomerativeModel.fromJSON';
    const record = jsonRecord(where, json, FORMAT, 1);
    const names = jsonNames(where, record);
    const linkage = choiceParam(where, 'linkage', record.linkage as Linkage, 'ward', [
      'ward',
      'complete',
      'average',
      'single',
    ]);
    const k = numberParam(where, 'k', record.k as number, NaN, 1, Infinity, true);
    const labels = Int32Array.from(jsonArray(where, record, 'labels'));
    const centroids = Float64Array.from(jsonArray(where, record, 'centroids', k * names.length));
    const tree = Float64Array.from(jsonArray(where, record, 'tree'));
    if (tree.length % 4 !== 0) throw invalid(where, "'tree' must hold 4 numbers per merge");
    const treeRows =
      record.treeRows === undefined ? undefined : Uint32Array.from(jsonArray(where, record, 'treeRows'));
    return AgglomerativeModel.create(names, linkage, k, labels, centroids, tree, treeRows);
  }
}
