/** Splits, folds and hyperparameter search; generic over models (evaluate is a callback). */
export { assignFolds, foldsOf, kFold, stratifiedKFold, type Fold, type KFoldOptions } from './kfold.js';
export { randomSearch, type RandomSearchOptions } from './random-search.js';
export {
  checkSpace,
  sampleParams,
  type ParamSpec,
  type ParamValue,
  type Params,
  type SearchSpace,
} from './space.js';
export { trainTestSplit, type Split, type TrainTestOptions } from './split.js';
export { strataByClass, strataByQuantile, type Strata } from './strata.js';
export { successiveHalving, type Rung, type SuccessiveHalvingOptions } from './successive-halving.js';
export { timeOrderedSplit, timeSeriesFolds, type TimeSplit, type TimeSplitOptions } from './time-split.js';
export type { Budget, Clock, Evaluate, SearchResult, Trial } from './trials.js';
