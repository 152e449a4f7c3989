import {
  DEFAULT_GBDT_PARAMS,
  fitGbdt,
  GbdtModel,
  type GbdtJson,
  type GbdtParams,
} from '../../ml/tree/gbdt.js';
import { treeShapExplainer } from '../../ml/tree/shap.js';
import type { Algorithm, Estimator } from '../estimator.js';
import { snakeCase, translateParams } from './params.js';

const KNOWN = [...Object.keys(DEFAULT_GBDT_PARAMS)].filter((k) => k !== 'numClass' && k !== 'seed');
const ALIASES = {
  reg_lambda: 'lambda',
  reg_alpha: 'alpha',
  min_split_loss: 'gamma',
  max_bin: 'maxBins',
  num_leaves: 'maxLeaves',
  eta: 'learningRate',
  n_rounds: 'nEstimators',
  class_weight: 'classWeights',
};

export function gbdtEstimator(model: GbdtModel): Estimator {
  const explain = treeShapExplainer(model.ensemble);
  return {
    algorithm: 'gbdt',
    predict: (X, options) => model.predict(X, options),
    explain: (x) => explain(x),
    importance: () => model.importance('total_gain'),
    toJSON: () => model.toJSON(),
  };
}

/** Gradient-boosted trees (src/ml/tree): the default learner for tabular data. */
export const gbdtAlgorithm: Algorithm = {
  name: 'gbdt',
  tasks: ['binary', 'multiclass', 'regression'],
  params: [...KNOWN.map(snakeCase), ...Object.keys(ALIASES)],
  fit({ task, X, y, classes, params, random, onProgress, pool }) {
    const translated = translateParams('gbdt', params, KNOWN, ALIASES) as Partial<GbdtParams>;
    const model = fitGbdt(
      X,
      y,
      {
        ...translated,
        objective: task,
        numClass: task === 'multiclass' ? classes : 0,
        seed: random.nextUint32(),
      },
      {
        pool,
        onProgress: (round, total) => onProgress?.(round / total, `round ${round} of at most ${total}`),
      },
    );
    return gbdtEstimator(model);
  },
  load: (json) => gbdtEstimator(GbdtModel.fromJSON(json as GbdtJson)),
};
