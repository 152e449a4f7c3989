import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';
import {
  argmax,
  categoryFrequencies,
  columnMoments,
  quantileSorted,
  sortedColumn,
} from '../anomaly/column-stats.js';
import {
  checkColumns,
  checkTraining,
  readHeader,
  readNumbers,
  readStrings,
  toJsonNumbers,
} from '../anomaly/model-io.js';
import { CellLog, isMissing, type ImputationResult } from './imputation-report.js';

export type SimpleStrategy = 'mean' | 'median' | 'mode' | 'constant';

export interface SimpleImputerParams {
  /** Default 'mean'. Categorical columns take their mode under 'mean' and 'median'. */
  strategy: SimpleStrategy;
  /** The fill for 'constant' (every column; for a categorical one, a code), default 0. */
  fillValue: number;
}

const FORMAT = 'cairn-simple-imputer';

/**
 * Learns one fill per column: its mean, median, most frequent value, or a constant. A column
 * with no observed value is filled with 0 (scikit-learn's keep_empty_features) rather than
 * dropped, so the output keeps the input's shape. Confidence: the column's standard deviation
 * (numeric, not for 'constant'), the mode's share of observed rows (categorical).
 */
export function fitSimpleImputer(
  X: FeatureMatrix,
  params: Partial<SimpleImputerParams> = {},
): SimpleImputerModel {
  checkTraining(X, 'fitSimpleImputer', 1);
  const strategy = params.strategy ?? 'mean';
  if (!['mean', 'median', 'mode', 'constant'].includes(strategy)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `fitSimpleImputer: strategy must be 'mean', 'median', 'mode' or 'constant'; got '${String(strategy)}'`,
    );
  }
  const fillValue = params.fillValue ?? 0;
  const d = X.cols;
  const fill = new Float64Array(d);
  const std = new Float64Array(d).fill(NaN);
  const probability = new Float64Array(d).fill(NaN);
  const methods: string[] = [];
  for (let j = 0; j < d; j++) {
    const k = X.categoryCounts[j];
    if (strategy === 'constant') {
      fill[j] = fillValue;
      methods.push('constant');
    } else if (k > 0) {
      const counts = categoryFrequencies(X, j, k);
      const total = counts.reduce((s, c) => s + c, 0);
      fill[j] = total > 0 ? argmax(counts) : 0;
      probability[j] = total > 0 ? counts[fill[j]] / total : NaN;
      methods.push('mode');
    } else {
      const { mean, std: sd, count } = columnMoments(X, j);
      std[j] = sd;
      methods.push(strategy);
      if (count === 0) fill[j] = 0;
      else if (strategy === 'mean') fill[j] = mean;
      else if (strategy === 'median') fill[j] = quantileSorted(sortedColumn(X, j), 0.5);
      else fill[j] = numericMode(sortedColumn(X, j));
    }
  }
  return new SimpleImputerModel(
    [...X.names],
    Int32Array.from(X.categoryCounts),
    fill,
    std,
    probability,
    methods,
  );
}

/** Index into X.data (j · rows + i, ascending) of every missing cell. */
function missingIndex(X: FeatureMatrix): Uint32Array {
  const n = X.rows;
  let count = 0;
  const out = new Uint32Array(X.data.length);
  for (let j = 0; j < X.cols; j++) {
    const from = j * n;
    if (X.categoryCounts[j] === 0) {
      for (let at = from; at < from + n; at++) if (X.data[at] !== X.data[at]) out[count++] = at;
    } else {
      for (let at = from; at < from + n; at++) if (isMissing(X, j, X.data[at])) out[count++] = at;
    }
  }
  return out.subarray(0, count);
}

/** The most frequent value of sorted values, the smallest on ties (scikit-learn's most_frequent). */
function numericMode(sorted: Float64Array): number {
  let best = sorted[0];
  let bestRun = 0;
  for (let i = 0; i < sorted.length;) {
    let e = i;
    while (e < sorted.length && sorted[e] === sorted[i]) e++;
    if (e - i > bestRun) {
      bestRun = e - i;
      best = sorted[i];
    }
    i = e;
  }
  return best;
}

export interface SimpleImputerJson {
  format: typeof FORMAT;
  version: 1;
  names: string[];
  categoryCounts: number[];
  fill: number[];
  std: (number | null)[];
  probability: (number | null)[];
  methods: string[];
}

/** A fitted mean/median/mode/constant imputer: immutable. */
export class SimpleImputerModel {
  /** @internal built by fitSimpleImputer and fromJSON. */
  constructor(
    readonly names: readonly string[],
    private readonly categoryCounts: Int32Array,
    private readonly fill: Float64Array,
    private readonly std: Float64Array,
    private readonly probability: Float64Array,
    private readonly methods: readonly string[],
  ) {}

  /** The fill of each column; a copy. */
  get fills(): Float64Array {
    return Float64Array.from(this.fill);
  }

  /** X with its gaps filled, and the report of what was filled. */
  transform(X: FeatureMatrix): ImputationResult {
    checkColumns(X, this.names, 'SimpleImputerModel.transform');
    const data = Float64Array.from(X.data);
    const n = X.rows;
    const gaps = missingIndex(X);
    const log = new CellLog(this.names, gaps.length);
    for (const at of gaps) {
      const j = Math.floor(at / n);
      data[at] = this.fill[j];
      log.add(at - j * n, j, this.fill[j], this.std[j], this.probability[j], this.methods[j]);
    }
    return { X: { ...X, data }, report: log.report() };
  }

  toJSON(): SimpleImputerJson {
    return {
      format: FORMAT,
      version: 1,
      names: [...this.names],
      categoryCounts: Array.from(this.categoryCounts),
      fill: Array.from(this.fill),
      std: toJsonNumbers(this.std),
      probability: toJsonNumbers(this.probability),
      methods: [...this.methods],
    };
  }

  static fromJSON(json: unknown): SimpleImputerModel {
    const o = readHeader(json, FORMAT);
    const names = readStrings(o, 'names', FORMAT);
    const parts = [
      Int32Array.from(readNumbers(o, 'categoryCounts', FORMAT)),
      readNumbers(o, 'fill', FORMAT),
      readNumbers(o, 'std', FORMAT),
      readNumbers(o, 'probability', FORMAT),
    ] as const;
    const methods = readStrings(o, 'methods', FORMAT);
    if (parts.some((a) => a.length !== names.length) || methods.length !== names.length) {
      throw new CairnError('INVALID_ARGUMENT', `${FORMAT} model: one entry per column expected`);
    }
    return new SimpleImputerModel(names, ...parts, methods);
  }
}
