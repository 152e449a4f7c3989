import { fitLinear } from '../../ml/linear/linear.js';
import { LinearModel } from '../../ml/linear/linear-model.js';
import { fitLogistic, type LogisticParams } from '../../ml/linear/logistic.js';
import { LogisticModel } from '../../ml/linear/logistic-model.js';
import type { Algorithm, Estimator } from '../estimator.js';
import { snakeCase, translateParams } from './params.js';

const LOGISTIC = ['penalty', 'C', 'l1Ratio', 'maxIter', 'tol', 'classWeights'];
const LOGISTIC_ALIASES = { C: 'C', c: 'C', class_weight: 'classWeights' };
const LINEAR = ['penalty', 'alpha', 'l1Ratio', 'maxIter', 'tol', 'fitIntercept'];

function logisticEstimator(model: LogisticModel): Estimator {
  return { algorithm: 'logistic', predict: (X) => model.predictProba(X), toJSON: () => model.toJSON() };
}

function linearEstimator(model: LinearModel): Estimator {
  return { algorithm: 'linear', predict: (X) => model.predict(X), toJSON: () => model.toJSON() };
}

/** Logistic regression (binary and multinomial; L2, L1, elastic net); features are standardised inside. */
export const logisticAlgorithm: Algorithm = {
  name: 'logistic',
  tasks: ['binary', 'multiclass'],
  params: [...LOGISTIC.filter((p) => p !== 'C').map(snakeCase), ...Object.keys(LOGISTIC_ALIASES)],
  fit({ X, y, params }) {
    const translated = translateParams('logistic', params, LOGISTIC, LOGISTIC_ALIASES) as LogisticParams;
    return logisticEstimator(fitLogistic(X, y, translated));
  },
  load: (json) => logisticEstimator(LogisticModel.fromJSON(json)),
};

/**
 * Linear regression: OLS, ridge ('l2'), lasso ('l1') and elastic net, all on scikit-learn's
 * ElasticNet objective, so alpha means the same for every penalty (ridge alpha = sklearn Ridge alpha / n).
 */
export const linearAlgorithm: Algorithm = {
  name: 'linear',
  tasks: ['regression'],
  params: LINEAR.map(snakeCase),
  fit({ X, y, params }) {
    return linearEstimator(fitLinear(X, y, translateParams('linear', params, LINEAR)));
  },
  load: (json) => linearEstimator(LinearModel.fromJSON(json)),
};
