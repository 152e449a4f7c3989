import type { ParallelPool } from '../core/parallel.js';
import type { Random } from '../core/random.js';
import { takeRows, type FeatureMatrix } from '../ml/matrix.js';
import { trainTestSplit } from '../ml/selection/split.js';
import { strataByClass, strataByQuantile } from '../ml/selection/strata.js';
import { ALGORITHM_REGISTRY } from './algorithms.js';
import { evaluate, primaryScore } from './evaluate.js';
import type { ModelSpec, SupervisedTask } from './spec.js';
import type { TargetInfo } from './target.js';

export interface AutoTrial {
  algorithm: string;
  params: Record<string, unknown>;
  /** The score compared: AUC (binary), −log-loss (multiclass), −RMSE (regression), on the inner validation rows. */
  score: number;
  seconds: number;
}

export interface AutoChoice {
  algorithm: string;
  params: Record<string, unknown>;
  trials: AutoTrial[];
}

export interface AutoInput {
  task: SupervisedTask;
  classes: number;
  train: { X: FeatureMatrix; y: Float64Array };
  target: TargetInfo;
  spec: ModelSpec;
  random: Random;
  progress: (fraction: number, message?: string) => void;
  pool?: ParallelPool;
}

/** Share of the training rows candidates are scored on; the test split stays untouched. */
const INNER_VALIDATION = 0.2;

export interface InnerSplit {
  fit: { X: FeatureMatrix; y: Float64Array };
  valid: { X: FeatureMatrix; y: Float64Array };
}

/** The training rows split 80/20 (stratified by class or by target quantile) for choosing among candidates. */
export function innerSplit(
  task: SupervisedTask,
  train: { X: FeatureMatrix; y: Float64Array },
  random: Random,
): InnerSplit {
  const strata = task === 'regression' ? strataByQuantile(train.y) : strataByClass(train.y);
  const split = trainTestSplit(train.y.length, {
    testFraction: INNER_VALIDATION,
    seed: random.nextUint32(),
    strata,
  });
  const part = (rows: Uint32Array) => ({
    X: takeRows(train.X, rows),
    y: Float64Array.from(rows, (i) => train.y[i]),
  });
  return { fit: part(split.train), valid: part(split.test) };
}

/**
 * algorithm 'auto': fits each algorithm that does the task with its defaults on 80 % of the
 * training rows, scores it on the other 20 %, and keeps the best. Candidates run in registry order
 * (GBDT first) while the time budget lasts; the first always runs.
 */
export async function chooseAlgorithm(input: AutoInput): Promise<AutoChoice> {
  const { task, train, target, spec, random } = input;
  const { fit, valid } = innerSplit(task, train, random);
  const candidates = ALGORITHM_REGISTRY.filter((a) => a.tasks.includes(task));
  const deadline = performance.now() + spec.time_budget_s * 1000;
  const trials: AutoTrial[] = [];
  for (const [i, algorithm] of candidates.entries()) {
    if (i > 0 && performance.now() > deadline) break;
    input.progress((0.1 * i) / candidates.length, `auto: trying ${algorithm.name}`);
    const started = performance.now();
    const estimator = await algorithm.fit({
      task,
      X: fit.X,
      y: fit.y,
      classes: input.classes,
      params: {},
      random: random.fork(),
      pool: input.pool,
    });
    const metrics = evaluate(target, valid.y, estimator.predict(valid.X));
    trials.push({
      algorithm: algorithm.name,
      params: {},
      score: primaryScore(target, metrics),
      seconds: (performance.now() - started) / 1000,
    });
  }
  const best = trials.reduce((a, b) => (b.score > a.score ? b : a));
  return { algorithm: best.algorithm, params: best.params, trials };
}
