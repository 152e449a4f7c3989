import type { ParallelPool } from '../../core/parallel.js';
import { CairnError } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import { fitAgglomerative, type AgglomerativeParams } from '../../ml/cluster/agglomerative.js';
import { chooseK, type KChoice } from '../../ml/cluster/choose-k.js';
import type { ClusterModel } from '../../ml/cluster/cluster-model.js';
import { fitDbscan } from '../../ml/cluster/dbscan.js';
import { fitGmm, type GmmParams } from '../../ml/cluster/gmm.js';
import { fitKMeans } from '../../ml/cluster/kmeans.js';
import { loadClusterModel } from '../../ml/cluster/load-cluster-model.js';
import { fitMiniBatchKMeans } from '../../ml/cluster/minibatch-kmeans.js';
import { sampleIndex } from '../../ml/cluster/points.js';
import { suggestEps } from '../../ml/cluster/suggest-eps.js';
import { takeRows, type FeatureMatrix } from '../../ml/matrix.js';
import { snakeCase, translateParams } from '../algorithms/params.js';
import type { Estimator } from '../estimator.js';
import type { OutputSpec } from '../target.js';
import { clusterMetrics } from './cluster-metrics.js';
import {
  denseInputFromJSON,
  denseInputToJSON,
  denseMatrix,
  fitDenseInput,
  type DenseInput,
} from './dense-input.js';
import {
  fitProjection,
  project,
  projectionFromJSON,
  projectionMetrics,
  projectionToJSON,
  PROJECTIONS,
  type Projection,
  type ProjectionKind,
} from './projection.js';
import {
  interleave,
  type UnsupervisedAlgorithm,
  type UnsupervisedFitInput,
} from './unsupervised-algorithm.js';

const FORMAT = 'cairn-cluster-estimator';
/** Params every clustering and projection algorithm takes, handled here rather than by the learner. */
const COMMON = ['projection', 'standardize'];
/** Rows chooseK fits every candidate k on for mini-batch k-means (which is for tables too big to fit ten times). */
const CHOOSE_K_ROWS = 5_000;

const CHOOSE_K = ['kMin', 'kMax', 'kMethod'];
const KNOWN: Record<string, string[]> = {
  kmeans: ['k', 'nInit', 'maxIterations', 'tolerance', ...CHOOSE_K],
  minibatch_kmeans: [
    'k',
    'batchSize',
    'maxEpochs',
    'maxNoImprovement',
    'nInit',
    'reassignmentRatio',
    ...CHOOSE_K,
  ],
  dbscan: ['eps', 'minSamples'],
  agglomerative: ['k', 'linkage', 'maxRows', 'sample'],
  gmm: ['k', 'covariance', 'maxIterations', 'tolerance', 'regularization', 'nInit'],
  pca: ['whiten'],
  tsne: ['perplexity', 'earlyExaggeration', 'learningRate', 'maxIterations', 'theta', 'init'],
};
const ALIASES: Record<string, string> = {
  n_clusters: 'k',
  max_iter: 'maxIterations',
  tol: 'tolerance',
  covariance_type: 'covariance',
  reg_covar: 'regularization',
  n_iter: 'maxIterations',
};

interface Clustering {
  model: ClusterModel;
  /** The training rows' clusters as the fit made them (a tree cut, DBSCAN's expansion). */
  labels: Int32Array;
  choice?: KChoice;
}

type Learner = Record<string, unknown>;

function chooseKParams(p: Learner, seed: number) {
  return {
    kMin: p.kMin as number | undefined,
    kMax: p.kMax as number | undefined,
    method: p.kMethod as 'silhouette' | 'elbow' | undefined,
    seed,
  };
}

function fitClustering(
  algorithm: string,
  X: FeatureMatrix,
  p: Learner,
  seed: number,
  pool?: ParallelPool,
): Clustering {
  const k = p.k as number | undefined;
  if (algorithm === 'kmeans') {
    const settings = {
      nInit: p.nInit as number,
      maxIterations: p.maxIterations as number,
      tolerance: p.tolerance as number,
      seed,
      pool,
    };
    if (k !== undefined) {
      const model = fitKMeans(X, { ...settings, k });
      return { model, labels: model.predict(X) };
    }
    const choice = chooseK(X, { ...chooseKParams(p, seed), nInit: settings.nInit, pool });
    // chooseK fits with its own defaults; refit when the spec set the Lloyd parameters.
    const model =
      p.maxIterations !== undefined || p.tolerance !== undefined
        ? fitKMeans(X, { ...settings, k: choice.k })
        : choice.model;
    return { model, labels: model.predict(X), choice };
  }
  if (algorithm === 'minibatch_kmeans') {
    let choice: KChoice | undefined;
    if (k === undefined) {
      const random = new Random(seed);
      const sample =
        X.rows > CHOOSE_K_ROWS
          ? takeRows(
              X,
              sampleIndex(X.rows, CHOOSE_K_ROWS, () => random.next()),
            )
          : X;
      choice = chooseK(sample, { ...chooseKParams(p, seed), nInit: 3 });
    }
    const model = fitMiniBatchKMeans(X, {
      k: k ?? choice!.k,
      batchSize: p.batchSize as number,
      maxEpochs: p.maxEpochs as number,
      maxNoImprovement: p.maxNoImprovement as number,
      nInit: p.nInit as number,
      reassignmentRatio: p.reassignmentRatio as number,
      seed,
    });
    return { model, labels: model.predict(X), choice };
  }
  if (algorithm === 'dbscan') {
    const minSamples = p.minSamples as number | undefined;
    const eps = (p.eps as number | undefined) ?? suggestEps(X, { minSamples, seed }).eps;
    const model = fitDbscan(X, { eps, minSamples });
    return { model, labels: model.labels };
  }
  if (algorithm === 'agglomerative') {
    const model = fitAgglomerative(X, { ...(p as AgglomerativeParams), seed });
    return { model, labels: model.labels };
  }
  const model = fitGmm(X, { ...(p as GmmParams), seed });
  return { model, labels: model.predict(X) };
}

