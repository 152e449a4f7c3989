import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';
import { fitLogistic, LogisticModel } from '../linear/logistic.js';
import { fitGbdt, GbdtModel, type GbdtJson, type GbdtParams } from '../tree/gbdt.js';
import {
  fitRandomForest,
  RandomForestModel,
  type ForestJson,
  type RandomForestParams,
} from '../tree/forest.js';
import { BayesianRidgeModel, fitBayesianRidge } from './bayesian-ridge.js';

/**
 * One column's model inside the iterative imputer: predicts a column from the others, with a
 * confidence per prediction. Categorical targets are fitted on the codes that occur (compacted to
 * 0..m−1, since the classifiers want every class present) and mapped back.
 */
export type EstimatorKind = 'linear' | 'gbdt' | 'forest';

export interface ColumnPrediction {
  value: Float64Array;
  /** Numeric: predictive standard deviation. */
  std: Float64Array;
  /** Categorical: probability of the predicted code. */
  probability: Float64Array;
}

export interface EstimatorOptions {
  seed: number;
  gbdtParams: Partial<GbdtParams>;
  forestParams: Partial<RandomForestParams>;
}

/**
 * Defaults for tree estimators: 100 rounds of depth 4 with no early stopping, because the
 * imputer fits one model per column per round and GBDT's own defaults (cross-validated rounds)
 * would cost ~20× more; a forest of 50 trees for the same reason.
 */
export const IMPUTER_GBDT_PARAMS: Partial<GbdtParams> = {
  nEstimators: 100,
  maxDepth: 4,
  learningRate: 0.1,
  earlyStoppingRounds: 0,
};
export const IMPUTER_FOREST_PARAMS: Partial<RandomForestParams> = { nEstimators: 50 };

type Inner =
  | { type: 'constant'; value: number; std: number; probability: number }
  | { type: 'bayesian_ridge'; model: BayesianRidgeModel }
  | { type: 'logistic'; model: LogisticModel; codes: number[] }
  | { type: 'gbdt'; model: GbdtModel; codes: number[] | null; std: number }
  | { type: 'forest'; model: RandomForestModel; codes: number[] | null; std: number };

export class ColumnEstimator {
  private constructor(private readonly inner: Inner) {}

  /** 'bayesian_ridge', 'logistic', 'gbdt', 'forest' or 'mean'/'mode' for a column with one value. */
  get method(): string {
    return this.inner.type === 'constant'
      ? Number.isNaN(this.inner.std)
        ? 'mode'
        : 'mean'
      : this.inner.type;
  }

