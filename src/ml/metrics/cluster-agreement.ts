import { CairnError } from '../../core/errors.js';

/**
 * Agreement between two labellings of the same rows (ground truth against clusters, or two
 * clusterings): adjusted Rand index and normalised mutual information, as scikit-learn defines them.
 * Labels are any integers (−1 for noise counts as one more label, as in scikit-learn).
 */

interface Contingency {
  n: number;
  /** Counts, row-major rows × cols (rows: labels of a; cols: labels of b). */
  table: Float64Array;
  rows: number;
  cols: number;
  rowSums: Float64Array;
  colSums: Float64Array;
}

function contingency(a: ArrayLike<number>, b: ArrayLike<number>, operation: string): Contingency {
  if (a.length !== b.length) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${operation}: the labellings have ${a.length} and ${b.length} rows`,
    );
  }
  const codeA = codes(a);
  const codeB = codes(b);
  const rows = codeA.count;
  const cols = codeB.count;
  const table = new Float64Array(rows * cols);
  const rowSums = new Float64Array(rows);
  const colSums = new Float64Array(cols);
  for (let i = 0; i < a.length; i++) {
    table[codeA.codes[i] * cols + codeB.codes[i]]++;
    rowSums[codeA.codes[i]]++;
    colSums[codeB.codes[i]]++;
  }
  return { n: a.length, table, rows, cols, rowSums, colSums };
}

/** Labels recoded 0..count−1 in order of first appearance. */
export function codes(labels: ArrayLike<number>): { codes: Int32Array; count: number } {
  const map = new Map<number, number>();
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let code = map.get(labels[i]);
    if (code === undefined) {
      code = map.size;
      map.set(labels[i], code);
    }
    out[i] = code;
  }
  return { codes: out, count: map.size };
}

const pairs = (x: number) => (x * (x - 1)) / 2;

/** Adjusted Rand index: 1 for identical partitions, about 0 for independent ones (can be negative). */
export function adjustedRandIndex(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const c = contingency(truth, predicted, 'adjustedRandIndex');
  // Both labellings a single cluster (or every row its own): scikit-learn's special case, a perfect match.
  if (c.rows === c.cols && (c.rows === 1 || c.rows === c.n)) return 1;
  let sumCells = 0;
  for (let i = 0; i < c.table.length; i++) sumCells += pairs(c.table[i]);
  let sumRows = 0;
  for (let i = 0; i < c.rows; i++) sumRows += pairs(c.rowSums[i]);
  let sumCols = 0;
  for (let j = 0; j < c.cols; j++) sumCols += pairs(c.colSums[j]);
  const expected = (sumRows * sumCols) / pairs(c.n);
  const maximum = (sumRows + sumCols) / 2;
  if (maximum === expected) return 1;
  return (sumCells - expected) / (maximum - expected);
}

function entropy(sums: Float64Array, n: number): number {
  let h = 0;
  for (let i = 0; i < sums.length; i++) {
    if (sums[i] > 0) h -= (sums[i] / n) * Math.log(sums[i] / n);
  }
  return h;
}

/** Mutual information (nats) between two labellings. */
export function mutualInformation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return mutualInformationOf(contingency(a, b, 'mutualInformation'));
}

function mutualInformationOf(c: Contingency): number {
  let mi = 0;
  for (let i = 0; i < c.rows; i++) {
    for (let j = 0; j < c.cols; j++) {
      const nij = c.table[i * c.cols + j];
      if (nij > 0) mi += (nij / c.n) * Math.log((c.n * nij) / (c.rowSums[i] * c.colSums[j]));
    }
  }
  return mi;
}

/**
 * Normalised mutual information with the arithmetic mean of the two entropies as normaliser
 * (scikit-learn's default): 1 for identical partitions, 0 for independent ones.
 */
export function normalizedMutualInformation(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const c = contingency(truth, predicted, 'normalizedMutualInformation');
  if ((c.rows === 1 && c.cols === 1) || (c.rows === c.n && c.cols === c.n)) return 1;
  const mi = mutualInformationOf(c);
  const normaliser = (entropy(c.rowSums, c.n) + entropy(c.colSums, c.n)) / 2;
  return normaliser > 0 ? Math.max(mi, 0) / normaliser : 0;
}
