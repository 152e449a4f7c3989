import { takeRows } from '../ml/matrix.js';
import { randomSearch } from '../ml/selection/random-search.js';
import type { SearchSpace } from '../ml/selection/space.js';
import { successiveHalving } from '../ml/selection/successive-halving.js';
import type { Trial } from '../ml/selection/trials.js';
import { checkParams } from './algorithms.js';
import { innerSplit, type AutoInput } from './auto.js';
import type { Algorithm } from './estimator.js';
import { evaluate, primaryScore } from './evaluate.js';

export interface SearchReport {
  method: 'random' | 'halving';
  /** Every evaluation: its parameters, the share of inner training rows used, the score, seconds. */
  trials: { params: Record<string, unknown>; resource: number; score: number; seconds: number }[];
  /** The spec's params with the best configuration's values over them. */
  best: Record<string, unknown>;
  stoppedBy: string;
}

/** What `auto` gets, plus the algorithm whose parameters are searched. */
export interface TuneInput extends AutoInput {
  algorithm: Algorithm;
}

/** Halving's smallest rung trains on 1/9 of the inner training rows (eta 3, three rungs). */
const ETA = 3;
const MIN_SHARE = 1 / 9;

/**
 * The spec's `search`: each configuration (the spec's params with the drawn values over them) is
 * fitted on 80 % of the training rows — halving: on its rung's share of them — and scored on the
 * other 20 % by the task's primary score (AUC, −log-loss, −RMSE); the test split stays untouched.
 */
export async function searchParams(input: TuneInput): Promise<SearchReport> {
  const { algorithm, task, spec, random, target } = input;
  const search = spec.search!;
  const space = search.space as SearchSpace;
  checkParams(algorithm, { ...spec.params, ...Object.fromEntries(Object.keys(space).map((k) => [k, 0])) });
  const { fit, valid } = innerSplit(task, input.train, random);
  const order = random.shuffle(Uint32Array.from({ length: fit.y.length }, (_, i) => i));
  let done = 0;
  const evaluateParams = async (drawn: Record<string, unknown>, share: number) => {
    const rows = order.subarray(0, Math.max(2, Math.ceil(share * order.length)));
    const estimator = await algorithm.fit({
      task,
      X: share >= 1 ? fit.X : takeRows(fit.X, rows),
      y: share >= 1 ? fit.y : Float64Array.from(rows, (i) => fit.y[i]),
      classes: input.classes,
      params: { ...spec.params, ...drawn },
      random: random.fork(),
      pool: input.pool,
    });
    input.progress(0.1 * Math.min(1, ++done / (search.trials ?? 27)), `search: trial ${done}`);
    return primaryScore(target, evaluate(target, valid.y, estimator.predict(valid.X)));
  };
  const budget = { trials: search.trials, seconds: search.time_budget_s };
  const seed = spec.seed;
  const result =
    search.method === 'random'
      ? await randomSearch({ space, budget, evaluate: evaluateParams, seed })
      : await successiveHalving({
          space,
          budget: { trials: search.trials ?? ETA ** 3, seconds: search.time_budget_s },
          eta: ETA,
          minResource: MIN_SHARE,
          maxResource: 1,
          evaluate: evaluateParams,
          seed,
        });
  return {
    method: search.method,
    trials: result.trials.map((t: Trial) => ({
      params: t.params,
      resource: t.resource,
      score: t.score,
      seconds: t.seconds,
    })),
    best: { ...spec.params, ...result.best.params },
    stoppedBy: result.stoppedBy,
  };
}
