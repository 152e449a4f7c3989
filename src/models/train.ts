import type { ParallelPool } from '../core/parallel.js';
import { Random } from '../core/random.js';
import type { Database } from '../warehouse/database.js';
import { algorithmNamed, checkParams } from './algorithms.js';
import { chooseAlgorithm, type AutoTrial } from './auto.js';
import { summarizeFeatures } from './data-summary.js';
import { evaluate, evaluationDetails } from './evaluate.js';
import { inlineFitter, type Fitter } from './fit-thread.js';
import type { DroppedColumn } from './features.js';
import { saveVersion } from './save.js';
import { isUnsupervised, type ModelSpec } from './spec.js';
import { searchParams, type SearchReport } from './tune.js';
import { prepareTrainingData } from './training-data.js';
import { trainUnsupervised } from './unsupervised/train-unsupervised.js';

export interface TrainReport {
  model: string;
  version: number;
  task: string;
  algorithm: string;
  metrics: Record<string, number>;
  rows: { train: number; test: number };
  features: string[];
  dropped: DroppedColumn[];
  /** algorithm 'auto': every candidate tried, with its validation score. */
  candidates?: AutoTrial[];
  /** The spec's `search`: every configuration tried and the parameters kept. */
  search?: SearchReport;
  /** Unsupervised tasks: what the fit reports beside its metrics (cluster sizes, k tried, fills). */
  details?: Record<string, unknown>;
  seconds: number;
}

export interface TrainOptions {
  onProgress?: (fraction: number, message?: string) => void;
  /** Where the final fit runs: this thread (default) or its own (threadFitter, for servers). */
  fitter?: Fitter;
  /** Worker threads for fits on this thread (the CLI passes one; a threadFitter's fit does not use it). */
  pool?: ParallelPool;
}

/**
 * Trains a spec into a new immutable registry version: reads the data, holds out the test split,
 * fits the algorithm (or chooses one within the time budget), scores the held-out rows, and
 * stores the artifact and the version with its metrics, parameters and data fingerprint.
 * Unsupervised tasks (cluster, anomaly, impute) go to trainUnsupervised.
 */
export async function trainModel(
  db: Database,
  artifactsDir: string,
  spec: ModelSpec,
  options: TrainOptions = {},
): Promise<TrainReport> {
  if (isUnsupervised(spec.task)) return trainUnsupervised(db, artifactsDir, spec, options);
  const started = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  progress(0, 'reading data');
  const data = await prepareTrainingData(db, spec);
  const task = data.target.task;
  const classes = data.target.classes?.length ?? 0;
  const random = new Random(spec.seed);
  let algorithmName: string = spec.algorithm;
  let params = spec.params;
  let candidates: AutoTrial[] | undefined;
  if (algorithmName === 'auto') {
    const choice = await chooseAlgorithm({
      task,
      classes,
      train: data.train,
      target: data.target,
      spec,
      random,
      progress,
      pool: options.pool,
    });
    algorithmName = choice.algorithm;
    params = choice.params;
    candidates = choice.trials;
  }
  const algorithm = algorithmNamed(algorithmName, task);
  let search: SearchReport | undefined;
  if (spec.search !== undefined) {
    search = await searchParams({
      algorithm,
      task,
      classes,
      train: data.train,
      target: data.target,
      spec,
      random,
      progress,
      pool: options.pool,
    });
    params = search.best;
  }
  checkParams(algorithm, params);
  progress(0.1, `fitting ${algorithm.name}`);
  // The same draw as random.fork(), so a fitter in another thread rebuilds the same generator.
  const seed = random.nextUint32();
  const fit = options.fitter ?? inlineFitter;
  const estimator = await fit(
    algorithm,
    {
      task,
      X: data.train.X,
      y: data.train.y,
      classes,
      params,
      random: new Random(seed),
      onProgress: (fraction, message) => progress(0.1 + 0.85 * fraction, message),
      pool: options.pool,
    },
    seed,
  );
  const testPredictions = estimator.predict(data.test.X);
  const metrics = { ...evaluate(data.target, data.test.y, testPredictions), ...estimator.fitMetrics };
  const evaluation = {
    ...evaluationDetails(
      data.target,
      data.test.y,
      testPredictions,
      data.features.map((f) => f.name),
      estimator.importance?.(),
    ),
    training: summarizeFeatures(data.train.X),
  };
  const version = await saveVersion(db, artifactsDir, {
    name: spec.name,
    algorithm: algorithm.name,
    target: data.target,
    features: data.features,
    estimator,
    metrics,
    evaluation,
    params,
    spec: spec,
    data: data.fingerprint,
    seed: spec.seed,
    started,
  });
  progress(1, 'done');
  return {
    model: spec.name,
    version,
    task,
    algorithm: algorithm.name,
    metrics,
    rows: { train: data.train.y.length, test: data.test.y.length },
    features: data.features.map((f) => f.name),
    dropped: data.dropped,
    candidates,
    search,
    seconds: (performance.now() - started) / 1000,
  };
}
