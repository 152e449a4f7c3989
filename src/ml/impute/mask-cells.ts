import { Random } from '../../core/random.js';
import type { FeatureMatrix } from '../matrix.js';
import { isMissing } from './imputation-report.js';

export interface MaskedCells {
  /** A copy of X with the chosen cells set to NaN. */
  X: FeatureMatrix;
  /** Index into X.data (j · rows + i) of each masked cell, ascending. */
  cells: Uint32Array;
  /** The values that were there. */
  truth: Float64Array;
}

/**
 * Hides floor(fraction × observed) observed cells of the chosen columns (default all), drawn
 * without replacement with a seeded generator: how imputation is scored, by comparing the fills
 * with `truth`.
 */
export function maskAtRandom(
  X: FeatureMatrix,
  fraction: number,
  seed: number,
  columns: readonly number[] = Array.from({ length: X.cols }, (_, j) => j),
): MaskedCells {
  const observed: number[] = [];
  for (const j of columns) {
    for (let i = 0; i < X.rows; i++) {
      const at = j * X.rows + i;
      if (!isMissing(X, j, X.data[at])) observed.push(at);
    }
  }
  const m = Math.floor(fraction * observed.length);
  const random = new Random(seed);
  for (let k = 0; k < m; k++) {
    const pick = k + random.int(observed.length - k);
    const at = observed[pick];
    observed[pick] = observed[k];
    observed[k] = at;
  }
  const cells = Uint32Array.from(observed.slice(0, m)).sort();
  const data = Float64Array.from(X.data);
  const truth = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    truth[k] = data[cells[k]];
    data[cells[k]] = NaN;
  }
  return { X: { ...X, data }, cells, truth };
}

/**
 * Root mean squared error of the fills at the masked cells, per column (NaN for a column with no
 * masked cell): the figure scikit-learn's imputation benchmarks report, column by column.
 */
export function maskedRmse(filled: FeatureMatrix, masked: MaskedCells): Float64Array {
  const sum = new Float64Array(filled.cols);
  const count = new Float64Array(filled.cols);
  for (let k = 0; k < masked.cells.length; k++) {
    const at = masked.cells[k];
    const j = Math.floor(at / filled.rows);
    sum[j] += (filled.data[at] - masked.truth[k]) ** 2;
    count[j]++;
  }
  return sum.map((s, j) => (count[j] > 0 ? Math.sqrt(s / count[j]) : NaN));
}
