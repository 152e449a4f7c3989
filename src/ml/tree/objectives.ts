import { CairnError } from '../../core/errors.js';
import { weightedMedian, weightedQuantile } from './quantile.js';

/** A loss for boosting. Margins are row-major, `margins[r * outputs + k]`; weights may be null (all 1). */
export interface Objective {
  readonly outputs: number;
  /** Name of the evaluation metric `loss` returns (lower is better). */
  readonly metric: string;
  /** Starting margin per output, from the labels (log-odds of the mean, class priors, mean or median). */
  baseMargin(y: Float64Array, w: Float64Array | null): Float64Array;
  /** Once per round, on the calling thread: a number every row's gradient uses (Huber's delta), else 0. */
  roundParameter(margins: Float64Array, y: Float64Array): number;
  /**
   * Weighted gradient pairs of output k for rows from..to into gh (gh[2r], gh[2r + 1]). Rows are
   * independent, so threads can take disjoint ranges; each round asks output 0 first (multiclass
   * computes the rows' probabilities then and keeps them for the other outputs).
   */
  gradients(
    margins: Float64Array,
    y: Float64Array,
    w: Float64Array | null,
    k: number,
    gh: Float64Array,
    from: number,
    to: number,
    parameter: number,
  ): void;
  /** The evaluation metric on rows with these margins. */
  loss(margins: Float64Array, y: Float64Array, w: Float64Array | null): number;
  /** When present, a leaf's value (before shrinkage) is refit on its rows' residuals (absolute loss). */
  refitLeaf?(
    margins: Float64Array,
    y: Float64Array,
    w: Float64Array | null,
    rows: Uint32Array,
    start: number,
    end: number,
  ): number;
}

const HESSIAN_FLOOR = 1e-16;
const PROBABILITY_FLOOR = 1e-15;

export type ObjectiveName = 'binary' | 'multiclass' | 'regression';
export type RegressionLoss = 'squared' | 'absolute' | 'huber';

/** What defines an objective; workers rebuild their own instance from it. */
export interface ObjectiveSpec {
  readonly name: ObjectiveName;
  readonly numClass: number;
  readonly loss: RegressionLoss;
  readonly huberDelta: number | undefined;
}

export function createObjective(spec: ObjectiveSpec): Objective {
  const { name } = spec;
  const options = spec;
  if (name === 'binary') return binaryObjective;
  if (name === 'multiclass') return multiclassObjective(options.numClass);
  if (options.loss === 'squared') return squaredObjective;
  if (options.loss === 'absolute') return absoluteObjective;
  if (options.loss === 'huber') return huberObjective(options.huberDelta);
  throw new CairnError(
    'INVALID_ARGUMENT',
    `loss '${String(options.loss)}' is not squared, absolute or huber`,
  );
}

function weightAt(w: Float64Array | null, r: number): number {
  return w === null ? 1 : w[r];
}

function weightedMean(y: Float64Array, w: Float64Array | null): number {
  let sum = 0;
  let total = 0;
  for (let r = 0; r < y.length; r++) {
    const wr = weightAt(w, r);
    sum += wr * y[r];
    total += wr;
  }
  return total > 0 ? sum / total : 0;
}

const binaryObjective: Objective = {
  outputs: 1,
  metric: 'logloss',
  baseMargin(y, w) {
    const p = Math.min(Math.max(weightedMean(y, w), 1e-6), 1 - 1e-6);
    return Float64Array.of(Math.log(p / (1 - p)));
  },
  roundParameter: () => 0,
  gradients(margins, y, w, _k, gh, from, to) {
    for (let r = from; r < to; r++) {
      const p = 1 / (1 + Math.exp(-margins[r]));
      const wr = w === null ? 1 : w[r];
      gh[2 * r] = wr * (p - y[r]);
      gh[2 * r + 1] = wr * Math.max(p * (1 - p), HESSIAN_FLOOR);
    }
  },
  loss(margins, y, w) {
    let sum = 0;
    let total = 0;
    for (let r = 0; r < y.length; r++) {
      const p = Math.min(Math.max(1 / (1 + Math.exp(-margins[r])), PROBABILITY_FLOOR), 1 - PROBABILITY_FLOOR);
      const wr = weightAt(w, r);
      sum -= wr * (y[r] === 1 ? Math.log(p) : Math.log(1 - p));
      total += wr;
    }
    return sum / total;
  },
};

