import { CairnError } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import type { FeatureMatrix } from '../matrix.js';
import { binMatrix, fitBins } from './binning.js';
import type { TreeEnsemble } from './ensemble.js';
import { forestTreeGrower } from './forest-grow.js';
import { normaliseRows, RandomForestModel } from './forest-model.js';
import {
  drawsPerTree,
  featuresPerSplit,
  resolveForestParams,
  type RandomForestParams,
} from './forest-params.js';
import { oobAccuracy, oobAverage, oobRSquared } from './forest-oob.js';
import { combineWeights } from './sampling.js';
import type { Tree } from './tree.js';

export { RandomForestModel, type ForestJson } from './forest-model.js';
export { DEFAULT_FOREST_PARAMS, type ForestTask, type RandomForestParams } from './forest-params.js';

/** Parameters of a single tree: a forest's, less the ensemble ones. */
export type DecisionTreeParams = Omit<RandomForestParams, 'nEstimators' | 'bootstrap' | 'maxSamples'>;

export interface FitForestOptions {
  /** Sample weights (≥ 0), one per row. */
  weights?: Float64Array;
  /** Called after each tree (each bootstrap sample). */
  onProgress?: (trees: number, total: number) => void;
}

/**
 * Fits a random forest (Breiman 2001, scikit-learn's defaults) to X and y: binary labels 0/1,
 * multiclass codes 0..K−1, regression real values. Each tree is a CART tree on a bootstrap sample,
 * drawing `maxFeatures` features at every split, on the GBDT's bins and split search (see
 * forest-grow.ts); missing values (NaN) learn a default direction at every split and categorical
 * features get LightGBM-style category-set splits. Binary and regression trees are exact CART
 * (binary Gini = 2 × variance of the 0/1 label). Multiclass grows one tree per class on each
 * bootstrap sample, regressing that class's indicator (one-vs-rest Gini), because the shared split
 * search scores one target; the outputs are the averaged class frequencies. Out-of-bag predictions
 * average the trees whose sample left a row out.
 */
export function fitRandomForest(
  X: FeatureMatrix,
  y: Float64Array,
  params: Partial<RandomForestParams> & Pick<RandomForestParams, 'task'>,
  options: FitForestOptions = {},
): RandomForestModel {
  checkRows(X, y, options.weights);
  const p = resolveForestParams(params, y);
  checkLabels(y, p);
  return fitForest(X, y, p, options);
}

/**
 * Fits one CART tree: a forest of one tree on all rows, every feature considered at every split
 * (by default; maxFeatures may still draw). Same model type; oobScore is NaN.
 */
export function fitDecisionTree(
  X: FeatureMatrix,
  y: Float64Array,
  params: Partial<DecisionTreeParams> & Pick<DecisionTreeParams, 'task'>,
  options: FitForestOptions = {},
): RandomForestModel {
  return fitRandomForest(
    X,
    y,
    {
      ...params,
      maxFeatures: params.maxFeatures ?? 1,
      nEstimators: 1,
      bootstrap: false,
      maxSamples: undefined,
    },
    options,
  );
}

