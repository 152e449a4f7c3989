import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';
import { AutoencoderModel, fitAutoencoder, type AutoencoderParams } from './autoencoder.js';
import { fitIsolationForest, IsolationForestModel, type IsolationForestParams } from './isolation-forest.js';
import { fitLof, LofModel, type LofParams } from './lof.js';
import {
  fitIqrFences,
  fitRobustZScore,
  fitZScore,
  UnivariateModel,
  type UnivariateParams,
} from './univariate.js';

export { fitAutoencoder, AutoencoderModel, type AutoencoderParams } from './autoencoder.js';
export { fitIsolationForest, IsolationForestModel, type IsolationForestParams } from './isolation-forest.js';
export { fitLof, LofModel, type LofParams } from './lof.js';
export { fitIqrFences, fitRobustZScore, fitZScore, UnivariateModel } from './univariate.js';
export { flagAnomalies, resolveThreshold, type ThresholdSpec } from './threshold.js';

/** The algorithm names a model spec uses (`task: anomaly`). */
export const ANOMALY_ALGORITHMS = [
  'isolation_forest',
  'zscore',
  'robust_zscore',
  'iqr',
  'lof',
  'autoencoder',
] as const;
export type AnomalyAlgorithm = (typeof ANOMALY_ALGORITHMS)[number];

/** What every fitted detector offers: scores that grow with abnormality, flags, and JSON. */
export interface AnomalyModel {
  readonly threshold: number;
  readonly names: readonly string[];
  score(X: FeatureMatrix): Float64Array;
  isAnomaly(X: FeatureMatrix): Uint8Array;
  toJSON(): unknown;
}

type AnyParams = Partial<IsolationForestParams & LofParams & AutoencoderParams & UnivariateParams>;

/** Fits the named detector; params are the chosen algorithm's (unknown keys are ignored by it). */
export function fitAnomalyDetector(
  algorithm: AnomalyAlgorithm,
  X: FeatureMatrix,
  params: AnyParams = {},
): AnomalyModel {
  switch (algorithm) {
    case 'isolation_forest':
      return fitIsolationForest(X, params);
    case 'zscore':
      return fitZScore(X, params);
    case 'robust_zscore':
      return fitRobustZScore(X, params);
    case 'iqr':
      return fitIqrFences(X, params);
    case 'lof':
      return fitLof(X, params);
    case 'autoencoder':
      return fitAutoencoder(X, params);
    default:
      throw new CairnError(
        'INVALID_ARGUMENT',
        `unknown anomaly algorithm '${String(algorithm)}'; expected one of ${ANOMALY_ALGORITHMS.join(', ')}`,
      );
  }
}

/** Reloads any detector saved with toJSON(), by its format tag. */
export function anomalyModelFromJSON(json: unknown): AnomalyModel {
  const format = (json as { format?: unknown } | null)?.format;
  switch (format) {
    case 'cairn-isolation-forest':
      return IsolationForestModel.fromJSON(json);
    case 'cairn-univariate-anomaly':
      return UnivariateModel.fromJSON(json);
    case 'cairn-lof':
      return LofModel.fromJSON(json);
    case 'cairn-autoencoder':
      return AutoencoderModel.fromJSON(json);
    default:
      throw new CairnError('INVALID_ARGUMENT', `not a saved anomaly model (format '${String(format)}')`);
  }
}