  /** Fits y (observed values of the target column; k > 0: codes of k categories) on P. */
  static fit(
    kind: EstimatorKind,
    P: FeatureMatrix,
    y: Float64Array,
    k: number,
    options: EstimatorOptions,
  ): ColumnEstimator {
    const codes = k > 0 ? [...new Set(y)].sort((a, b) => a - b) : null;
    if (codes !== null && codes.length < 2) {
      return new ColumnEstimator({ type: 'constant', value: codes[0] ?? 0, std: NaN, probability: 1 });
    }
    let yy = y;
    if (codes !== null) {
      const compact = new Map(codes.map((c, i) => [c, i]));
      yy = Float64Array.from(y, (v) => compact.get(v)!);
    } else {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of y) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (!(hi > lo)) return new ColumnEstimator({ type: 'constant', value: lo, std: 0, probability: NaN });
    }
    if (kind === 'linear') {
      if (codes === null)
        return new ColumnEstimator({ type: 'bayesian_ridge', model: fitBayesianRidge(P, yy) });
      return new ColumnEstimator({
        type: 'logistic',
        model: fitLogistic(P, yy, { C: 1, tol: 1e-4, maxIter: 100 }),
        codes,
      });
    }
    if (kind === 'gbdt') {
      const objective = codes === null ? 'regression' : codes.length === 2 ? 'binary' : 'multiclass';
      const model = fitGbdt(P, yy, {
        ...IMPUTER_GBDT_PARAMS,
        seed: options.seed,
        ...options.gbdtParams,
        objective,
      });
      const std = codes === null ? residualStd(model.predict(P), yy) : NaN;
      return new ColumnEstimator({ type: 'gbdt', model, codes, std });
    }
    const task = codes === null ? 'regression' : codes.length === 2 ? 'binary' : 'multiclass';
    const model = fitRandomForest(P, yy, {
      ...IMPUTER_FOREST_PARAMS,
      seed: options.seed,
      ...options.forestParams,
      task,
    });
    // Out-of-bag R² gives an honest residual spread; in-sample forest residuals are far too small.
    let std = NaN;
    if (codes === null) {
      const sd = residualStd(new Float64Array(yy.length).fill(mean(yy)), yy);
      std = Number.isFinite(model.oobScore)
        ? sd * Math.sqrt(Math.max(0, 1 - model.oobScore))
        : residualStd(model.predict(P), yy);
    }
    return new ColumnEstimator({ type: 'forest', model, codes, std });
  }

  /** Predictions for every row of P; confidences only when `withConfidence` (they cost more for some models). */
  predict(P: FeatureMatrix, withConfidence = true): ColumnPrediction {
    const n = P.rows;
    const value = new Float64Array(n);
    const std = new Float64Array(n).fill(NaN);
    const probability = new Float64Array(n).fill(NaN);
    const inner = this.inner;
    switch (inner.type) {
      case 'constant':
        value.fill(inner.value);
        std.fill(inner.std);
        probability.fill(inner.probability);
        break;
      case 'bayesian_ridge': {
        const out = inner.model.predict(P, withConfidence);
        return { value: out.mean, std: out.std, probability };
      }
      case 'logistic':
        pickClasses(inner.model.predictProba(P), inner.codes, value, probability);
        break;
      case 'gbdt':
      case 'forest': {
        const raw = inner.model.predict(P);
        if (inner.codes === null) {
          value.set(raw);
          std.fill(inner.std);
        } else pickClasses(raw, inner.codes, value, probability);
        break;
      }
    }
    return { value, std, probability };
  }

  toJSON(): unknown {
    const inner = this.inner;
    if (inner.type === 'constant')
      return { ...inner, std: nullable(inner.std), probability: nullable(inner.probability) };
    if (inner.type === 'bayesian_ridge') return { type: inner.type, model: inner.model.toJSON() };
    if (inner.type === 'logistic')
      return { type: inner.type, model: inner.model.toJSON(), codes: inner.codes };
    return { type: inner.type, model: inner.model.toJSON(), codes: inner.codes, std: nullable(inner.std) };
  }

  static fromJSON(json: unknown): ColumnEstimator {
    const o = json as Record<string, unknown> & { type?: unknown };
    const codes = (o.codes ?? null) as number[] | null;
    const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
    switch (o.type) {
      case 'constant':
        return new ColumnEstimator({
          type: 'constant',
          value: num(o.value),
          std: num(o.std),
          probability: num(o.probability),
        });
      case 'bayesian_ridge':
        return new ColumnEstimator({ type: 'bayesian_ridge', model: BayesianRidgeModel.fromJSON(o.model) });
      case 'logistic':
        return new ColumnEstimator({
          type: 'logistic',
          model: LogisticModel.fromJSON(o.model),
          codes: codes ?? [],
        });
      case 'gbdt':
        return new ColumnEstimator({
          type: 'gbdt',
          model: GbdtModel.fromJSON(o.model as GbdtJson),
          codes,
          std: num(o.std),
        });
      case 'forest':
        return new ColumnEstimator({
          type: 'forest',
          model: RandomForestModel.fromJSON(o.model as ForestJson),
          codes,
          std: num(o.std),
        });
      default:
        throw new CairnError(
          'INVALID_ARGUMENT',
          `iterative imputer: unknown column estimator '${String(o.type)}'`,
        );
    }
  }
}

/** Binary outputs are P(class 1); otherwise rows × classes. Writes the arg max code and its probability. */
function pickClasses(
  proba: Float64Array,
  codes: number[],
  value: Float64Array,
  probability: Float64Array,
): void {
  const n = value.length;
  const m = codes.length;
  if (proba.length === n) {
    for (let i = 0; i < n; i++) {
      const one = proba[i] > 0.5;
      value[i] = codes[one ? 1 : 0];
      probability[i] = one ? proba[i] : 1 - proba[i];
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < m; c++) if (proba[i * m + c] > proba[i * m + best]) best = c;
    value[i] = codes[best];
    probability[i] = proba[i * m + best];
  }
}

function mean(y: Float64Array): number {
  let s = 0;
  for (const v of y) s += v;
  return s / y.length;
}

function residualStd(prediction: Float64Array, y: Float64Array): number {
  let ss = 0;
  for (let i = 0; i < y.length; i++) ss += (prediction[i] - y[i]) ** 2;
  return Math.sqrt(ss / y.length);
}

function nullable(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
