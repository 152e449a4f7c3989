import { Random } from '../../core/random.js';
import type { FeatureMatrix } from '../matrix.js';
import { numberParam, choiceParam } from '../linear/validate.js';
import {
  invalid,
  jsonArray,
  jsonNames,
  jsonRecord,
  squaredDistance,
  toPoints,
  toPointsLike,
  type Points,
} from '../cluster/points.js';
import { nearestIndices } from '../metrics/trustworthiness.js';
import { fitPca } from './pca.js';
import { QuadTree } from './quadtree.js';
import { calibrateRow, jointAffinities, type SparseAffinities } from './tsne-affinities.js';

export interface TsneParams {
  /** Effective number of neighbours each row attends to; must be below the row count. Default 30. */
  perplexity?: number;
  /** Factor on P during the first 250 iterations, to form well-separated groups early. Default 12. */
  earlyExaggeration?: number;
  /** Step size; default max(rows / earlyExaggeration / 4, 50) (Belkina et al. 2019, scikit-learn's 'auto'). */
  learningRate?: number;
  /** Gradient steps in all (250 of them exaggerated). Default 1000. */
  maxIterations?: number;
  /** Barnes–Hut accuracy: a cell is summarised when side / distance < theta; 0 would be exact. Default 0.5. */
  theta?: number;
  /** 'pca' (default): the first two principal components scaled to std 1e-4, stable across runs; 'random'. */
  init?: 'pca' | 'random';
  seed?: number;
}

const FORMAT = 'cairn-tsne';
const EXPLORATION = 250;

/**
 * t-SNE to two dimensions for scatter plots (van der Maaten & Hinton 2008), Barnes–Hut accelerated
 * (van der Maaten 2014): sparse perplexity-calibrated affinities over ⌊3·perplexity⌋ + 1 neighbours,
 * repulsion through a quadtree, gradient descent with momentum and per-coordinate gains — scikit-learn's
 * schedule (early exaggeration 12 for 250 steps at momentum 0.5, then momentum 0.8).
 */
export function fitTsne(X: FeatureMatrix, params: TsneParams = {}): TsneModel {
  const where = 'fitTsne';
  const P = toPoints(X, where, 4);
  const n = P.n;
  const perplexity = numberParam(where, 'perplexity', params.perplexity, 30, 1e-3);
  if (perplexity >= n)
    throw invalid(where, `'perplexity' is ${perplexity}; it must be below the row count ${n}`);
  const exaggeration = numberParam(where, 'earlyExaggeration', params.earlyExaggeration, 12, 1);
  const learningRate = numberParam(
    where,
    'learningRate',
    params.learningRate,
    Math.max(n / exaggeration / 4, 50),
    1e-9,
  );
  const maxIterations = numberParam(where, 'maxIterations', params.maxIterations, 1000, 1, 1e6, true);
  const theta = numberParam(where, 'theta', params.theta, 0.5, 0, 1);
  const init = choiceParam(where, 'init', params.init, 'pca', ['pca', 'random']);
  const seed = numberParam(where, 'seed', params.seed, 42, -Infinity, Infinity, true);

  const affinities = jointAffinities(P, perplexity);
  const Y = initialEmbedding(X, P, init, seed);
  const klDivergence = optimise(affinities, Y, { exaggeration, learningRate, maxIterations, theta });
  return TsneModel.create([...X.names], P, Y, perplexity, klDivergence, {
    perplexity,
    earlyExaggeration: exaggeration,
    learningRate,
    maxIterations,
    theta,
    init,
    seed,
  });
}

