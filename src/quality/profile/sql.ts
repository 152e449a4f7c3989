import type { JsonValue } from '../../warehouse/values.js';
import { ident } from '../../warehouse/sql.js';
import { hasEpoch } from './kinds.js';
import type { ColumnKind, Histogram } from './types.js';

export const QUANTILE_POINTS = [0.05, 0.25, 0.5, 0.75, 0.95] as const;
export const TOP_K = 10;
export const HISTOGRAM_BINS = 20;

export interface ColumnPlan {
  index: number;
  name: string;
  type: string;
  kind: ColumnKind;
}

/** The value a numeric or temporal column is binned on: the number itself or seconds since 1970. */
export function binnedExpr(column: ColumnPlan): string | null {
  if (column.kind === 'numeric') return `CAST(${ident(column.name)} AS DOUBLE)`;
  if (column.kind === 'temporal' && hasEpoch(column.type)) return `epoch(${ident(column.name)})`;
  return null;
}

/**
 * The first pass: every column's counts, extremes, moments, quantiles, lengths and candidate top
 * values, as one aggregate over the table. `exact` trades speed for exact distinct counts and quantiles.
 */
export function firstPassSql(relation: string, columns: ColumnPlan[], exact: boolean): string {
  const parts = ['count(*) AS "rows"'];
  for (const c of columns) {
    const e = ident(c.name);
    const p = `c${c.index}_`;
    parts.push(`count(${e}) AS ${p}n`);
    const distinctOf = c.kind === 'other' ? `CAST(${e} AS VARCHAR)` : e;
    parts.push(
      exact ? `count(DISTINCT ${distinctOf}) AS ${p}d` : `approx_count_distinct(${distinctOf}) AS ${p}d`,
    );
    if (c.kind !== 'other') parts.push(`min(${e}) AS ${p}min`, `max(${e}) AS ${p}max`);
    if (c.kind === 'numeric') {
      const x = `CAST(${e} AS DOUBLE)`;
      const points = `[${QUANTILE_POINTS.join(', ')}]`;
      parts.push(
        `avg(${x}) AS ${p}mean`,
        `stddev_samp(${x}) AS ${p}std`,
        exact ? `quantile_cont(${x}, ${points}) AS ${p}q` : `approx_quantile(${x}, ${points}) AS ${p}q`,
      );
    }
    if (c.kind === 'text') {
      parts.push(
        `min(length(${e})) AS ${p}lmin`,
        `avg(length(${e})) AS ${p}lmean`,
        `max(length(${e})) AS ${p}lmax`,
      );
    }
    parts.push(`approx_top_k(${distinctOf}, ${TOP_K}) AS ${p}top`);
  }
  return `SELECT ${parts.join(',\n  ')} FROM ${relation}`;
}

/** Equal-width edges from min to max; integer columns with a short range get one bin per value. */
export function histogramEdges(min: number, max: number, integer: boolean): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (integer && max - min < HISTOGRAM_BINS) {
    return Array.from({ length: max - min + 2 }, (_, j) => min - 0.5 + j);
  }
  if (min === max) return [min, max];
  const width = (max - min) / HISTOGRAM_BINS;
  const edges = Array.from({ length: HISTOGRAM_BINS }, (_, j) => min + j * width);
  edges.push(max);
  return edges;
}

export interface SecondPassColumn {
  column: ColumnPlan;
  /** Histogram edges, when the column is binned. */
  edges: number[] | null;
  /** Candidate top values to count exactly, when any. */
  top: JsonValue[];
  topExpr: string;
}

/** Upper edges as the boundaries DuckDB's `histogram(x, boundaries)` counts into (each bin is (lo, hi]). */
function boundaries(edges: number[]): string {
  return `[${edges
    .slice(1)
    .map((e) => String(e))
    .join(', ')}]::DOUBLE[]`;
}

/** The second pass: histogram counts, exact counts of the top candidates, and pairwise correlations. */
export function secondPassSql(
  relation: string,
  columns: SecondPassColumn[],
  correlated: ColumnPlan[],
  literalOf: (value: unknown) => string,
): string | null {
  const parts: string[] = [];
  for (const { column, edges, top, topExpr } of columns) {
    const p = `c${column.index}_`;
    const x = binnedExpr(column);
    if (edges && edges.length >= 2 && x) parts.push(`histogram(${x}, ${boundaries(edges)}) AS ${p}h`);
    if (top.length > 0) {
      parts.push(`histogram(list_position([${top.map(literalOf).join(', ')}], ${topExpr})) AS ${p}tc`);
    }
  }
  for (let a = 0; a < correlated.length; a++) {
    for (let b = a + 1; b < correlated.length; b++) {
      const x = `CAST(${ident(correlated[a].name)} AS DOUBLE)`;
      const y = `CAST(${ident(correlated[b].name)} AS DOUBLE)`;
      parts.push(`corr(${x}, ${y}) AS r_${a}_${b}`);
    }
  }
  return parts.length ? `SELECT ${parts.join(',\n  ')} FROM ${relation}` : null;
}

/** DuckDB's boundary histogram as Cairn's edges + counts (a value exactly at min falls in the first bin). */
export function readHistogram(edges: number[], map: unknown): Histogram {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const entry of (map as { key: number; value: number }[] | null) ?? []) {
    const bin = edges.indexOf(Number(entry.key), 1);
    if (bin > 0) counts[bin - 1] += Number(entry.value);
  }
  return { edges, counts };
}
