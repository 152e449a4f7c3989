import { randomUUID } from 'node:crypto';
import type { Database } from '../../warehouse/database.js';
import { describeTable } from '../../warehouse/catalog.js';
import { ident, literal } from '../../warehouse/sql.js';
import { asText, type JsonValue } from '../../warehouse/values.js';
import { columnKind, isIntegerType } from './kinds.js';
import { detectSemantic } from './semantic.js';
import {
  binnedExpr,
  firstPassSql,
  histogramEdges,
  QUANTILE_POINTS,
  readHistogram,
  secondPassSql,
  type ColumnPlan,
  type SecondPassColumn,
} from './sql.js';
import type { ColumnProfile, CorrelationMatrix, Quantiles, TableProfile, TopValue } from './types.js';

/** Up to this many rows, distinct counts and quantiles are exact; above it, sketches as in SUMMARIZE. */
export const EXACT_ROWS = 1_000_000;
/** Non-null values per column looked at to judge its semantic type. */
export const SEMANTIC_SAMPLE = 1000;
/** Numeric columns beyond this many are left out of the correlation matrix (it grows as the square). */
export const MAX_CORRELATED = 40;

export interface ProfileOptions {
  /** Force exact (true) or sketched (false) distinct counts and quantiles; default by table size. */
  exact?: boolean;
  /** Compute the correlation matrix (default true). */
  correlation?: boolean;
}

const num = (value: JsonValue | undefined): number | null =>
  value === null || value === undefined || value === '' ? null : Number(value);

function sqlValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return literal(asText(value as JsonValue));
}

/** A top-value candidate list, in the form its column compares with in SQL. */
function topExpr(column: ColumnPlan): string {
  if (column.kind === 'other' || column.kind === 'temporal') return `CAST(${ident(column.name)} AS VARCHAR)`;
  return ident(column.name);
}

async function sampleValues(
  db: Database,
  table: string,
  columns: ColumnPlan[],
): Promise<Map<string, string[]>> {
  const wanted = columns.filter((c) => c.kind === 'text' || (c.kind === 'numeric' && isIntegerType(c.type)));
  const samples = new Map<string, string[]>(wanted.map((c) => [c.name, []]));
  if (wanted.length === 0) return samples;
  const select = wanted.map((c, i) => `CAST(${ident(c.name)} AS VARCHAR) AS s${i}`).join(', ');
  // A fixed seed keeps the sample (and so the detected types) the same from run to run.
  const rows = await db.rows(
    `SELECT ${select} FROM main.${ident(table)} USING SAMPLE reservoir(${SEMANTIC_SAMPLE} ROWS) REPEATABLE (42)`,
  );
  for (const row of rows) {
    wanted.forEach((c, i) => {
      const value = row[`s${i}`];
      if (value !== null && value !== undefined) samples.get(c.name)?.push(asText(value));
    });
  }
  return samples;
}

function readQuantiles(value: JsonValue | undefined): Quantiles | null {
  if (!Array.isArray(value) || value.length !== QUANTILE_POINTS.length) return null;
  const [p05, p25, p50, p75, p95] = value.map((v) => Number(v));
  return { p05, p25, p50, p75, p95 };
}

function readTop(candidates: JsonValue[], counts: JsonValue | undefined): TopValue[] {
  const byIndex = new Map<number, number>();
  for (const entry of (counts as { key: number; value: number }[] | null) ?? []) {
    byIndex.set(Number(entry.key), Number(entry.value));
  }
  const top = candidates
    .map((value, i) => ({ value, count: byIndex.get(i + 1) ?? 0 }))
    .filter((t) => t.count > 0)
    .sort((a, b) => b.count - a.count || asText(a.value).localeCompare(asText(b.value)));
  // When no value repeats, the "top" values are an arbitrary handful and say nothing.
  return top.length > 0 && top[0].count === 1 ? [] : top;
}

/**
 * Profiles a table inside DuckDB: one aggregate pass for counts, extremes, moments, quantiles and
 * top-value candidates; a second for histograms, exact top counts and correlations; and a small
 * seeded sample for semantic types. Nothing is stored; see `saveProfile`.
 */
