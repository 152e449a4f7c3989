import type { Random } from '../../core/random.js';
import type { BinnedSet, BoostResult } from './boost.js';
import type { GbdtParams } from './gbdt-params.js';
import { foldOf, holdoutSplit } from './sampling.js';

/** Below this many rows, the number of rounds is chosen by cross-validation rather than one hold-out. */
export const CV_BELOW_ROWS = 10_000;

export interface RoundSearch {
  /** Rounds to fit on all rows. */
  readonly rounds: number;
  /** Validation metric per round (the mean over folds for cross-validation). */
  readonly history: number[];
  /** With one hold-out: the model fitted on the other rows, usable as is when refit is off. */
  readonly holdoutFit: BoostResult | null;
}

export type Run = (train: BinnedSet, valid: BinnedSet | null, rounds: number) => BoostResult;

/**
 * Chooses the number of boosting rounds by early stopping when no validation set is given: on one
 * stratified hold-out of validationFraction of the rows, or — on small data, where a hold-out of a
 * few hundred rows makes the choice a coin toss — on k stratified folds, each stopped early, the
 * rounds minimising the mean validation metric over the rounds all folds ran.
 */
export function searchRounds(
  all: BinnedSet,
  F: number,
  classes: number,
  p: GbdtParams,
  random: Random,
  run: Run,
): RoundSearch {
  const folds = p.cvFolds === 0 ? (all.n < CV_BELOW_ROWS ? 5 : 1) : p.cvFolds;
  if (folds === 1) {
    const split = holdoutSplit(all.y, classes, p.validationFraction, random.fork());
    const fit = run(subset(all, F, split.train), subset(all, F, split.valid), p.nEstimators);
    return { rounds: fit.bestRound + 1, history: fit.evalHistory, holdoutFit: fit };
  }
  const fold = foldOf(all.y, classes, folds, random.fork());
  const curves: number[][] = [];
  for (let k = 0; k < folds; k++) {
    const train: number[] = [];
    const valid: number[] = [];
    for (let r = 0; r < all.n; r++) (fold[r] === k ? valid : train).push(r);
    const fit = run(
      subset(all, F, Uint32Array.from(train)),
      subset(all, F, Uint32Array.from(valid)),
      p.nEstimators,
    );
    curves.push(fit.evalHistory);
  }
  const common = Math.min(...curves.map((c) => c.length));
  const history = Array.from({ length: common }, (_, r) => curves.reduce((sum, c) => sum + c[r], 0) / folds);
  let best = 0;
  for (let r = 1; r < common; r++) if (history[r] < history[best]) best = r;
  return { rounds: best + 1, history, holdoutFit: null };
}

/** The rows `index` of a binned set (bins column-major, F features). */
export function subset(set: BinnedSet, F: number, index: Uint32Array): BinnedSet {
  const m = index.length;
  const bins = new Uint8Array(m * F);
  for (let f = 0; f < F; f++) {
    const from = f * set.n;
    const to = f * m;
    for (let i = 0; i < m; i++) bins[to + i] = set.bins[from + index[i]]!;
  }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) y[i] = set.y[index[i]]!;
  let w: Float64Array | null = null;
  if (set.w !== null) {
    w = new Float64Array(m);
    for (let i = 0; i < m; i++) w[i] = set.w[index[i]]!;
  }
  return { bins, n: m, y, w };
}