function initialEmbedding(X: FeatureMatrix, P: Points, init: 'pca' | 'random', seed: number): Float64Array {
  const n = P.n;
  const Y = new Float64Array(2 * n);
  if (init === 'random' || P.d < 2) {
    const random = new Random(seed);
    for (let t = 0; t < 2 * n; t++) Y[t] = 1e-4 * random.normal();
    return Y;
  }
  const Z = fitPca(X, { nComponents: 2 }).transform(X);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += Z.data[i] / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (Z.data[i] - mean) ** 2 / n;
  const scale = variance > 0 ? 1e-4 / Math.sqrt(variance) : 1;
  for (let i = 0; i < n; i++) {
    Y[2 * i] = Z.data[i] * scale;
    Y[2 * i + 1] = Z.data[n + i] * scale;
  }
  return Y;
}

interface Schedule {
  exaggeration: number;
  learningRate: number;
  maxIterations: number;
  theta: number;
}

/** Gradient descent on KL(P‖Q) in place on Y (row-major n × 2); returns the final KL divergence. */
function optimise(A: SparseAffinities, Y: Float64Array, s: Schedule): number {
  const n = Y.length / 2;
  const tree = new QuadTree(n);
  const gradient = new Float64Array(2 * n);
  const repulsive = new Float64Array(2 * n);
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  for (let iteration = 0; iteration < s.maxIterations; iteration++) {
    const early = iteration < EXPLORATION;
    const exaggeration = early ? s.exaggeration : 1;
    const momentum = early ? 0.5 : 0.8;
    // The momentum and gains restart when the exaggeration ends, as in scikit-learn's two-stage run.
    if (iteration === EXPLORATION) {
      update.fill(0);
      gains.fill(1);
    }
    tree.build(Y);
    repulsive.fill(0);
    let sumQ = 0;
    for (let t = 0; t < n; t++) sumQ += tree.repulsion(Y, tree.order[t], s.theta, repulsive);
    attraction(A, Y, exaggeration, gradient);
    for (let t = 0; t < 2 * n; t++) {
      const g = 4 * (gradient[t] - repulsive[t] / sumQ);
      const gain = update[t] * g < 0 ? gains[t] + 0.2 : Math.max(gains[t] * 0.8, 0.01);
      gains[t] = gain;
      update[t] = momentum * update[t] - s.learningRate * gain * g;
      Y[t] += update[t];
    }
  }
  return klDivergence(A, Y, tree, s.theta);
}

/** Σ_j p_ij·q_ij·(y_i − y_j) per row with q unnormalised, times the exaggeration, into out. */
function attraction(A: SparseAffinities, Y: Float64Array, exaggeration: number, out: Float64Array): void {
  const n = Y.length / 2;
  for (let i = 0; i < n; i++) {
    const xi = Y[2 * i];
    const yi = Y[2 * i + 1];
    let fx = 0;
    let fy = 0;
    for (let t = A.rowStart[i]; t < A.rowStart[i + 1]; t++) {
      const j = A.cols[t];
      const dx = xi - Y[2 * j];
      const dy = yi - Y[2 * j + 1];
      const pq = (A.values[t] * exaggeration) / (1 + dx * dx + dy * dy);
      fx += pq * dx;
      fy += pq * dy;
    }
    out[2 * i] = fx;
    out[2 * i + 1] = fy;
  }
}

/** KL(P‖Q) over P's entries, with Q's normaliser from the Barnes–Hut sum. */
function klDivergence(A: SparseAffinities, Y: Float64Array, tree: QuadTree, theta: number): number {
  const n = Y.length / 2;
  tree.build(Y);
  const scratch = new Float64Array(2 * n);
  let sumQ = 0;
  for (let i = 0; i < n; i++) sumQ += tree.repulsion(Y, i, theta, scratch);
  let kl = 0;
  for (let i = 0; i < n; i++) {
    for (let t = A.rowStart[i]; t < A.rowStart[i + 1]; t++) {
      const p = A.values[t];
      if (p <= 0) continue;
      const j = A.cols[t];
      const q = 1 / (1 + squaredDistance(Y, i, Y, j, 2)) / sumQ;
      kl += p * Math.log(Math.max(p, 1e-12) / Math.max(q, 1e-12));
    }
  }
  return kl;
}

