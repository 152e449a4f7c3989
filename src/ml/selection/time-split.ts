import { CairnError } from '../../core/errors.js';
import type { Fold } from './kfold.js';

/**
 * Splits in time order for data where the future must not leak into training (fraud, churn over
 * time, forecasting): train on earlier rows, test on later ones. `order` is one number per row —
 * a timestamp, a day number, a sequence id. Rows with equal order values are one group and never
 * straddle a cut (all transactions of one instant, or one batch, land on the same side); a cut
 * moves back to the start of its group. Index arrays are in time order (ties by row number).
 */
export interface TimeSplitOptions {
  /** Share of the rows, the latest ones, held out; in (0, 1), default 0.25. */
  testFraction?: number;
  /** Leave out of training the rows less than `gap` (in order units) before the first test row; default 0. */
  gap?: number;
}

export interface TimeSplit extends Fold {
  /** Order value of the first test row: train rows are all earlier than it (minus the gap). */
  readonly cutoff: number;
}

export function timeOrderedSplit(order: ArrayLike<number>, options: TimeSplitOptions = {}): TimeSplit {
  const testFraction = options.testFraction ?? 0.25;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `time_split: testFraction is ${testFraction}; expected a number in (0, 1)`,
    );
  }
  const sorted = sortByOrder('time_split', order);
  const n = sorted.length;
  const cut = groupStart(order, sorted, n - Math.max(1, Math.round(testFraction * n)));
  if (cut === 0) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      'time_split: every row before the cut shares one order value; nothing is earlier to train on',
    );
  }
  return splitAt(order, sorted, 0, cut, n, options.gap ?? 0);
}

/**
 * Expanding-window folds (scikit-learn's TimeSeriesSplit): the rows in time order are cut into
 * folds + 1 blocks; fold f trains on blocks 0..f and tests on block f + 1.
 */
export function timeSeriesFolds(
  order: ArrayLike<number>,
  options: { folds?: number; gap?: number } = {},
): TimeSplit[] {
  const folds = options.folds ?? 5;
  const sorted = sortByOrder('time_series_folds', order);
  const n = sorted.length;
  if (!Number.isInteger(folds) || folds < 2 || folds + 1 > n) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `time_series_folds: folds is ${folds}; expected a whole number from 2 to ${n - 1}`,
    );
  }
  const cuts = Array.from({ length: folds + 2 }, (_, b) =>
    groupStart(order, sorted, Math.round((b * n) / (folds + 1))),
  );
  const out: TimeSplit[] = [];
  for (let f = 0; f < folds; f++) {
    if (cuts[f + 1] > 0 && cuts[f + 2] > cuts[f + 1]) {
      out.push(splitAt(order, sorted, 0, cuts[f + 1], cuts[f + 2], options.gap ?? 0));
    }
  }
  if (out.length === 0)
    throw new CairnError('INVALID_ARGUMENT', 'time_series_folds: every row shares one order value');
  return out;
}

function sortByOrder(op: string, order: ArrayLike<number>): Uint32Array {
  for (let i = 0; i < order.length; i++) {
    if (Number.isNaN(order[i]))
      throw new CairnError('INVALID_ARGUMENT', `${op}: order[${i}] is NaN; every row needs a time`);
  }
  if (order.length < 2)
    throw new CairnError('INVALID_ARGUMENT', `${op}: needs at least 2 rows, got ${order.length}`);
  return Uint32Array.from({ length: order.length }, (_, i) => i).sort((a, b) => order[a] - order[b] || a - b);
}

/** Moves a cut position back to the first row of its group of equal order values. */
function groupStart(order: ArrayLike<number>, sorted: Uint32Array, position: number): number {
  let p = Math.min(Math.max(position, 0), sorted.length);
  while (p > 0 && p < sorted.length && order[sorted[p - 1]] === order[sorted[p]]) p--;
  return p;
}

function splitAt(
  order: ArrayLike<number>,
  sorted: Uint32Array,
  from: number,
  cut: number,
  to: number,
  gap: number,
): TimeSplit {
  const cutoff = order[sorted[cut]];
  let end = cut;
  while (gap > 0 && end > from && order[sorted[end - 1]] > cutoff - gap) end--;
  if (end === from) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `time_split: a gap of ${gap} before ${cutoff} leaves no rows to train on`,
    );
  }
  return { train: sorted.slice(from, end), test: sorted.slice(cut, to), cutoff };
}
