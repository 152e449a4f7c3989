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
}

/** Share of the training rows the candidates are scored on; the test split stays untouched. */
const INNER_VALIDATION = 0.2;

/**
 * algorithm 'auto': fits each algorithm that does the task with its defaults on 80 % of the
 * training rows, scores it on the other 20 %, and keeps the best. Candidates run in registry order
 * (GBDT first) while the time budget lasts; the first always runs.
 */
export async function chooseAlgorithm(input: AutoInput): Promise<AutoChoice> {
  const { task, train, target, spec, random } = input;
  const strata = task === 'regression' ? strataByQuantile(train.y) : strataByClass(train.y);
  const split = trainTestSplit(train.y.length, {
    testFraction: INNER_VALIDATION,
    seed: random.nextUint32(),
    strata,
  });
  const fitX = takeRows(train.X, split.train);
  const fitY = Float64Array.from(split.train, (i) => train.y[i]);
  const validX = takeRows(train.X, split.test);
  const validY = Float64Array.from(split.test, (i) => train.y[i]);
  const candidates = ALGORITHM_REGISTRY.filter((a) => a.tasks.includes(task));
  const deadline = performance.now() + spec.time_budget_s * 1000;
  const trials: AutoTrial[] = [];
  for (const [i, algorithm] of candidates.entries()) {
    if (i > 0 && performance.now() > deadline) break;
    input.progress((0.1 * i) / candidates.length, `auto: trying ${algorithm.name}`);
    const started = performance.now();
    const estimator = await algorithm.fit({
      task,
      X: fitX,
      y: fitY,
      classes: input.classes,
      params: {},
      random: random.fork(),
    });
    const metrics = evaluate(target, validY, estimator.predict(validX));
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
