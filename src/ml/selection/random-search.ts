import { CairnError } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import { checkSpace, sampleParams, type SearchSpace } from './space.js';
import {
  bestOf,
  checkBudget,
  defaultClock,
  runTrial,
  type Budget,
  type Clock,
  type Evaluate,
  type SearchResult,
  type Trial,
} from './trials.js';

export interface RandomSearchOptions {
  space: SearchSpace;
  /** At least one of trials and seconds. */
  budget: Budget;
  evaluate: Evaluate;
  seed?: number;
  /** Resource passed to every evaluation; default 1. */
  resource?: number;
  now?: Clock;
}

/**
 * Random search: independent draws from the space, evaluated one after another until the trial or
 * time budget runs out. The draws depend on the seed only, so a time budget changes how many
 * configurations are tried, never which ones. Always runs at least one trial.
 */
export async function randomSearch(options: RandomSearchOptions): Promise<SearchResult> {
  const op = 'random_search';
  checkSpace(options.space);
  checkBudget(op, options.budget, true);
  const resource = options.resource ?? 1;
  if (!(resource > 0))
    throw new CairnError('INVALID_ARGUMENT', `${op}: resource is ${resource}; expected a number > 0`);
  const now = options.now ?? defaultClock;
  const random = new Random(options.seed ?? 42);
  const { trials: maxTrials, seconds } = options.budget;
  const start = now();
  const trials: Trial[] = [];
  let stoppedBy: SearchResult['stoppedBy'] = 'trials';
  for (;;) {
    if (maxTrials !== undefined && trials.length >= maxTrials) break;
    if (seconds !== undefined && trials.length > 0 && now() - start >= seconds * 1000) {
      stoppedBy = 'seconds';
      break;
    }
    const params = sampleParams(options.space, random);
    trials.push(await runTrial(op, options.evaluate, now, { id: trials.length, params, resource, rung: 0 }));
  }
  return { trials, best: bestOf(trials), stoppedBy };
}
