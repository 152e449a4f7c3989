import { CairnError } from '../core/errors.js';
import { decisionTreeAlgorithm, randomForestAlgorithm } from './algorithms/forest.js';
import { gbdtAlgorithm } from './algorithms/gbdt.js';
import { linearAlgorithm, logisticAlgorithm } from './algorithms/linear.js';
import type { Algorithm } from './estimator.js';
import type { SupervisedTask } from './spec.js';

/** Every algorithm a spec can name, in the order `auto` tries them. */
export const ALGORITHM_REGISTRY: readonly Algorithm[] = [
  gbdtAlgorithm,
  logisticAlgorithm,
  linearAlgorithm,
  randomForestAlgorithm,
  decisionTreeAlgorithm,
];

export function algorithmNamed(name: string, task?: SupervisedTask): Algorithm {
  const algorithm = ALGORITHM_REGISTRY.find((a) => a.name === name);
  if (!algorithm) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `algorithm '${name}' is not known; use one of auto, ${ALGORITHM_REGISTRY.map((a) => a.name).join(', ')}`,
    );
  }
  if (task && !algorithm.tasks.includes(task)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `algorithm '${name}' does not do ${task}; it does ${algorithm.tasks.join(', ')}`,
    );
  }
  return algorithm;
}

/** Throws INVALID_ARGUMENT naming any param the algorithm does not take. */
export function checkParams(algorithm: Algorithm, params: Record<string, unknown>): void {
  const unknown = Object.keys(params).filter((key) => !algorithm.params.includes(key));
  if (unknown.length > 0) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `params ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a parameter' : 'are not parameters'} of ${algorithm.name}; ` +
        `it takes ${[...algorithm.params].sort().join(', ')}`,
    );
  }
}
