import { CairnError } from '../../core/errors.js';
import { sampleIndex } from '../../ml/cluster/points.js';
import { fitPca, PcaModel } from '../../ml/decomposition/pca.js';
import { fitTsne, TsneModel, type TsneParams } from '../../ml/decomposition/tsne.js';
import { takeRows, type FeatureMatrix } from '../../ml/matrix.js';
import { trustworthiness } from '../../ml/metrics/trustworthiness.js';
import { Random } from '../../core/random.js';

export const PROJECTIONS = ['pca', 'tsne'] as const;
export type ProjectionKind = (typeof PROJECTIONS)[number];

/** A fitted 2-D projection of the dense input: the `x`, `y` a segment scatter draws. */
export type Projection = { kind: 'pca'; model: PcaModel } | { kind: 'tsne'; model: TsneModel };

/** Rows trustworthiness is measured on (it costs rows² × neighbours); a seeded sample above this. */
const TRUST_ROWS = 1_000;

/** PCA to min(2, features) components, or t-SNE to 2, on the dense (standardised) input. */
export function fitProjection(
  kind: ProjectionKind,
  X: FeatureMatrix,
  params: { whiten?: boolean } & Partial<TsneParams>,
  seed: number,
): Projection {
  if (kind === 'pca') {
    return { kind, model: fitPca(X, { nComponents: Math.min(2, X.cols), whiten: params.whiten }) };
  }
  return { kind, model: fitTsne(X, { ...params, seed }) };
}

/** x and y of each row of X (a single-feature PCA gives y = 0). */
export function project(projection: Projection, X: FeatureMatrix): [Float64Array, Float64Array] {
  const Z = projection.model.transform(X);
  const n = Z.rows;
  const x = Z.data.slice(0, n);
  const y = Z.cols > 1 ? Z.data.slice(n, 2 * n) : new Float64Array(n);
  return [x, y];
}

/**
 * How faithful the projection is on the training rows: PCA's share of variance on x and y; t-SNE's
 * final KL divergence and trustworthiness (5 neighbours) of its embedding, on at most 1,000 seeded rows.
 */
export function projectionMetrics(
  projection: Projection,
  X: FeatureMatrix,
  seed: number,
): Record<string, number> {
  if (projection.kind === 'pca') {
    const ratio = projection.model.explainedVarianceRatio;
    return { explained_variance_x: ratio[0], explained_variance_y: ratio[1] ?? 0 };
  }
  const model = projection.model;
  const metrics: Record<string, number> = { kl_divergence: model.klDivergence };
  if (X.rows >= 12) {
    const random = new Random(seed);
    const rows = X.rows > TRUST_ROWS ? sampleIndex(X.rows, TRUST_ROWS, () => random.next()) : undefined;
    const embedding = model.embedding;
    metrics.trustworthiness = rows
      ? trustworthiness(takeRows(X, rows), takeRows(embedding, rows))
      : trustworthiness(X, embedding);
  }
  return metrics;
}

export function projectionToJSON(projection: Projection): Record<string, unknown> {
  return { kind: projection.kind, model: projection.model.toJSON() };
}

export function projectionFromJSON(json: unknown): Projection {
  const { kind, model } = (json ?? {}) as { kind?: unknown; model?: unknown };
  if (kind === 'pca') return { kind, model: PcaModel.fromJSON(model) };
  if (kind === 'tsne') return { kind, model: TsneModel.fromJSON(model) };
  throw new CairnError(
    'INVALID_ARGUMENT',
    `not a saved projection (kind '${String(kind)}'); expected pca or tsne`,
  );
}
