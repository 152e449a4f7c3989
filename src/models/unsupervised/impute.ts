import { CairnError } from '../../core/errors.js';
import { columnMoments } from '../../ml/anomaly/column-stats.js';
import {
  fitImputer,
  fitSimpleImputer,
  imputeModelFromJSON,
  maskAtRandom,
  maskedRmse,
  type ImputationReport,
  type ImputeAlgorithm,
  type ImputeModel,
  type MaskedCells,
} from '../../ml/impute/index.js';
import type { FeatureMatrix } from '../../ml/matrix.js';
import { camelCase, snakeCase, translateParams } from '../algorithms/params.js';
import type { Estimator } from '../estimator.js';
import type { FeatureSpec } from '../features.js';
import type { OutputSpec } from '../target.js';
import { interleave, type UnsupervisedAlgorithm } from './unsupervised-algorithm.js';

const FORMAT = 'cairn-impute-estimator';
/** Share of the observed cells hidden to measure the fills against the truth. */
export const MASKED_SHARE = 0.1;

const KNOWN: Record<ImputeAlgorithm, string[]> = {
  mean: [],
  median: [],
  mode: [],
  constant: ['fillValue'],
  knn: ['k', 'weights', 'standardize'],
  iterative: ['estimator', 'maxIter', 'tol', 'validationFraction', 'gbdtParams', 'forestParams'],
};
const ALIASES: Partial<Record<ImputeAlgorithm, Record<string, string>>> = {
  knn: { n_neighbors: 'k' },
  iterative: { max_iterations: 'maxIter' },
};

/** The features written back into the input: its numeric and text columns (date parts only inform). */
function writableFeatures(features: FeatureSpec[]): number[] {
  return features.flatMap((f, j) => (f.kind === 'date_part' ? [] : [j]));
}

function outputsOf(features: FeatureSpec[], written: number[]): OutputSpec[] {
  return written.map((j) => {
    const f = features[j];
    return f.kind === 'categorical'
      ? { name: f.column, type: 'label', labels: [...f.categories] }
      : { name: f.column, type: 'double' };
  });
}

/** predict: the written features of each row with its gaps filled (categories as codes into their labels). */
function imputeEstimator(algorithm: string, model: ImputeModel, written: number[]): Estimator {
  return {
    algorithm,
    predict(X) {
      const filled = model.transform(X).X;
      const n = X.rows;
      return interleave(
        written.map((j) => filled.data.subarray(j * n, (j + 1) * n)),
        n,
      );
    },
    toJSON: () => ({ format: FORMAT, version: 1, algorithm, written, model: model.toJSON() }),
  };
}

function loadImputeEstimator(json: unknown): Estimator {
  const o = (json ?? {}) as Record<string, unknown>;
  if (o.format !== FORMAT || o.version !== 1 || !Array.isArray(o.written)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `not a saved imputation estimator (format '${String(o.format)}')`,
    );
  }
  return imputeEstimator(String(o.algorithm), imputeModelFromJSON(o.model), o.written as number[]);
}

/** A nested params object (gbdt_params, forest_params) keyed as the learners spell them. */
function camelKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [camelCase(k), v]));
}

/** Per written column: how many masked cells were filled right (accuracy) or how far off (RMSE). */
function maskedScores(
  X: FeatureMatrix,
  written: number[],
  masked: MaskedCells,
  filled: FeatureMatrix,
): { rmse: Float64Array; accuracy: Float64Array } {
  const rmse = maskedRmse(filled, masked);
  const hits = new Float64Array(X.cols);
  const count = new Float64Array(X.cols);
  for (let m = 0; m < masked.cells.length; m++) {
    const at = masked.cells[m];
    const j = Math.floor(at / X.rows);
    count[j]++;
    if (filled.data[at] === masked.truth[m]) hits[j]++;
  }
  const accuracy = hits.map((h, j) => (count[j] > 0 && written.includes(j) ? h / count[j] : NaN));
  return { rmse, accuracy };
}

/**
 * The fills measured against the truth: MASKED_SHARE of the observed cells of the written columns
 * are hidden (seeded), a fresh imputer with the same params fits the rest, and each column gets its
 * RMSE (numeric) or accuracy (categorical). `nrmse` averages RMSE / standard deviation over numeric
 * columns; `nrmse_mean_fill` and `accuracy_mode_fill` are mean/mode imputation on the same cells.
 */
