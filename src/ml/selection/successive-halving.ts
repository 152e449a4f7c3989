import { CairnError } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import { checkSpace, sampleParams, type Params, type SearchSpace } from './space.js';
import {
  bestOf,
  checkBudget,
  compareTrials,
  defaultClock,
  runTrial,
  type Budget,
  type Clock,
  type Evaluate,
  type SearchResult,
  type Trial,
} from './trials.js';

export interface SuccessiveHalvingOptions {
  space: SearchSpace;
  /** trials: configurations in the first rung (default eta^rungs, so one reaches maxResource); seconds: time cap. */
  budget?: Budget;
  /** Keep the best 1/eta at each rung; default 3. */
  eta?: number;
  /** Resource of the first rung, > 0. */
  minResource: number;
  /** Resource of the last rung, >= minResource. */
  maxResource: number;
  evaluate: Evaluate;
  seed?: number;
  now?: Clock;
}

export interface Rung {
  resource: number;
  /** Ids of the configurations evaluated at this rung, in evaluation order. */
  candidates: number[];
}

/**
 * Successive halving (Jamieson & Talwalkar 2016): many configurations on a small resource, the best
 * floor(n / eta) of each rung (at least one) promoted to eta times the resource, until maxResource.
 * Rung i uses minResource × eta^i; the last rung uses maxResource exactly. Resources are rounded to
 * whole numbers when both bounds are whole. `best` is the best trial of the highest rung reached —
 * scores at different resources are not comparable — so when the time budget cuts a rung short, it
 * is the best of the trials that rung finished.
 */
export async function successiveHalving(
  options: SuccessiveHalvingOptions,
): Promise<SearchResult & { rungs: Rung[] }> {
  const op = 'successive_halving';
  checkSpace(options.space);
  const budget = options.budget ?? {};
  checkBudget(op, budget, false);
  const eta = options.eta ?? 3;
  const { minResource, maxResource } = options;
  if (!(eta > 1)) throw new CairnError('INVALID_ARGUMENT', `${op}: eta is ${eta}; expected a number > 1`);
  if (!(minResource > 0 && maxResource >= minResource && Number.isFinite(maxResource))) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${op}: resources are [${minResource}, ${maxResource}]; expected 0 < minResource <= maxResource < Infinity`,
    );
  }
  const resources = rungResources(minResource, maxResource, eta);
  const now = options.now ?? defaultClock;
  const random = new Random(options.seed ?? 42);
  const first = budget.trials ?? Math.round(eta ** (resources.length - 1));
  let survivors: { id: number; params: Params }[] = Array.from({ length: first }, (_, id) => ({
    id,
    params: sampleParams(options.space, random),
  }));

  const start = now();
  const trials: Trial[] = [];
  const rungs: Rung[] = [];
  let stoppedBy: SearchResult['stoppedBy'] = 'complete';
  let lastRung: Trial[] = [];
  outer: for (let rung = 0; rung < resources.length; rung++) {
    const resource = resources[rung];
    const results: Trial[] = [];
    for (const { id, params } of survivors) {
      if (budget.seconds !== undefined && trials.length > 0 && now() - start >= budget.seconds * 1000) {
        stoppedBy = 'seconds';
        if (results.length > 0) lastRung = results;
        break outer;
      }
      const trial = await runTrial(op, options.evaluate, now, { id, params, resource, rung });
      trials.push(trial);
      results.push(trial);
      if (rungs[rung] === undefined) rungs.push({ resource, candidates: [] });
      rungs[rung].candidates.push(id);
    }
    lastRung = results;
    const keep = Math.max(1, Math.floor(results.length / eta));
    const promoted = new Set(
      results
        .sort(compareTrials)
        .slice(0, keep)
        .map((t) => t.id),
    );
    survivors = survivors.filter((s) => promoted.has(s.id));
  }
  return { trials, best: bestOf(lastRung), stoppedBy, rungs };
}

/** minResource × eta^i while below maxResource, then maxResource. */
function rungResources(minResource: number, maxResource: number, eta: number): number[] {
  // The epsilon keeps an exact power (27 / 1 with eta 3) from losing its last rung to rounding.
  const steps = Math.floor(Math.log(maxResource / minResource) / Math.log(eta) + 1e-9);
  const whole = Number.isInteger(minResource) && Number.isInteger(maxResource);
  const resources: number[] = [];
  for (let i = 0; i < steps; i++) {
    const r = minResource * eta ** i;
    resources.push(whole ? Math.round(r) : r);
  }
  resources.push(maxResource);
  return resources;
}