function outputsOf(clusters: boolean, projection: boolean): OutputSpec[] {
  return [
    ...(clusters ? [{ name: 'cluster', type: 'integer' as const }] : []),
    ...(projection
      ? [
          { name: 'x', type: 'double' as const },
          { name: 'y', type: 'double' as const },
        ]
      : []),
  ];
}

/** predict: per row its cluster (−1: DBSCAN noise), then x and y when there is a projection. */
function clusterEstimator(
  algorithm: string,
  input: DenseInput,
  model: ClusterModel | null,
  projection: Projection | null,
): Estimator {
  return {
    algorithm,
    predict(X) {
      const D = denseMatrix(input, X);
      const columns: ArrayLike<number>[] = [];
      if (model !== null) columns.push(model.predict(D));
      if (projection !== null) columns.push(...project(projection, D));
      return interleave(columns, X.rows);
    },
    toJSON: () => ({
      format: FORMAT,
      version: 1,
      algorithm,
      input: denseInputToJSON(input),
      cluster: model?.toJSON() ?? null,
      projection: projection === null ? null : projectionToJSON(projection),
    }),
  };
}

function loadClusterEstimator(json: unknown): Estimator {
  const o = (json ?? {}) as Record<string, unknown>;
  if (o.format !== FORMAT || o.version !== 1) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `not a saved clustering estimator (format '${String(o.format)}')`,
    );
  }
  return clusterEstimator(
    String(o.algorithm),
    denseInputFromJSON(o.input, FORMAT),
    o.cluster === null ? null : loadClusterModel(o.cluster),
    o.projection === null ? null : projectionFromJSON(o.projection),
  );
}

function projectionParam(value: unknown): ProjectionKind | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(PROJECTIONS as readonly unknown[]).includes(value)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `params.projection is ${JSON.stringify(value)}; use pca or tsne`,
    );
  }
  return value as ProjectionKind;
}

function splitCommon(algorithm: string, params: Record<string, unknown>) {
  const learner: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) if (!COMMON.includes(key)) learner[key] = value;
  if (params.standardize !== undefined && typeof params.standardize !== 'boolean') {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `params.standardize is ${JSON.stringify(params.standardize)}; use true or false`,
    );
  }
  if (algorithm === 'dbscan' && (params.k !== undefined || params.n_clusters !== undefined)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      'dbscan finds its own number of clusters; set params.eps (and min_samples), not k',
    );
  }
  return {
    learner: translateParams(algorithm, learner, KNOWN[algorithm], ALIASES),
    projection: projectionParam(params.projection),
    standardize: params.standardize !== false,
  };
}

function clusterAlgorithm(name: string): UnsupervisedAlgorithm {
  const projectionOnly = name === 'pca' || name === 'tsne';
  return {
    name,
    task: 'cluster',
    params: [...COMMON, ...KNOWN[name].map(snakeCase), ...Object.keys(ALIASES)],
    fit({ X, features, params, seed, labels, pool }: UnsupervisedFitInput) {
      const { learner, projection: asked, standardize } = splitCommon(name, params);
      if (projectionOnly && asked !== undefined && asked !== name) {
        throw new CairnError(
          'INVALID_ARGUMENT',
          `algorithm '${name}' is itself a projection; drop params.projection`,
        );
      }
      const input = fitDenseInput(X, features, standardize);
      const D = denseMatrix(input, X);
      const clustering = projectionOnly ? undefined : fitClustering(name, D, learner, seed, pool);
      const kind: ProjectionKind | undefined = projectionOnly ? name : asked;
      const projection =
        kind === undefined ? null : fitProjection(kind, D, projectionOnly ? learner : {}, seed);
      const metrics: Record<string, number> = {};
      const details: Record<string, unknown> = {};
      if (clustering) {
        Object.assign(metrics, clusterMetrics(D, clustering.labels, seed, labels));
        const sizes = new Map<number, number>();
        for (const c of clustering.labels) sizes.set(c, (sizes.get(c) ?? 0) + 1);
        details.sizes = Object.fromEntries([...sizes.entries()].sort((a, b) => a[0] - b[0]));
        if (clustering.choice) {
          details.k_choice = { method: clustering.choice.method, candidates: clustering.choice.candidates };
        }
      }
      if (projection) Object.assign(metrics, projectionMetrics(projection, D, seed));
      return {
        estimator: clusterEstimator(name, input, clustering?.model ?? null, projection),
        outputs: outputsOf(clustering !== undefined, projection !== null),
        metrics,
        details,
      };
    },
    load: loadClusterEstimator,
  };
}

/** k-means, mini-batch k-means, DBSCAN, agglomerative, GMM, and the projections PCA and t-SNE. */
export const CLUSTER_ALGORITHMS: readonly UnsupervisedAlgorithm[] = [
  'kmeans',
  'minibatch_kmeans',
  'dbscan',
  'agglomerative',
  'gmm',
  'pca',
  'tsne',
].map(clusterAlgorithm);
