import type { FeatureMatrix } from '../matrix.js';
import {
  checkFeatures,
  designFromJSON,
  designToJSON,
  designWidth,
  expandedNames,
  linearPredictors,
  type Design,
  type DesignJson,
} from './design.js';
import { sigmoid } from './logistic-loss.js';
import { checkHeader, invalid, jsonNumbers } from './validate.js';

/** The parameters a model was fitted with, defaults filled in. */
export interface LogisticSettings {
  penalty: 'l2' | 'l1' | 'elasticnet' | 'none';
  C: number;
  l1Ratio: number;
  multiclass: 'auto' | 'multinomial';
  maxIter: number;
  tol: number;
  classWeights: number[] | 'balanced' | null;
  fitIntercept: true;
}

export interface LogisticFitInfo {
  solver: 'lbfgs' | 'proximal-newton-cd';
  iterations: number;
  converged: boolean;
}

export interface LogisticModelJson {
  format: 'cairn-logistic';
  version: 1;
  classes: number;
  design: DesignJson;
  /** Row-major margins × expanded columns, original feature scale. */
  coefficients: number[];
  intercepts: number[];
  params: LogisticSettings;
  info: LogisticFitInfo;
}

const FORMAT = 'cairn-logistic';

/**
 * A fitted logistic regression: immutable. One margin (binary: log-odds of class 1) or one per class
 * (multinomial, softmax); coefficients apply to raw features (see design.ts).
 */
export class LogisticModel {
  private constructor(
    private readonly design: Design,
    /** Number of classes. */
    readonly classes: number,
    private readonly coef: Float64Array,
    private readonly bias: Float64Array,
    readonly params: Readonly<LogisticSettings>,
    readonly info: Readonly<LogisticFitInfo>,
  ) {}

  /** @internal used by fitLogistic and fromJSON. */
  static create(
    design: Design,
    classes: number,
    coefficients: Float64Array,
    intercepts: Float64Array,
    params: LogisticSettings,
    info: LogisticFitInfo,
  ): LogisticModel {
    return new LogisticModel(design, classes, coefficients, intercepts, { ...params }, { ...info });
  }

  /** Whether predictions hold one value per class (softmax) rather than P(class 1). */
  get multinomial(): boolean {
    return this.bias.length > 1;
  }

  /** Row-major margins × expanded columns (see featureNames), original scale; a copy. */
  get coefficients(): Float64Array {
    return Float64Array.from(this.coef);
  }

  /** One intercept per margin (multinomial ones centred to sum 0); a copy. */
  get intercepts(): Float64Array {
    return Float64Array.from(this.bias);
  }

  /** Expanded column names: numeric features by name, one-hot columns as `name=code`. */
  get featureNames(): string[] {
    return expandedNames(this.design);
  }

  /** Margins: binary, the log-odds of class 1 per row; multinomial, row-major rows × classes. */
  predictMargin(X: FeatureMatrix): Float64Array {
    checkFeatures(this.design, X, 'LogisticModel.predictMargin');
    return linearPredictors(this.design, this.coef, this.bias, X);
  }

  /** Binary: P(class 1) per row; multinomial: row-major rows × classes probabilities. */
  predictProba(X: FeatureMatrix): Float64Array {
    checkFeatures(this.design, X, 'LogisticModel.predictProba');
    const margins = linearPredictors(this.design, this.coef, this.bias, X);
    const K = this.bias.length;
    if (K === 1) return margins.map(sigmoid);
    for (let i = 0; i < X.rows; i++) {
      let top = -Infinity;
      for (let k = 0; k < K; k++) top = Math.max(top, margins[i * K + k]);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += margins[i * K + k] = Math.exp(margins[i * K + k] - top);
      for (let k = 0; k < K; k++) margins[i * K + k] /= sum;
    }
    return margins;
  }

  /** The most probable class code per row (binary: class 1 when P > 0.5). */
  predictClass(X: FeatureMatrix): Float64Array {
    const proba = this.predictProba(X);
    const K = this.bias.length;
    if (K === 1) return proba.map((q) => (q > 0.5 ? 1 : 0));
    const out = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (proba[i * K + k] > proba[i * K + best]) best = k;
      out[i] = best;
    }
    return out;
  }

  toJSON(): LogisticModelJson {
    const { classWeights } = this.params;
    return {
      format: FORMAT,
      version: 1,
      classes: this.classes,
      design: designToJSON(this.design),
      coefficients: Array.from(this.coef),
      intercepts: Array.from(this.bias),
      params: {
        ...this.params,
        classWeights: Array.isArray(classWeights) ? [...classWeights] : classWeights,
      },
      info: { ...this.info },
    };
  }

  static fromJSON(json: unknown): LogisticModel {
    const where = 'LogisticModel.fromJSON';
    const record = checkHeader(where, json, FORMAT, 1);
    const classes = record.classes;
    if (typeof classes !== 'number' || !Number.isInteger(classes) || classes < 2) {
      throw invalid(where, "'classes' must be an integer ≥ 2");
    }
    const design = designFromJSON(record.design, where);
    const margins = Array.isArray(record.intercepts) && record.intercepts.length > 1 ? classes : 1;
    const intercepts = jsonNumbers(where, record, 'intercepts', margins);
    const coefficients = jsonNumbers(where, record, 'coefficients', margins * designWidth(design));
    if (typeof record.params !== 'object' || record.params === null)
      throw invalid(where, "'params' is missing");
    const info = (record.info ?? { solver: 'lbfgs', iterations: 0, converged: true }) as LogisticFitInfo;
    return LogisticModel.create(
      design,
      classes,
      coefficients,
      intercepts,
      record.params as LogisticSettings,
      info,
    );
  }
}