export async function profileTable(
  db: Database,
  table: string,
  options: ProfileOptions = {},
): Promise<TableProfile> {
  const started = performance.now();
  const schema = await describeTable(db, table);
  const relation = `main.${ident(table)}`;
  const plans: ColumnPlan[] = schema.columns.map((c, index) => ({
    index,
    name: c.name,
    type: c.type,
    kind: columnKind(c.type),
  }));
  const exact = options.exact ?? schema.rows <= EXACT_ROWS;
  const [first = {}] = await db.rows(firstPassSql(relation, plans, exact));
  const rows = Number(first.rows ?? 0);

  const second: SecondPassColumn[] = plans.map((column) => {
    const p = `c${column.index}_`;
    const x = binnedExpr(column);
    let edges: number[] | null = null;
    if (x) {
      const min =
        column.kind === 'temporal' ? Date.parse(asText(first[`${p}min`])) / 1000 : num(first[`${p}min`]);
      const max =
        column.kind === 'temporal' ? Date.parse(asText(first[`${p}max`])) / 1000 : num(first[`${p}max`]);
      if (min !== null && max !== null) edges = histogramEdges(min, max, isIntegerType(column.type));
      if (edges?.length === 0) edges = null;
    }
    const top = ((first[`${p}top`] as JsonValue[] | null) ?? []).filter((v) => v !== null);
    return { column, edges, top, topExpr: topExpr(column) };
  });
  const numeric = plans.filter((c) => c.kind === 'numeric').slice(0, MAX_CORRELATED);
  const correlated = options.correlation === false ? [] : numeric;
  const secondSql = secondPassSql(relation, second, correlated, sqlValue);
  const [secondRow = {}] = secondSql ? await db.rows(secondSql) : [];
  const samples = await sampleValues(db, table, plans);

  const columns: ColumnProfile[] = second.map(({ column, edges, top }) => {
    const p = `c${column.index}_`;
    const nonNull = Number(first[`${p}n`] ?? 0);
    const distinct = Number(first[`${p}d`] ?? 0);
    const allDistinct = exact ? distinct === nonNull : distinct >= nonNull * 0.98;
    const { semantic, share } = detectSemantic({
      kind: column.kind,
      type: column.type,
      sample: samples.get(column.name) ?? [],
      allDistinct,
      nonNull,
    });
    return {
      name: column.name,
      type: column.type,
      kind: column.kind,
      nulls: rows - nonNull,
      null_rate: rows === 0 ? 0 : (rows - nonNull) / rows,
      distinct,
      approximate: !exact,
      min: first[`${p}min`] ?? null,
      max: first[`${p}max`] ?? null,
      mean: num(first[`${p}mean`]),
      std: num(first[`${p}std`]),
      quantiles: readQuantiles(first[`${p}q`]),
      histogram: edges ? readHistogram(edges, secondRow[`${p}h`]) : null,
      top: readTop(top, secondRow[`${p}tc`]),
      length:
        column.kind === 'text' && nonNull > 0
          ? {
              min: Number(first[`${p}lmin`]),
              mean: Number(first[`${p}lmean`]),
              max: Number(first[`${p}lmax`]),
            }
          : null,
      semantic,
      semantic_share: share,
    };
  });

  const correlation: CorrelationMatrix = {
    columns: correlated.map((c) => c.name),
    matrix: correlated.map((_, a) =>
      correlated.map((__, b) => {
        if (a === b) return columns[correlated[a].index].std ? 1 : null;
        const key = a < b ? `r_${a}_${b}` : `r_${b}_${a}`;
        const r = num(secondRow[key]);
        return r === null || Number.isNaN(r) ? null : r;
      }),
    ),
  };
  return {
    id: randomUUID(),
    table,
    rows,
    profiled_at: new Date().toISOString(),
    seconds: (performance.now() - started) / 1000,
    columns,
    correlation,
  };
}
