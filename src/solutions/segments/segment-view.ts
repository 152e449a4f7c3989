import { CairnError } from '../../core/errors.js';
import { stringAt, toFloat64, type Column } from '../../core/frame.js';
import type { Database } from '../../warehouse/database.js';
import { scoreTable, spreadIndex } from '../scored-table.js';

export interface SegmentProfile {
  cluster: number;
  size: number;
  share: number;
  /** Per feature column: its mean in the cluster (text columns: the most frequent value). */
  values: Record<string, number | string | null>;
}

export interface SegmentView {
  model: string;
  version: number;
  algorithm: string;
  /** The table scored, else its source's label (`file:…`, `query:…`). */
  source: string;
  total_rows: number;
  /** Rows the profiles are computed on: the whole table, or a seeded sample of a large one. */
  scored_rows: number;
  features: string[];
  /** A spread of at most `points` scored rows, as parallel arrays. */
  points: { x: number[]; y: number[]; cluster: number[] };
  clusters: SegmentProfile[];
}

/**
 * A clustering model's segments over its table: each row's cluster and 2-D projection (the scatter)
 * and each cluster's size and feature means (the profiles). The model needs a projection.
 */
export async function segmentView(
  db: Database,
  artifactsDir: string,
  request: { model: string; version?: number; table?: string; points: number },
): Promise<SegmentView> {
  const scored = await scoreTable(db, artifactsDir, { ...request, task: 'cluster' });
  const { model, frame } = scored;
  const output = (name: string) => scored.outputs.find((c) => c.name === name);
  const [cluster, x, y] = [output('cluster'), output('x'), output('y')];
  if (cluster === undefined || x === undefined || y === undefined) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `model '${model.artifact.name}' v${model.artifact.version} gives no cluster with a 2-D projection; train it with params.projection: pca (or tsne)`,
    );
  }
  const labels = toFloat64(cluster);
  const xs = toFloat64(x);
  const ys = toFloat64(y);
  const features = [...new Set(model.artifact.features.map((f) => f.column))];
  // A row an infinite value threw off the map (ln 0 in a query, say) has no place to be drawn.
  const drawable = Uint32Array.from({ length: frame.rows }, (_, i) => i).filter(
    (i) => Number.isFinite(xs[i]) && Number.isFinite(ys[i]),
  );
  const shown = Array.from(spreadIndex(drawable.length, request.points), (k) => drawable[k]);
  return {
    model: model.artifact.name,
    version: model.artifact.version,
    algorithm: model.artifact.algorithm,
    source: scored.source,
    total_rows: scored.totalRows,
    scored_rows: frame.rows,
    features,
    points: {
      x: shown.map((i) => xs[i]),
      y: shown.map((i) => ys[i]),
      cluster: shown.map((i) => labels[i]),
    },
    clusters: profiles(
      labels,
      features.map((name) => frame.columns.find((c) => c.name === name)!),
    ),
  };
}

/** Size, share and per-column mean of finite values (or most frequent text) of each cluster label, in label order. */
function profiles(labels: Float64Array, columns: Column[]): SegmentProfile[] {
  const members = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const list = members.get(label);
    if (list === undefined) members.set(label, [i]);
    else list.push(i);
  });
  const numbers = columns.map((c) => (c.kind === 'string' ? null : toFloat64(c)));
  return [...members.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([label, rows]) => ({
      cluster: label,
      size: rows.length,
      share: rows.length / labels.length,
      values: Object.fromEntries(
        columns.map((c, k) => {
          const values = numbers[k];
          return [c.name, values === null ? mode(c, rows) : mean(values, rows)];
        }),
      ),
    }));
}

function mean(values: Float64Array, rows: number[]): number | null {
  let sum = 0;
  let n = 0;
  for (const i of rows) {
    if (Number.isFinite(values[i])) {
      sum += values[i];
      n++;
    }
  }
  return n === 0 ? null : sum / n;
}

function mode(col: Column, rows: number[]): string | null {
  if (col.kind !== 'string') return null;
  const counts = new Map<string, number>();
  for (const i of rows) {
    const value = stringAt(col, i);
    if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  let best: string | null = null;
  let most = 0;
  for (const [value, count] of counts) if (count > most) [best, most] = [value, count];
  return best;
}
