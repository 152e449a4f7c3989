import { Random } from '../../core/random.js';
import type { FeatureMatrix } from '../matrix.js';
import { numberParam } from '../linear/validate.js';
import type { ClusterModel } from './cluster-model.js';
import type { ParallelPool } from '../../core/parallel.js';
import { runRestarts } from './kmeans-restarts.js';
import {
  jsonArray,
  jsonNames,
  jsonRecord,
  nearestCentre,
  toPoints,
  toPointsLike,
  type Points,
} from './points.js';

export interface KMeansParams {
  /** Number of clusters, 1 ≤ k ≤ rows. */
  k: number;
  /** Independent k-means++ starts; the run with the lowest inertia wins. Default 10 (scikit-learn's). */
  nInit?: number;
  /** Lloyd iterations per start. Default 300. */
  maxIterations?: number;
  /** Stop when the total squared centre shift is ≤ tolerance × the mean feature variance. Default 1e-4. */
  tolerance?: number;
  seed?: number;
  /** Worker threads for the restarts (see core/workers/pool.ts); without one, one thread. Same result either way. */
  pool?: ParallelPool;
}

const FORMAT = 'cairn-kmeans';

/**
 * k-means: greedy k-means++ seeding, `nInit` restarts (each with its own seeded generator, spread
 * over `pool`'s threads when given), Lloyd iterations accelerated by Hamerly's bounds in a
 * WebAssembly kernel, or by Elkan's when many centres in many dimensions make a full scan costly (see
 * kmeans-restarts.ts). Features should be on comparable scales (standardise first): distances are
 * Euclidean.
 */
export function fitKMeans(X: FeatureMatrix, params: KMeansParams): KMeansModel {
  const where = 'fitKMeans';
  const k = numberParam(where, 'k', params.k, NaN, 1, X.rows, true);
  const nInit = numberParam(where, 'nInit', params.nInit, 10, 1, 1000, true);
  const maxIterations = numberParam(where, 'maxIterations', params.maxIterations, 300, 1, 1e6, true);
  const tolerance = numberParam(where, 'tolerance', params.tolerance, 1e-4, 0);
  const seed = numberParam(where, 'seed', params.seed, 42, -Infinity, Infinity, true);
  const P = toPoints(X, where, 1);
  const random = new Random(seed);
  const absolute = tolerance * meanVariance(P);
  const seeds = Float64Array.from({ length: nInit }, () => random.nextUint32());
  const chosen = runRestarts(P, k, maxIterations, absolute, seeds, params.pool);
  return KMeansModel.create('kmeans', [...X.names], chosen.centres, chosen.inertia, chosen.iterations, {
    k,
    nInit,
    maxIterations,
    tolerance,
    seed,
  });
}

/** Mean over features of the population variance: the scale scikit-learn's `tol` is relative to. */
export function meanVariance(P: Points): number {
  const { n, d, data } = P;
  let total = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * d + j];
    mean /= n;
    let s = 0;
    for (let i = 0; i < n; i++) s += (data[i * d + j] - mean) ** 2;
    total += s / n;
  }
  return total / d;
}

export interface KMeansModelJson {
  format: typeof FORMAT;
  version: 1;
  algorithm: 'kmeans' | 'minibatch_kmeans';
  names: string[];
  k: number;
  /** Row-major k × features. */
  centres: number[];
  inertia: number;
  iterations: number;
  params: Record<string, number>;
}

/** A fitted k-means (or mini-batch k-means) model: immutable centres; rows go to the nearest centre. */
export class KMeansModel implements ClusterModel {
  private constructor(
    readonly algorithm: 'kmeans' | 'minibatch_kmeans',
    readonly names: readonly string[],
    private readonly centreData: Float64Array,
    readonly k: number,
    /** Sum of squared distances of the training rows to their centres. */
    readonly inertia: number,
    readonly iterations: number,
    readonly params: Readonly<Record<string, number>>,
  ) {}

  /** @internal used by the fit functions and fromJSON. */
  static create(
    algorithm: 'kmeans' | 'minibatch_kmeans',
    names: string[],
    centres: Float64Array,
    inertia: number,
    iterations: number,
    params: Record<string, number>,
  ): KMeansModel {
    const k = centres.length / names.length;
    return new KMeansModel(algorithm, names, centres, k, inertia, iterations, { ...params });
  }

  /** Centres, row-major k × features; a copy. */
  get centres(): Float64Array {
    return Float64Array.from(this.centreData);
  }

  /** The nearest centre of each row of X. */
  predict(X: FeatureMatrix): Int32Array {
    return assignNearest(toPointsLike(this.names, X, 'KMeansModel.predict'), this.centreData, this.k).labels;
  }

  /** Sum of squared distances from the rows of X to their nearest centres. */
  inertiaOf(X: FeatureMatrix): number {
    return assignNearest(toPointsLike(this.names, X, 'KMeansModel.inertiaOf'), this.centreData, this.k)
      .inertia;
  }

  toJSON(): KMeansModelJson {
    return {
      format: FORMAT,
      version: 1,
      algorithm: this.algorithm,
      names: [...this.names],
      k: this.k,
      centres: Array.from(this.centreData),
      inertia: this.inertia,
      iterations: this.iterations,
      params: { ...this.params },
    };
  }

  static fromJSON(json: unknown): KMeansModel {
    const where = 'KMeansModel.fromJSON';
    const record = jsonRecord(where, json, FORMAT, 1);
    const names = jsonNames(where, record);
    const k = numberParam(where, 'k', record.k as number, NaN, 1, Infinity, true);
    const centres = Float64Array.from(jsonArray(where, record, 'centres', k * names.length));
    const algorithm = record.algorithm === 'minibatch_kmeans' ? 'minibatch_kmeans' : 'kmeans';
    const params = (record.params ?? {}) as Record<string, number>;
    return KMeansModel.create(
      algorithm,
      names,
      centres,
      Number(record.inertia),
      Number(record.iterations),
      params,
    );
  }
}

/** Nearest of k centres for every point, with the total squared distance. */
export function assignNearest(
  P: Points,
  centres: Float64Array,
  k: number,
): { labels: Int32Array; inertia: number } {
  const labels = new Int32Array(P.n);
  let inertia = 0;
  for (let i = 0; i < P.n; i++) {
    const near = nearestCentre(P.data, i, centres, k, P.d);
    labels[i] = near.index;
    inertia += near.distance;
  }
  return { labels, inertia };
}
