import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';
import type { ImputationResult } from './imputation-report.js';
import {
  fitIterativeImputer,
  IterativeImputerModel,
  type IterativeImputerParams,
} from './iterative-imputer.js';
import { fitKnnImputer, KnnImputerModel, type KnnImputerParams } from './knn-imputer.js';
import { fitSimpleImputer, SimpleImputerModel, type SimpleImputerParams } from './simple-imputer.js';

export type { ColumnFill, FilledCells, ImputationReport, ImputationResult } from './imputation-report.js';
export {
  fitIterativeImputer,
  IterativeImputerModel,
  type IterativeImputerParams,
} from './iterative-imputer.js';
export { fitKnnImputer, KnnImputerModel, type KnnImputerParams } from './knn-imputer.js';
export { maskAtRandom, maskedRmse, type MaskedCells } from './mask-cells.js';
export { fitSimpleImputer, SimpleImputerModel, type SimpleImputerParams } from './simple-imputer.js';

/** The algorithm names a model spec uses (`task: impute`). */
export const IMPUTE_ALGORITHMS = ['mean', 'median', 'mode', 'constant', 'knn', 'iterative'] as const;
export type ImputeAlgorithm = (typeof IMPUTE_ALGORITHMS)[number];

/** What every fitted imputer offers. */
export interface ImputeModel {
  readonly names: readonly string[];
  transform(X: FeatureMatrix): ImputationResult;
  toJSON(): unknown;
}

type AnyParams = Partial<SimpleImputerParams & KnnImputerParams & IterativeImputerParams>;

/** Fits the named imputer; for mean/median/mode/constant the name is the strategy. */
export function fitImputer(
  algorithm: ImputeAlgorithm,
  X: FeatureMatrix,
  params: AnyParams = {},
): ImputeModel {
  switch (algorithm) {
    case 'mean':
    case 'median':
    case 'mode':
    case 'constant':
      return fitSimpleImputer(X, { ...params, strategy: algorithm });
    case 'knn':
      return fitKnnImputer(X, params);
    case 'iterative':
      return fitIterativeImputer(X, params);
    default:
      throw new CairnError(
        'INVALID_ARGUMENT',
        `unknown impute algorithm '${String(algorithm)}'; expected one of ${IMPUTE_ALGORITHMS.join(', ')}`,
      );
  }
}

/** Reloads any imputer saved with toJSON(), by its format tag. */
export function imputeModelFromJSON(json: unknown): ImputeModel {
  const format = (json as { format?: unknown } | null)?.format;
  switch (format) {
    case 'cairn-simple-imputer':
      return SimpleImputerModel.fromJSON(json);
    case 'cairn-knn-imputer':
      return KnnImputerModel.fromJSON(json);
    case 'cairn-iterative-imputer':
      return IterativeImputerModel.fromJSON(json);
    default:
      throw new CairnError('INVALID_ARGUMENT', `not a saved imputation model (format '${String(format)}')`);
  }
}
