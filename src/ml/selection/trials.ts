import { CairnError } from '../../core/errors.js';
import type { Params } from './space.js';

/**
 * What every search records. Scores are maximised; a NaN score (a diverged fit) ranks below every
 * number. Clocks are injected (`now`, milliseconds, default performance.now) so tests need no wall time.
 */

/**
 * Scores a parameter set trained with `resource` (epochs, trees, rows…); higher is better. Runs one
 * at a time; an error it throws ends the search with that error (catch inside to skip a bad trial).
 */
export type Evaluate = (params: Params, resource: number) => Promise<number> | number;

export interface Budget {
  /** Number of configurations to try (random search: trials; successive halving: first-rung size). */
  trials?: number;
  /** Wall-clock limit: no new evaluation starts once it has passed; a running one is not interrupted. */
  seconds?: number;
}

export interface Trial {
  /** The configuration's number in sampling order; a configuration keeps it across rungs. */
  id: number;
  params: Params;
  resource: number;
  /** 0 for random search; the successive-halving rung otherwise. */
  rung: number;
  score: number;
  seconds: number;
}

export interface SearchResult {
  /** Every evaluation, in the order run. */
  trials: Trial[];
  best: Trial;
  /** Why the search ended: its plan ran out, or a budget did. */
  stoppedBy: 'complete' | 'trials' | 'seconds';
}

/** Milliseconds, monotonic. */
export type Clock = () => number;

export const defaultClock: Clock = () => performance.now();

export function checkBudget(op: string, budget: Budget, requireOne: boolean): void {
  const { trials, seconds } = budget;
  if (trials !== undefined && !(Number.isInteger(trials) && trials >= 1)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${op}: budget.trials is ${trials}; expected a whole number >= 1`,
    );
  }
  if (seconds !== undefined && !(seconds > 0)) {
    throw new CairnError('INVALID_ARGUMENT', `${op}: budget.seconds is ${seconds}; expected a number > 0`);
  }
  if (requireOne && trials === undefined && seconds === undefined) {
    throw new CairnError('INVALID_ARGUMENT', `${op}: budget needs trials or seconds (or both)`);
  }
}

/** Runs one evaluation and times it. */
export async function runTrial(
  op: string,
  evaluate: Evaluate,
  now: Clock,
  trial: Omit<Trial, 'score' | 'seconds'>,
): Promise<Trial> {
  const start = now();
  const score = await evaluate({ ...trial.params }, trial.resource);
  const seconds = (now() - start) / 1000;
  if (typeof score !== 'number') {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${op}: evaluate returned ${typeof score} for trial ${trial.id}; expected a number`,
    );
  }
  return { ...trial, score, seconds };
}

/** Descending by score, NaN last, ties to the earlier trial. */
export function compareTrials(a: Trial, b: Trial): number {
  const sa = Number.isNaN(a.score) ? -Infinity : a.score;
  const sb = Number.isNaN(b.score) ? -Infinity : b.score;
  if (sa !== sb) return sb - sa > 0 ? 1 : -1;
  if (Number.isNaN(a.score) !== Number.isNaN(b.score)) return Number.isNaN(a.score) ? 1 : -1;
  return a.id - b.id;
}

export function bestOf(trials: readonly Trial[]): Trial {
  return [...trials].sort(compareTrials)[0];
}
