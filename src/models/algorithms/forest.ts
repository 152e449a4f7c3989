import {
  DEFAULT_FOREST_PARAMS,
  fitDecisionTree,
  fitRandomForest,
  RandomForestModel,
  type ForestJson,
  type RandomForestParams,
} from '../../ml/tree/forest.js';
import { treeShapExplainer } from '../../ml/tree/shap.js';
import type { Algorithm, Estimator, FitInput } from '../estimator.js';
import { snakeCase, translateParams } from './params.js';

const FOREST_KNOWN = Object.keys(DEFAULT_FOREST_PARAMS).filter((k) => k !== 'numClass' && k !== 'seed');
const TREE_KNOWN = FOREST_KNOWN.filter((k) => k !== 'nEstimators' && k !== 'bootstrap' && k !== 'maxSamples');
const ALIASES = { class_weight: 'classWeights', max_bin: 'maxBins' };

/**
 * A forest behind the Estimator face. `explain` is TreeSHAP on the averaged trees: contributions
 * to P(class 1) (binary), to each class's unnormalised average (multiclass), or to the value.
 */
export function forestEstimator(model: RandomForestModel, algorithm: string): Estimator {
  const explain = treeShapExplainer(model.ensemble);
  return {
    algorithm,
    predict: (X) => model.predict(X),
    explain: (x) => explain(x),
    importance: () => model.importance(),
    fitMetrics: Number.isNaN(model.oobScore) ? undefined : { oob_score: model.oobScore },
    toJSON: () => model.toJSON(),
  };
}

function baseParams({ task, classes, random }: FitInput) {
  return { task, numClass: task === 'multiclass' ? classes : 0, seed: random.nextUint32() | 0 };
}

/** Random forests (src/ml/tree/forest.ts), scikit-learn's parameters and defaults. */
export const randomForestAlgorithm: Algorithm = {
  name: 'random_forest',
  tasks: ['binary', 'multiclass', 'regression'],
  params: [...FOREST_KNOWN.map(snakeCase), ...Object.keys(ALIASES)],
  fit(input) {
    const translated = translateParams(
      'random_forest',
      input.params,
      FOREST_KNOWN,
      ALIASES,
    ) as Partial<RandomForestParams>;
    const model = fitRandomForest(
      input.X,
      input.y,
      { ...translated, ...baseParams(input) },
      { onProgress: (trees, total) => input.onProgress?.(trees / total, `tree ${trees} of ${total}`) },
    );
    return forestEstimator(model, 'random_forest');
  },
  load: (json) => forestEstimator(RandomForestModel.fromJSON(json as ForestJson), 'random_forest'),
};

/** One CART tree (a forest of one tree on all rows, every feature at every split). */
export const decisionTreeAlgorithm: Algorithm = {
  name: 'decision_tree',
  tasks: ['binary', 'multiclass', 'regression'],
  params: [...TREE_KNOWN.map(snakeCase), ...Object.keys(ALIASES)],
  fit(input) {
    const translated = translateParams(
      'decision_tree',
      input.params,
      TREE_KNOWN,
      ALIASES,
    ) as Partial<RandomForestParams>;
    const model = fitDecisionTree(input.X, input.y, { ...translated, ...baseParams(input) });
    return forestEstimator(model, 'decision_tree');
  },
  load: (json) => forestEstimator(RandomForestModel.fromJSON(json as ForestJson), 'decision_tree'),
};