function fitForest(
  X: FeatureMatrix,
  y: Float64Array,
  p: RandomForestParams,
  options: FitForestOptions,
): RandomForestModel {
  const n = X.rows;
  const task = p.task;
  const K = task === 'multiclass' ? p.numClass : 1;
  const classes = task === 'regression' ? 0 : task === 'binary' ? 2 : p.numClass;
  const random = new Random(p.seed);
  const mapper = fitBins(X, p.maxBins, random.fork());
  const bins = binMatrix(X, mapper);
  const weights = combineWeights(y, options.weights, p.classWeights, classes);
  const grow = forestTreeGrower(bins, n, mapper, {
    maxDepth: p.maxDepth,
    minSamplesLeaf: p.minSamplesLeaf,
    minSamplesSplit: p.minSamplesSplit,
    maxFeatures: featuresPerSplit(p, X.cols),
  });
  // Regression trees fit y minus its weighted mean (kept as the base margin) so that sums of squares stay well conditioned.
  const base = new Float64Array(K);
  if (task === 'regression') base[0] = weightedMean(y, weights);
  const T = p.nEstimators;
  const draws = drawsPerTree(p, n);
  const counts = new Float64Array(n);
  const gh = new Float64Array(2 * n);
  const oobSum = p.bootstrap ? new Float64Array(n * K) : null;
  const oobTrees = p.bootstrap ? new Uint32Array(n) : null;
  const trees: Tree[] = [];
  const treeOutput: number[] = [];
  for (let t = 0; t < T; t++) {
    const treeRandom = random.fork();
    if (p.bootstrap) {
      counts.fill(0);
      for (let d = 0; d < draws; d++) counts[treeRandom.int(n)]++;
    } else {
      counts.fill(1);
    }
    for (let k = 0; k < K; k++) {
      for (let r = 0; r < n; r++) {
        const w = counts[r] * (weights === null ? 1 : weights[r]);
        const target = task === 'regression' ? y[r] - base[0] : task === 'binary' ? y[r] : y[r] === k ? 1 : 0;
        gh[2 * r] = -w * target;
        gh[2 * r + 1] = w;
      }
      const grown = grow(gh, treeRandom);
      if (oobSum !== null) {
        for (let r = 0; r < n; r++) {
          if (counts[r] === 0) oobSum[r * K + k] += grown.value[grown.leafOfBinned(bins, n, r)];
        }
      }
      const tree = grown.toTree(mapper);
      for (let i = 0; i < tree.value.length; i++) tree.value[i] /= T;
      trees.push(tree);
      treeOutput.push(k);
    }
    if (oobTrees !== null) for (let r = 0; r < n; r++) if (counts[r] === 0) oobTrees[r]++;
    options.onProgress?.(t + 1, T);
  }
  const ensemble: TreeEnsemble = {
    objective: 'regression',
    outputs: K,
    baseMargin: base,
    trees,
    treeOutput: Int32Array.from(treeOutput),
    featureNames: [...X.names],
    categoryCounts: Int32Array.from(X.categoryCounts),
  };
  let oobPredictions: Float64Array | null = null;
  let oobScore = NaN;
  if (oobSum !== null && oobTrees !== null) {
    oobPredictions = oobAverage(oobSum, oobTrees, base, K);
    if (task === 'multiclass') normaliseRows(oobPredictions, K);
    oobScore = task === 'regression' ? oobRSquared(y, oobPredictions) : oobAccuracy(y, oobPredictions, K);
  }
  return new RandomForestModel(ensemble, p, oobScore, oobPredictions);
}

function weightedMean(y: Float64Array, w: Float64Array | null): number {
  let sw = 0;
  let swy = 0;
  for (let r = 0; r < y.length; r++) {
    const wr = w === null ? 1 : w[r];
    sw += wr;
    swy += wr * y[r];
  }
  return sw > 0 ? swy / sw : 0;
}

function checkRows(X: FeatureMatrix, y: Float64Array, weights: Float64Array | undefined): void {
  if (X.rows !== y.length) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `random forest: X has ${X.rows} rows but y has ${y.length} labels`,
    );
  }
  if (X.rows < 2 || X.cols < 1) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `random forest: X has ${X.rows} rows × ${X.cols} features; a forest needs ≥ 2 rows and ≥ 1 feature`,
    );
  }
  if (X.data.length !== X.rows * X.cols || X.categoryCounts.length !== X.cols || X.names.length !== X.cols) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `random forest: X is malformed: its data, names or categoryCounts do not match ${X.rows} × ${X.cols}`,
    );
  }
  if (weights === undefined) return;
  if (weights.length !== X.rows) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `random forest: weights have ${weights.length} values for ${X.rows} rows`,
    );
  }
  for (let r = 0; r < weights.length; r++) {
    if (!(weights[r] >= 0) || weights[r] === Infinity) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `random forest: weight at row ${r} is ${weights[r]}; weights must be finite and ≥ 0`,
      );
    }
  }
}

function checkLabels(y: Float64Array, p: RandomForestParams): void {
  for (let r = 0; r < y.length; r++) {
    const v = y[r];
    const ok =
      p.task === 'binary'
        ? v === 0 || v === 1
        : p.task === 'multiclass'
          ? Number.isInteger(v) && v >= 0 && v < p.numClass
          : Number.isFinite(v);
    if (!ok) {
      const expected =
        p.task === 'binary'
          ? '0 or 1'
          : p.task === 'multiclass'
            ? `a class code 0..${p.numClass - 1}`
            : 'a finite number';
      throw new CairnError(
        'INVALID_ARGUMENT',
        `random forest: label at row ${r} is ${v}; task '${p.task}' needs ${expected}`,
      );
    }
  }
}
