import type { FeatureMatrix } from '../matrix.js';

/**
 * What an imputer filled: per column how many cells and by which method, and per filled cell its
 * row, column, value and confidence. Confidence has two forms because the two kinds of column
 * need different ones: `std` is a predictive standard deviation in the column's units (numeric
 * columns; NaN when the method gives none, as for a constant), `probability` the probability of
 * the chosen category (categorical columns; NaN for numeric ones).
 */
export interface ImputationReport {
  columns: ColumnFill[];
  cells: FilledCells;
}

export interface ColumnFill {
  column: string;
  /** Cells filled in this column. */
  filled: number;
  /** How: 'mean', 'median', 'mode', 'constant', 'knn', 'gaussian_em', 'bayesian_ridge', 'logistic', 'gbdt', 'forest'. */
  method: string;
}

export interface FilledCells {
  rows: Uint32Array;
  cols: Uint32Array;
  values: Float64Array;
  std: Float64Array;
  probability: Float64Array;
}

export interface ImputationResult {
  /** A copy of the input with every gap filled (a column with nothing to learn from gets 0). */
  X: FeatureMatrix;
  report: ImputationReport;
}

/** The missing cells of X: NaN, or a categorical code outside 0..k−1 (an unseen category). */
export function isMissing(X: FeatureMatrix, j: number, v: number): boolean {
  if (v !== v) return true;
  const k = X.categoryCounts[j];
  return k > 0 && !(Number.isInteger(v) && v >= 0 && v < k);
}

/**
 * Collects filled cells as an imputer writes them, then builds the report. An imputer that knows
 * how many cells it will fill passes that `capacity`: the arrays are then allocated once and handed
 * to the report as they are, with no growing or trimming copies (the log is done after report()).
 */
export class CellLog {
  private size = 0;
  private rows: Uint32Array;
  private cols: Uint32Array;
  private values: Float64Array;
  private std: Float64Array;
  private probability: Float64Array;
  private readonly counts: Int32Array;
  private readonly methods: string[];

  constructor(
    private readonly names: readonly string[],
    capacity = 64,
  ) {
    this.counts = new Int32Array(names.length);
    this.methods = names.map(() => '');
    const c = Math.max(capacity, 1);
    this.rows = new Uint32Array(c);
    this.cols = new Uint32Array(c);
    this.values = new Float64Array(c);
    this.std = new Float64Array(c);
    this.probability = new Float64Array(c);
  }

  /** Records one filled cell; the last method recorded for a column names it in the report. */
  add(row: number, col: number, value: number, std: number, probability: number, method: string): void {
    if (this.size === this.rows.length) this.grow();
    const at = this.size++;
    this.rows[at] = row;
    this.cols[at] = col;
    this.values[at] = value;
    this.std[at] = std;
    this.probability[at] = probability;
    this.counts[col]++;
    this.methods[col] = method;
  }

  private grow(): void {
    const double = <T extends Uint32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.rows = double(this.rows);
    this.cols = double(this.cols);
    this.values = double(this.values);
    this.std = double(this.std);
    this.probability = double(this.probability);
  }

  report(): ImputationReport {
    const n = this.size;
    const exact = n === this.rows.length;
    const take = <T extends Uint32Array | Float64Array>(a: T): T => (exact ? a : (a.slice(0, n) as T));
    return {
      columns: this.names
        .map((column, j) => ({ column, filled: this.counts[j], method: this.methods[j] }))
        .filter((c) => c.filled > 0),
      cells: {
        rows: take(this.rows),
        cols: take(this.cols),
        values: take(this.values),
        std: take(this.std),
        probability: take(this.probability),
      },
    };
  }
}
