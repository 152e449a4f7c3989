import { CairnError } from '../../core/errors.js';
import { column, type Frame } from '../../core/frame.js';
import type { Database } from '../../warehouse/database.js';
import { readFrame } from '../../warehouse/frame-io.js';
import { buildMatrix, chooseFeatures } from '../features.js';
import { saveVersion } from '../save.js';
import { UNSUPERVISED_DEFAULT, type ModelSpec, type UnsupervisedTask } from '../spec.js';
import { encodeTarget, type TargetInfo } from '../target.js';
import type { TrainOptions, TrainReport } from '../train.js';
import { fingerprintOf, relationOf } from '../training-data.js';
import { unsupervisedAlgorithmNamed } from './algorithms.js';
import type { Labels } from './unsupervised-algorithm.js';

/**
 * The spec's label column as class codes: for anomaly a binary one (the positive class, by default
 * the last label — 1 after 0 — is the anomalous one), for clustering any number of classes.
 */
function labelsOf(frame: Frame, spec: ModelSpec, task: UnsupervisedTask): Labels {
  const encoded = encodeTarget(
    column(frame, spec.target!),
    task === 'anomaly' ? 'binary' : 'multiclass',
    spec.positive_class,
  );
  return { y: encoded.y, rows: encoded.rows, classes: encoded.info.classes ?? [] };
}

/**
 * Trains an unsupervised spec (task cluster, anomaly or impute) into a new registry version. Every
 * row is learnt from — there is no target to hold rows out for — and the metrics describe the fit on
 * them: cluster quality (and agreement with a label column), the anomaly score distribution (and
 * ROC-AUC against a label column), or imputation error on cells hidden at random.
 */
export async function trainUnsupervised(
  db: Database,
  artifactsDir: string,
  spec: ModelSpec,
  options: TrainOptions = {},
): Promise<TrainReport> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  const task = spec.task as UnsupervisedTask;
  progress(0, 'reading data');
  const { sql, source } = await relationOf(db, spec.data);
  const fingerprint = await fingerprintOf(db, sql, source);
  const frame = await readFrame(db, `SELECT * FROM ${sql}`);
  if (frame.rows === 0)
    throw new CairnError('INVALID_ARGUMENT', `the data of model '${spec.name}' has no rows`);
  const name = spec.algorithm === 'auto' ? UNSUPERVISED_DEFAULT[task] : spec.algorithm;
  const algorithm = unsupervisedAlgorithmNamed(name, task);
  const { features, dropped } = chooseFeatures(frame, spec.target ?? '', spec.features);
  const labels = spec.target === undefined ? undefined : labelsOf(frame, spec, task);
  progress(0.1, `fitting ${name}`);
  const fit = algorithm.fit({
    X: buildMatrix(frame, features),
    features,
    params: spec.params,
    seed: spec.seed,
    labels,
    onProgress: (fraction, message) => progress(0.1 + 0.85 * fraction, message),
    pool: options.pool,
  });
  const target: TargetInfo = {
    column: spec.target ?? '',
    task,
    ...(labels ? { classes: labels.classes } : {}),
    outputs: fit.outputs,
  };
  const version = await saveVersion(db, artifactsDir, {
    name: spec.name,
    algorithm: name,
    target,
    features,
    estimator: fit.estimator,
    metrics: fit.metrics,
    evaluation: null,
    params: spec.params,
    spec,
    data: fingerprint,
    seed: spec.seed,
    started,
  });
  progress(1, 'done');
  return {
    model: spec.name,
    version,
    task,
    algorithm: name,
    metrics: fit.metrics,
    rows: { train: frame.rows, test: 0 },
    features: features.map((f) => f.name),
    dropped,
    details: fit.details,
    seconds: (performance.now() - started) / 1000,
  };
}