export function imputeMetrics(
  X: FeatureMatrix,
  written: number[],
  fit: (X: FeatureMatrix) => ImputeModel,
  seed: number,
): Record<string, number> {
  const masked = maskAtRandom(X, MASKED_SHARE, seed, written);
  if (masked.cells.length === 0) return { masked_cells: 0 };
  const ours = maskedScores(X, written, masked, fit(masked.X).transform(masked.X).X);
  const simple = fitSimpleImputer(masked.X, { strategy: 'mean' });
  const base = maskedScores(X, written, masked, simple.transform(masked.X).X);
  const metrics: Record<string, number> = { masked_cells: masked.cells.length };
  const normalised: number[] = [];
  const baseline: number[] = [];
  const accuracy: number[] = [];
  const modeAccuracy: number[] = [];
  for (const j of written) {
    const name = X.names[j];
    if (X.categoryCounts[j] > 0) {
      if (Number.isNaN(ours.accuracy[j])) continue;
      metrics[`accuracy_${name}`] = ours.accuracy[j];
      accuracy.push(ours.accuracy[j]);
      modeAccuracy.push(base.accuracy[j]);
      continue;
    }
    if (Number.isNaN(ours.rmse[j])) continue;
    metrics[`rmse_${name}`] = ours.rmse[j];
    const std = columnMoments(X, j).std;
    if (std > 0) {
      normalised.push(ours.rmse[j] / std);
      baseline.push(base.rmse[j] / std);
    }
  }
  const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
  if (normalised.length > 0) {
    metrics.nrmse = mean(normalised);
    metrics.nrmse_mean_fill = mean(baseline);
  }
  if (accuracy.length > 0) {
    metrics.accuracy = mean(accuracy);
    metrics.accuracy_mode_fill = mean(modeAccuracy);
  }
  return metrics;
}

/** Per column of the training rows: cells filled, by what, and the mean confidence of the fills. */
export function fillSummary(report: ImputationReport, names: readonly string[]): Record<string, unknown>[] {
  const sums = new Map<string, { std: number; probability: number; n: number }>();
  const { cols, std, probability } = report.cells;
  for (let c = 0; c < cols.length; c++) {
    const name = names[cols[c]];
    const entry = sums.get(name) ?? { std: 0, probability: 0, n: 0 };
    entry.std += std[c];
    entry.probability += probability[c];
    entry.n++;
    sums.set(name, entry);
  }
  return report.columns.map((column) => {
    const s = sums.get(column.column);
    const summary: Record<string, unknown> = { ...column };
    if (s && Number.isFinite(s.std)) summary.mean_std = s.std / s.n;
    if (s && Number.isFinite(s.probability)) summary.mean_probability = s.probability / s.n;
    return summary;
  });
}

function imputeAlgorithm(name: ImputeAlgorithm): UnsupervisedAlgorithm {
  const aliases = ALIASES[name] ?? {};
  return {
    name,
    task: 'impute',
    params: [...KNOWN[name].map(snakeCase), ...Object.keys(aliases)],
    fit({ X, features, params, seed }) {
      const translated = translateParams(name, params, KNOWN[name], aliases);
      for (const key of ['gbdtParams', 'forestParams']) {
        if (translated[key] !== undefined) translated[key] = camelKeys(translated[key]);
      }
      const fit = (data: FeatureMatrix) => fitImputer(name, data, { ...translated, seed });
      const written = writableFeatures(features);
      const metrics = imputeMetrics(X, written, fit, seed);
      const model = fit(X);
      const report = model.transform(X).report;
      let filled = 0;
      for (const column of report.columns) {
        metrics[`filled_${column.column}`] = column.filled;
        filled += column.filled;
      }
      metrics.filled_cells = filled;
      return {
        estimator: imputeEstimator(name, model, written),
        outputs: outputsOf(features, written),
        metrics,
        details: { fills: fillSummary(report, X.names) },
      };
    },
    load: loadImputeEstimator,
  };
}

/** Mean, median, mode, constant, k-nearest-neighbour and iterative (chained-equation) imputation. */
export const IMPUTE_ALGORITHMS: readonly UnsupervisedAlgorithm[] = (
  ['mean', 'median', 'mode', 'constant', 'knn', 'iterative'] as const
).map(imputeAlgorithm);
