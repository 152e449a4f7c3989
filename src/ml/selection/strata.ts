import { CairnError } from '../../core/errors.js';

/**
 * Strata for stratified splits: one stratum id per row, 0..count-1. Classification stratifies by
 * class; regression by quantile bins of y, so that every split sees the whole range of the target.
 */
export interface Strata {
  /** Stratum of each row. */
  readonly ids: Int32Array;
  readonly count: number;
}

/** One stratum per distinct label, numbered in ascending label order. Labels must not be NaN. */
export function strataByClass(y: ArrayLike<number>): Strata {
  const labels = new Map<number, number>();
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (Number.isNaN(v))
      throw new CairnError('INVALID_ARGUMENT', `strata: label y[${i}] is NaN; drop unlabelled rows first`);
    if (!labels.has(v)) labels.set(v, 0);
  }
  const sorted = [...labels.keys()].sort((a, b) => a - b);
  sorted.forEach((label, id) => labels.set(label, id));
  const ids = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) ids[i] = labels.get(y[i])!;
  return { ids, count: sorted.length };
}

/**
 * Rows ranked by y (ties by row number) and cut into `bins` groups of equal count (default 10; at
 * most one per row). Equal targets may straddle a cut; that keeps the groups equal in size.
 */
export function strataByQuantile(y: ArrayLike<number>, bins = 10): Strata {
  const n = y.length;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new CairnError('INVALID_ARGUMENT', `strata: bins is ${bins}; expected a whole number >= 1`);
  }
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(y[i]))
      throw new CairnError('INVALID_ARGUMENT', `strata: target y[${i}] is NaN; drop unlabelled rows first`);
  }
  const count = Math.max(1, Math.min(bins, n));
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => y[a] - y[b] || a - b);
  const ids = new Int32Array(n);
  for (let rank = 0; rank < n; rank++) ids[order[rank]] = Math.floor((rank * count) / n);
  return { ids, count };
}
