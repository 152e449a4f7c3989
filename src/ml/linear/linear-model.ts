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
import type { LinearFitInfo, LinearParams } from './linear.js';
import { checkHeader, invalid, jsonNumbers } from './validate.js';

const FORMAT = 'cairn-linear';

export interface LinearModelJson {
  format: typeof FORMAT;
  version: 1;
  design: DesignJson;
  coefficients: number[];
  intercept: number;
  params: Required<LinearParams>;
  info: LinearFitInfo;
}

/** A fitted linear regression: immutable; coefficients in the original feature scale. */
export class LinearModel {
  private constructor(
    private readonly design: Design,
    private readonly coef: Float64Array,
    readonly intercept: number,
    readonly params: Readonly<Required<LinearParams>>,
    readonly info: Readonly<LinearFitInfo>,
  ) {}

  /** @internal used by fitLinear and fromJSON. */
  static create(
    design: Design,
    coefficients: Float64Array,
    intercept: number,
    params: Required<LinearParams>,
    info: LinearFitInfo,
  ): LinearModel {
    return new LinearModel(design, coefficients, intercept, { ...params }, { ...info });
  }

  /** One coefficient per expanded column (see featureNames), original scale; a copy. */
  get coefficients(): Float64Array {
    return Float64Array.from(this.coef);
  }

  /** Expanded column names: numeric features by name, one-hot columns as `name=code`. */
  get featureNames(): string[] {
    return expandedNames(this.design);
  }

  /** Predictions for the rows of X (raw features; missing numeric values take the training mean). */
  predict(X: FeatureMatrix): Float64Array {
    checkFeatures(this.design, X, 'LinearModel.predict');
    return linearPredictors(this.design, this.coef, Float64Array.of(this.intercept), X);
  }

  toJSON(): LinearModelJson {
    return {
      format: FORMAT,
      version: 1,
      design: designToJSON(this.design),
      coefficients: Array.from(this.coef),
      intercept: this.intercept,
      params: { ...this.params },
      info: { ...this.info },
    };
  }

  static fromJSON(json: unknown): LinearModel {
    const where = 'LinearModel.fromJSON';
    const record = checkHeader(where, json, FORMAT, 1);
    const design = designFromJSON(record.design, where);
    const coefficients = jsonNumbers(where, record, 'coefficients', designWidth(design));
    const intercept = record.intercept;
    if (typeof intercept !== 'number' || !Number.isFinite(intercept))
      throw invalid(where, "'intercept' must be a finite number");
    const params = record.params as Required<LinearParams>;
    const info = record.info as LinearFitInfo;
    return LinearModel.create(design, coefficients, intercept, params, info);
  }
}
