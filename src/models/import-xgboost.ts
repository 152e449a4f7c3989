import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CairnError, errorMessage } from '../core/errors.js';
import { GbdtModel } from '../ml/tree/gbdt.js';
import { importXgboostJson } from '../ml/tree/xgboost-json.js';
import type { Database } from '../warehouse/database.js';
import { gbdtEstimator } from './algorithms/gbdt.js';
import type { FeatureSpec } from './features.js';
import { saveVersion } from './save.js';
import { checkModelName } from './spec.js';
import type { TargetInfo } from './target.js';

export interface XgboostImportRequest {
  /** A model saved by XGBoost ≥ 1.6 with `save_model("m.json")`. */
  file: string;
  name: string;
  /** Class labels by class code (default: the codes themselves, "0", "1", …). */
  classes?: string[];
  /**
   * For categorical features, the category labels in XGBoost's code order (pandas' category
   * order); without them such a feature takes the integer codes as they are.
   */
  categories?: Record<string, string[]>;
}

export interface XgboostImportReport {
  model: string;
  version: number;
  task: string;
  features: string[];
  trees: number;
}

/**
 * Registers a model trained in Python with XGBoost as a new version, so it is served like any
 * Cairn model; predictions equal XGBoost's (see src/ml/tree/xgboost-json.ts for the float32 rule).
 */
export async function importXgboostModel(
  db: Database,
  artifactsDir: string,
  request: XgboostImportRequest,
): Promise<XgboostImportReport> {
  const started = performance.now();
  checkModelName(request.name);
  let text: string;
  try {
    text = readFileSync(request.file, 'utf8');
  } catch (error) {
    throw new CairnError('INVALID_ARGUMENT', `cannot read ${request.file}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  const categories = request.categories ?? {};
  const first = importXgboostJson(text);
  const categoryCounts = first.featureNames.map((name) => categories[name]?.length ?? 0);
  const ensemble = Object.keys(categories).length ? importXgboostJson(text, { categoryCounts }) : first;
  const features: FeatureSpec[] = ensemble.featureNames.map((name) =>
    categories[name]
      ? { name, column: name, kind: 'categorical', categories: categories[name] }
      : { name, column: name, kind: 'numeric' },
  );
  const task = ensemble.objective;
  const classCount = task === 'regression' ? 0 : task === 'binary' ? 2 : ensemble.outputs;
  const classes = request.classes ?? Array.from({ length: classCount }, (_, i) => String(i));
  if (task !== 'regression' && classes.length !== classCount) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `the model has ${classCount} classes; ${classes.length} labels were given`,
    );
  }
  const target: TargetInfo =
    task === 'regression' ? { column: 'target', task } : { column: 'target', task, classes };
  const version = await saveVersion(db, artifactsDir, {
    name: request.name,
    algorithm: 'gbdt',
    target,
    features,
    estimator: gbdtEstimator(GbdtModel.fromEnsemble(ensemble)),
    metrics: {},
    evaluation: null,
    params: { imported_from: 'xgboost' },
    spec: { name: request.name, imported: path.basename(request.file) },
    data: {
      source: `xgboost:${path.resolve(request.file)}`,
      rows: 0,
      hash: createHash('sha256').update(text).digest('hex').slice(0, 16),
    },
    seed: 0,
    started,
  });
  return {
    model: request.name,
    version,
    task,
    features: ensemble.featureNames.slice(),
    trees: ensemble.trees.length,
  };
}