function multiclassObjective(K: number): Objective {
  // Probabilities of the rows this instance computed gradients for (a worker fills only its range).
  let probs = new Float64Array(0);
  const softmax = (margins: Float64Array, from: number, to: number, out: Float64Array) => {
    for (let r = from; r < to; r++) {
      const o = r * K;
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, margins[o + k]);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += out[o + k] = Math.exp(margins[o + k] - max);
      for (let k = 0; k < K; k++) out[o + k] /= sum;
    }
    return out;
  };
  return {
    outputs: K,
    metric: 'mlogloss',
    baseMargin(y, w) {
      const counts = new Float64Array(K);
      for (let r = 0; r < y.length; r++) counts[y[r]] += weightAt(w, r);
      const total = counts.reduce((a, b) => a + b, 0);
      return counts.map((c) => Math.log(Math.max(c / total, 1e-6)));
    },
    roundParameter: () => 0,
    gradients(margins, y, w, k, gh, from, to) {
      if (k === 0) {
        if (probs.length !== y.length * K) probs = new Float64Array(y.length * K);
        softmax(margins, from, to, probs);
      }
      for (let r = from; r < to; r++) {
        const p = probs[r * K + k];
        const wr = w === null ? 1 : w[r];
        gh[2 * r] = wr * (p - (y[r] === k ? 1 : 0));
        gh[2 * r + 1] = wr * Math.max(2 * p * (1 - p), HESSIAN_FLOOR);
      }
    },
    loss(margins, y, w) {
      const p = softmax(margins, 0, y.length, new Float64Array(y.length * K));
      let sum = 0;
      let total = 0;
      for (let r = 0; r < y.length; r++) {
        const wr = weightAt(w, r);
        sum -= wr * Math.log(Math.max(p[r * K + y[r]], PROBABILITY_FLOOR));
        total += wr;
      }
      return sum / total;
    },
  };
}

const squaredObjective: Objective = {
  outputs: 1,
  metric: 'rmse',
  baseMargin: (y, w) => Float64Array.of(weightedMean(y, w)),
  roundParameter: () => 0,
  gradients(margins, y, w, _k, gh, from, to) {
    for (let r = from; r < to; r++) {
      const wr = w === null ? 1 : w[r];
      gh[2 * r] = wr * (margins[r] - y[r]);
      gh[2 * r + 1] = wr;
    }
  },
  loss(margins, y, w) {
    let sum = 0;
    let total = 0;
    for (let r = 0; r < y.length; r++) {
      const wr = weightAt(w, r);
      const e = margins[r] - y[r];
      sum += wr * e * e;
      total += wr;
    }
    return Math.sqrt(sum / total);
  },
};

function meanAbsoluteError(margins: Float64Array, y: Float64Array, w: Float64Array | null): number {
  let sum = 0;
  let total = 0;
  for (let r = 0; r < y.length; r++) {
    const wr = weightAt(w, r);
    sum += wr * Math.abs(margins[r] - y[r]);
    total += wr;
  }
  return sum / total;
}

function residualMedian(
  margins: Float64Array,
  y: Float64Array,
  w: Float64Array | null,
  rows: Uint32Array,
  start: number,
  end: number,
): number {
  const residuals = new Float64Array(end - start);
  const weights = w === null ? null : new Float64Array(end - start);
  for (let i = start; i < end; i++) {
    const r = rows[i];
    residuals[i - start] = y[r] - margins[r];
    if (weights !== null) weights[i - start] = w![r]!;
  }
  return weightedMedian(residuals, weights);
}

/** Gradient sign with unit hessians for the split search, then leaves refit to residual medians (as LightGBM and scikit-learn do). */
const absoluteObjective: Objective = {
  outputs: 1,
  metric: 'mae',
  baseMargin: (y, w) =>
    Float64Array.of(weightedMedian(Float64Array.from(y), w === null ? null : Float64Array.from(w))),
  roundParameter: () => 0,
  gradients(margins, y, w, _k, gh, from, to) {
    for (let r = from; r < to; r++) {
      const wr = w === null ? 1 : w[r];
      const e = margins[r] - y[r];
      gh[2 * r] = e > 0 ? wr : e < 0 ? -wr : 0;
      gh[2 * r + 1] = wr;
    }
  },
  loss: meanAbsoluteError,
  refitLeaf: residualMedian,
};

/** Rows used to set an adaptive Huber delta each round. */
const HUBER_SAMPLE = 10_000;

/**
 * Huber loss: squared within delta of the target, absolute beyond. Without a fixed delta, delta is
 * the 90th percentile of |residual| each round (scikit-learn's GradientBoostingRegressor rule),
 * taken on evenly spaced rows.
 */
function huberObjective(fixedDelta: number | undefined): Objective {
  return {
    outputs: 1,
    metric: 'mae',
    baseMargin: (y, w) =>
      Float64Array.of(weightedMedian(Float64Array.from(y), w === null ? null : Float64Array.from(w))),
    roundParameter(margins, y) {
      if (fixedDelta !== undefined) return fixedDelta;
      const step = Math.max(1, Math.floor(y.length / HUBER_SAMPLE));
      const abs = new Float64Array(Math.ceil(y.length / step));
      for (let r = 0, i = 0; r < y.length; r += step) abs[i++] = Math.abs(y[r] - margins[r]);
      return Math.max(weightedQuantile(abs, null, 0.9), 1e-12);
    },
    gradients(margins, y, w, _k, gh, from, to, delta) {
      for (let r = from; r < to; r++) {
        const wr = w === null ? 1 : w[r];
        const e = margins[r] - y[r];
        gh[2 * r] = wr * (e > delta ? delta : e < -delta ? -delta : e);
        gh[2 * r + 1] = wr;
      }
    },
    loss: meanAbsoluteError,
  };
}
