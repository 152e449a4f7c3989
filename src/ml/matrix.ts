/**
 * The input every learner takes: features as one column-major Float64Array. Value of row r,
 * feature j is `data[j * rows + r]`. Missing is NaN (the Frame rule, see core/frame.ts).
 * A categorical feature holds integer codes 0..k-1 as numbers and declares k in `categoryCounts`;
 * a code outside 0..k-1 is a category unseen in training and is treated like a missing value.
 */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
  readonly names: readonly string[];
  /** Per feature: k for a categorical feature with codes 0..k-1, 0 for a numeric one. */
  readonly categoryCounts: Int32Array;
}

/** Builds a FeatureMatrix from columns (each `rows` long); `categoryCounts` defaults to all numeric. */
export function featureMatrix(
  columns: readonly ArrayLike<number>[],
  names: readonly string[],
  categoryCounts: ArrayLike<number> = new Int32Array(columns.length),
): FeatureMatrix {
  const cols = columns.length;
  const rows = cols === 0 ? 0 : columns[0].length;
  const data = new Float64Array(rows * cols);
  columns.forEach((column, j) => {
    if (column.length !== rows) {
      throw new RangeError(
        `feature '${names[j]}' has ${column.length} rows; feature '${names[0]}' has ${rows}`,
      );
    }
    data.set(column, j * rows);
  });
  return { rows, cols, data, names, categoryCounts: Int32Array.from(categoryCounts) };
}

/** The rows `index` of a matrix, as a new matrix (for splits and folds). */
export function takeRows(matrix: FeatureMatrix, index: ArrayLike<number>): FeatureMatrix {
  const n = index.length;
  const data = new Float64Array(n * matrix.cols);
  for (let j = 0; j < matrix.cols; j++) {
    const from = j * matrix.rows;
    const to = j * n;
    for (let i = 0; i < n; i++) data[to + i] = matrix.data[from + index[i]]!;
  }
  return { ...matrix, rows: n, data };
}

/** Row r as a dense vector (length cols), e.g. for single-row prediction and explanations. */
export function rowOf(matrix: FeatureMatrix, r: number, out = new Float64Array(matrix.cols)): Float64Array {
  for (let j = 0; j < matrix.cols; j++) out[j] = matrix.data[j * matrix.rows + r]!;
  return out;
}
