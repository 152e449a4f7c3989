/** Model evaluation metrics, checked against scikit-learn 1.2 (see metrics.test.ts). */
export { calibrationCurve, type CalibrationCurve, type CalibrationOptions } from './calibration.js';
export {
  accuracyAt,
  binaryConfusion,
  brierScore,
  f1At,
  logLoss,
  precisionAt,
  recallAt,
  type BinaryConfusion,
  type LogLossOptions,
  type ThresholdOptions,
} from './classification.js';
export {
  precisionRecallCurve,
  rocCurve,
  thinCurve,
  type CurveOptions,
  type PrCurve,
  type RocCurve,
} from './curves.js';
export type { WeightOption } from './inputs.js';
export {
  argmaxRows,
  multiclassAccuracy,
  multiclassConfusion,
  multiclassLogLoss,
  perClassScores,
  type PerClassScores,
} from './multiclass.js';
export { averagePrecision, rocAuc } from './ranking.js';
export { mae, mape, r2, rmse, type MapeResult } from './regression.js';
export {
  classificationCurves,
  classificationReport,
  multiclassReport,
  regressionReport,
  type BinaryCurves,
  type BinaryReport,
  type MulticlassReport,
  type RegressionReport,
} from './report.js';