export interface TsneModelJson {
  format: typeof FORMAT;
  version: 1;
  names: string[];
  perplexity: number;
  klDivergence: number;
  /** Training rows, row-major rows × features (needed to place new rows). */
  points: number[];
  /** Row-major rows × 2. */
  embedding: number[];
  params: Record<string, number | string>;
}

/**
 * A t-SNE embedding and the rows it embeds. t-SNE has no mapping for unseen rows; `transform` places
 * a new row at the affinity-weighted mean of its nearest training rows' positions (the weights
 * calibrated to the same perplexity) — an approximation good enough to drop new rows onto the
 * segment scatter, not a re-optimisation.
 */
export class TsneModel {
  private constructor(
    readonly names: readonly string[],
    private readonly points: Points,
    private readonly Y: Float64Array,
    readonly perplexity: number,
    /** KL(P‖Q) at the end of the optimisation. */
    readonly klDivergence: number,
    readonly params: Readonly<Record<string, number | string>>,
  ) {}

  /** @internal used by fitTsne and fromJSON. */
  static create(
    names: string[],
    points: Points,
    Y: Float64Array,
    perplexity: number,
    klDivergence: number,
    params: Record<string, number | string>,
  ): TsneModel {
    return new TsneModel(names, points, Y, perplexity, klDivergence, { ...params });
  }

  /** The training rows' positions as a rows × 2 FeatureMatrix (x, y). */
  get embedding(): FeatureMatrix {
    return toMatrix(this.Y);
  }

  /** Positions for new rows, placed among the training rows (see the class comment). */
  transform(X: FeatureMatrix): FeatureMatrix {
    const Q = toPointsLike(this.names, X, 'TsneModel.transform');
    const { n, d, data } = this.points;
    const k = Math.min(n, Math.floor(3 * this.perplexity + 1));
    const row = new Float64Array(n);
    const near = new Int32Array(k);
    const distances = new Float64Array(k);
    const weights = new Float64Array(k);
    const out = new Float64Array(2 * Q.n);
    for (let i = 0; i < Q.n; i++) {
      for (let j = 0; j < n; j++) row[j] = squaredDistance(Q.data, i, data, j, d);
      nearestIndices(row, near);
      for (let t = 0; t < k; t++) distances[t] = row[near[t]];
      calibrateRow(distances, Math.min(this.perplexity, Math.max(1, (k - 1) / 3)), weights);
      for (let t = 0; t < k; t++) {
        out[2 * i] += weights[t] * this.Y[2 * near[t]];
        out[2 * i + 1] += weights[t] * this.Y[2 * near[t] + 1];
      }
    }
    return toMatrix(out);
  }

  toJSON(): TsneModelJson {
    return {
      format: FORMAT,
      version: 1,
      names: [...this.names],
      perplexity: this.perplexity,
      klDivergence: this.klDivergence,
      points: Array.from(this.points.data),
      embedding: Array.from(this.Y),
      params: { ...this.params },
    };
  }

  static fromJSON(json: unknown): TsneModel {
    const where = 'TsneModel.fromJSON';
    const record = jsonRecord(where, json, FORMAT, 1);
    const names = jsonNames(where, record);
    const Y = Float64Array.from(jsonArray(where, record, 'embedding'));
    const n = Y.length / 2;
    const points = {
      n,
      d: names.length,
      data: Float64Array.from(jsonArray(where, record, 'points', n * names.length)),
    };
    const perplexity = numberParam(where, 'perplexity', record.perplexity as number, NaN, 1e-3);
    const params = (record.params ?? {}) as Record<string, number | string>;
    return TsneModel.create(names, points, Y, perplexity, Number(record.klDivergence), params);
  }
}

function toMatrix(Y: Float64Array): FeatureMatrix {
  const n = Y.length / 2;
  const data = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    data[i] = Y[2 * i];
    data[n + i] = Y[2 * i + 1];
  }
  return { rows: n, cols: 2, data, names: ['x', 'y'], categoryCounts: new Int32Array(2) };
}
