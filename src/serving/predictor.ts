import { CairnError } from '../core/errors.js';
import type { ParallelPool } from '../core/parallel.js';
import { predictionRecords, type PredictionRecord, type TrainedModel } from '../models/model.js';
import type { FeatureSpec } from '../models/features.js';
import type { ModelVersion } from '../models/registry.js';
import type { TargetInfo } from '../models/target.js';
import { topContributions } from '../ml/tree/shap.js';
import { DEFAULT_INPUT_POLICY, inputReader, type InputPolicy, type InputReader } from './input.js';

/** A feature's part in one prediction (TreeSHAP for trees), in the model's raw score units. */
export interface Contribution {
  feature: string;
  /** The row's value: a number, a category's label, or null when missing. */
  value: number | string | null;
  contribution: number;
}

export interface Explanation {
  /** What the score starts from before any feature (log-odds, class score or value). */
  base: number;
  /** The features that moved this row's score most, largest |contribution| first. */
  top: Contribution[];
}

export interface PredictResult {
  predictions: PredictionRecord[];
  explanations?: Explanation[];
}

/** Batches at least this large are spread over the worker pool. */
const POOL_ROWS = 2_000;

/** One loaded model version ready to answer requests: immutable, shared by concurrent requests. */
export class Predictor {
  readonly reader: InputReader;
  private readonly featureNames: string[];

  constructor(
    readonly version: ModelVersion,
    private readonly model: TrainedModel,
    private readonly pool?: ParallelPool,
  ) {
    this.reader = inputReader(model.artifact.features, policyOf(version.spec));
    this.featureNames = model.artifact.features.map((f) => f.name);
  }

  get name(): string {
    return this.version.name;
  }

  get target(): TargetInfo {
    return this.model.artifact.target;
  }

  /** Predicts rows (objects of field values); `explain` asks for each row's top k contributions. */
  predict(rows: readonly unknown[], explain = 0): PredictResult {
    const X = this.reader.read(rows);
    const pool = X.rows >= POOL_ROWS ? this.pool : undefined;
    const scores = this.model.estimator.predict(X, { pool });
    const predictions = predictionRecords(this.model.artifact.target, scores);
    if (explain <= 0) return { predictions };
    return { predictions, explanations: this.explain(X.data, X.rows, scores, explain) };
  }

  private explain(data: Float64Array, n: number, scores: Float64Array, k: number): Explanation[] {
    const estimator = this.model.estimator;
    if (estimator.explain === undefined) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `model '${this.name}' (${this.version.algorithm}) has no per-row explanations; ask without explain`,
      );
    }
    const { target, features } = this.model.artifact;
    const F = features.length;
    const K = target.task === 'multiclass' ? target.classes!.length : 1;
    const x = new Float64Array(F);
    return Array.from({ length: n }, (_, r) => {
      for (let f = 0; f < F; f++) x[f] = data[f * n + r];
      const contributions = estimator.explain!(x);
      // Multiclass: the predicted class's contributions; the layout is output by output, F + 1 each.
      let output = 0;
      for (let c = 1; c < K; c++) if (scores[r * K + c] > scores[r * K + output]) output = c;
      const at = output * (F + 1);
      const own = contributions.subarray(at, at + F + 1);
      return {
        base: own[F],
        top: topContributions(own, this.featureNames, k, x).map((c) => ({
          feature: c.name,
          value: displayValue(features[c.feature], c.value),
          contribution: c.contribution,
        })),
      };
    });
  }
}

/** Categorical codes back to their labels, so an explanation reads as the request did. */
function displayValue(feature: FeatureSpec, x: number): number | string | null {
  if (Number.isNaN(x)) return null;
  return feature.kind === 'categorical' ? feature.categories[x] : x;
}

function policyOf(spec: Record<string, unknown>): InputPolicy {
  const serving = spec.serving as
    { missing_fields?: string; unknown_fields?: string; unseen_categories?: string } | undefined;
  if (serving === undefined) return DEFAULT_INPUT_POLICY;
  return {
    missingFields: serving.missing_fields === 'impute' ? 'impute' : 'reject',
    unknownFields: serving.unknown_fields === 'ignore' ? 'ignore' : 'reject',
    unseenCategories: serving.unseen_categories === 'missing' ? 'missing' : 'reject',
  };
}
