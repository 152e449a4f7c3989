import { CairnError } from '../../core/errors.js';
import type { ParallelPool } from '../../core/parallel.js';
import type { FeatureMatrix } from '../matrix.js';
import { CompiledEnsemble } from './compiled-ensemble.js';
import { marginToPrediction, type TreeEnsemble } from './ensemble.js';
import { ensembleFromJson, ensembleToJson } from './ensemble-json.js';
import type { GbdtJson } from './gbdt-json.js';
import type { GbdtParams } from './gbdt-params.js';
import type { FlatEnsemble } from './flatten-ensemble.js';
import { featureImportance, type ImportanceKind } from './importance.js';
import { newTreesId, PREDICT_WORKER_MODULE, type PredictContext } from './predict-worker.js';

export interface PredictOptions {
  /** Worker threads for large batches (see core/workers/pool.ts). */
  pool?: ParallelPool;
}

/** Batches from this many rows are split across a pool's threads. */
const PARALLEL_PREDICT_ROWS = 4_096;

export interface EvalHistory {
  /** 'logloss', 'mlogloss', 'rmse' or 'mae'. */
  readonly metric: string;
  /** The validation metric after each round (empty when there was no validation set). */
  readonly valid: readonly number[];
}

/**
 * A trained gradient-boosted tree ensemble: immutable, predicts from a FeatureMatrix with the
 * training columns in the same order. Prediction runs on a flattened copy of the trees.
 */
export class GbdtModel {
  private compiledTrees: CompiledEnsemble | undefined;
  private sharedTrees: FlatEnsemble | undefined;
  private sharedTreesId: number | undefined;

  constructor(
    readonly ensemble: TreeEnsemble,
    readonly params: Readonly<Partial<GbdtParams>>,
    /** The last round kept (0-based): trees per output − 1. */
    readonly bestIteration: number,
    readonly evalHistory: EvalHistory,
  ) {}

  /** The trees compiled for prediction, on first use: a fit that is only saved never needs them. */
  private get compiled(): CompiledEnsemble {
    return (this.compiledTrees ??= new CompiledEnsemble(this.ensemble));
  }

  /**
   * Raw margins, row-major: `out[r * outputs + k]` (log-odds, class scores or values). With a pool,
   * large batches are split by rows across its threads (the same bits as on one thread).
   */
  predictMargin(X: FeatureMatrix, options: PredictOptions = {}): Float64Array {
    this.checkColumns(X.cols, 'predict');
    const pool = options.pool;
    if (pool === undefined || pool.threads < 2 || X.rows < PARALLEL_PREDICT_ROWS)
      return this.compiled.predictMargins(X);
    return this.predictShared(X, pool);
  }

  /** Binary: P(class 1) per row; multiclass: probabilities row-major (rows × classes); regression: values. */
  predict(X: FeatureMatrix, options: PredictOptions = {}): Float64Array {
    const margins = this.predictMargin(X, options);
    return marginToPrediction(this.ensemble.objective, margins, this.ensemble.outputs);
  }

  /** Predictions for one row given as a dense vector of the features: length 1, or one per class. */
  predictRow(x: Float64Array): Float64Array {
    this.checkColumns(x.length, 'predictRow');
    const margins = this.compiled.predictRowMargins(x);
    return marginToPrediction(this.ensemble.objective, margins, this.ensemble.outputs);
  }

  /** Per-feature importance: 'gain' (mean gain of its splits), 'total_gain' or 'split' (count). */
  importance(kind: ImportanceKind = 'gain'): Float64Array {
    return featureImportance(this.ensemble, kind);
  }

  toJSON(): GbdtJson {
    return {
      format: 'cairn-gbdt',
      version: 1,
      // Unset parameters (undefined) are left out, as JSON would drop them anyway.
      params: Object.fromEntries(Object.entries(this.params).filter(([, v]) => v !== undefined)),
      bestIteration: this.bestIteration,
      evalHistory: { metric: this.evalHistory.metric, valid: [...this.evalHistory.valid] },
      ensemble: ensembleToJson(this.ensemble),
    };
  }

  static fromJSON(json: GbdtJson): GbdtModel {
    const ensemble = ensembleFromJson(json, 'cairn-gbdt', 'GBDT model');
    return new GbdtModel(ensemble, json.params, json.bestIteration, {
      metric: json.evalHistory.metric,
      valid: [...json.evalHistory.valid],
    });
  }

  /** Wraps trees trained elsewhere (XGBoost import): every tree kept, no history. */
  static fromEnsemble(ensemble: TreeEnsemble, params: Partial<GbdtParams> = {}): GbdtModel {
    const rounds = Math.ceil(ensemble.trees.length / Math.max(ensemble.outputs, 1));
    return new GbdtModel(ensemble, { objective: ensemble.objective, ...params }, rounds - 1, {
      metric: '',
      valid: [],
    });
  }

  private predictShared(X: FeatureMatrix, pool: ParallelPool): Float64Array {
    this.sharedTrees ??= this.compiled.shared();
    const data = new Float64Array(new SharedArrayBuffer(X.data.byteLength));
    data.set(X.data);
    const out = new Float64Array(new SharedArrayBuffer(8 * X.rows * this.ensemble.outputs));
    this.sharedTreesId ??= newTreesId();
    const context: PredictContext = {
      trees: this.sharedTrees,
      treesId: this.sharedTreesId,
      data,
      rows: X.rows,
      out,
    };
    const session = pool.open(PREDICT_WORKER_MODULE, context);
    try {
      const parts = pool.threads;
      const bound = (part: number) => Math.floor((X.rows * part) / parts);
      for (let p = 1; p < parts; p++) session.args(p - 1).set([bound(p), bound(p + 1)]);
      session.start(0, parts - 1);
      try {
        this.compiled.predictRange(data, X.rows, 0, bound(1), out);
      } finally {
        session.wait();
      }
    } finally {
      session.close();
    }
    return Float64Array.from(out);
  }

  private checkColumns(cols: number, operation: string): void {
    const expected = this.ensemble.featureNames.length;
    if (cols !== expected) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `${operation} got ${cols} features; the GBDT model was trained on ${expected} (${listNames(this.ensemble.featureNames)})`,
      );
    }
  }
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 10).map((name) => `'${name}'`);
  return names.length > 10 ? `${shown.join(', ')}, …` : shown.join(', ');
}
