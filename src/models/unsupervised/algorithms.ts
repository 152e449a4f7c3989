import { CairnError } from '../../core/errors.js';
import type { UnsupervisedTask } from '../spec.js';
import { ANOMALY_ALGORITHMS } from './anomaly.js';
import { CLUSTER_ALGORITHMS } from './cluster.js';
import { IMPUTE_ALGORITHMS } from './impute.js';
import type { UnsupervisedAlgorithm } from './unsupervised-algorithm.js';

/** Every unsupervised algorithm a spec can name. */
export const UNSUPERVISED_REGISTRY: readonly UnsupervisedAlgorithm[] = [
  ...CLUSTER_ALGORITHMS,
  ...ANOMALY_ALGORITHMS,
  ...IMPUTE_ALGORITHMS,
];

export function unsupervisedAlgorithmNamed(name: string, task?: UnsupervisedTask): UnsupervisedAlgorithm {
  const algorithm = UNSUPERVISED_REGISTRY.find(
    (a) => a.name === name && (task === undefined || a.task === task),
  );
  if (!algorithm) {
    const known = UNSUPERVISED_REGISTRY.filter((a) => task === undefined || a.task === task).map(
      (a) => a.name,
    );
    throw new CairnError(
      'INVALID_ARGUMENT',
      `algorithm '${name}' is not known${task ? ` for ${task}` : ''}; use one of ${known.join(', ')}`,
    );
  }
  return algorithm;
}
