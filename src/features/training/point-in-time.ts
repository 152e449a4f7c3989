import { ident, literal } from '../../warehouse/sql.js';
import { lookbackMs, type FeatureDef, type FeatureView } from '../views/feature-view.js';

/** The view's events as `(__entity VARCHAR, __ms BIGINT, columns…)`: entity as text, event time in epoch ms. */
export function eventsSql(view: FeatureView): string {
  const from = 'table' in view.source ? `main.${ident(view.source.table)}` : `(${view.source.sql})`;
  const columns = [...new Set(view.features.flatMap((f) => (f.column === null ? [] : [f.column])))];
  const extra = columns.map((c) => `, ${ident(c)}`).join('');
  return `SELECT CAST(${ident(view.entity)} AS VARCHAR) AS __entity, epoch_ms(CAST(${ident(view.timestamp)} AS TIMESTAMP)) AS __ms${extra}
    FROM ${from} AS __source WHERE ${ident(view.entity)} IS NOT NULL AND ${ident(view.timestamp)} IS NOT NULL`;
}

function aggregateSql(view: FeatureView, feature: FeatureDef): string {
  const range = lookbackMs(view, feature);
  const inRange = range === null ? '' : ` FILTER (WHERE e.__ms > l.__ms - ${range})`;
  const col = feature.column === null ? '' : `e.${ident(feature.column)}`;
  const out = ident(feature.name);
  switch (feature.agg) {
    case 'count':
      return `count(${col || 'e.__ms'})${inRange} AS ${out}`;
    case 'sum':
      return `coalesce(sum(${col})${inRange}, 0) AS ${out}`;
    case 'mean':
      return `avg(${col})${inRange} AS ${out}`;
    case 'min':
      return `min(${col})${inRange} AS ${out}`;
    case 'max':
      return `max(${col})${inRange} AS ${out}`;
    case 'std':
      return `stddev_samp(${col})${inRange} AS ${out}`;
    case 'distinct':
      return `count(DISTINCT ${col})${inRange} AS ${out}`;
    case 'last':
      return `arg_max(${col}, e.__ms)${inRange} AS ${out}`;
  }
}

/**
 * Point-in-time join: every row of `labelsSql` (which has the view's entity column and a `tsColumn`)
 * plus one column per feature, computed only from events at or before the row's time — a window
 * `w` covers (ts − w, ts]; `last` and unwindowed features look back the view's TTL when it has one.
 * Rows keep their input order; an entity without events gets null, count, sum and distinct get 0.
 */
export function pointInTimeSql(view: FeatureView, labelsSql: string, tsColumn = 'ts'): string {
  const ranges = view.features.map((f) => lookbackMs(view, f));
  const longest = ranges.some((r) => r === null) ? null : Math.max(...(ranges as number[]));
  const lower = longest === null ? '' : ` AND e.__ms > l.__ms - ${longest}`;
  const zeroes = new Set(
    view.features
      .filter((f) => f.agg === 'count' || f.agg === 'sum' || f.agg === 'distinct')
      .map((f) => f.name),
  );
  const outputs = view.features
    .map((f) =>
      zeroes.has(f.name) ? `coalesce(f.${ident(f.name)}, 0) AS ${ident(f.name)}` : `f.${ident(f.name)}`,
    )
    .join(', ');
  return `WITH labels AS (
      SELECT *, row_number() OVER () AS __row FROM (${labelsSql}) AS __labels
    ), keyed AS (
      SELECT __row, CAST(${ident(view.entity)} AS VARCHAR) AS __entity, epoch_ms(CAST(${ident(tsColumn)} AS TIMESTAMP)) AS __ms FROM labels
    ), events AS (${eventsSql(view)}),
    features AS (
      SELECT l.__row, ${view.features.map((f) => aggregateSql(view, f)).join(', ')}
      FROM keyed l JOIN events e ON e.__entity = l.__entity AND e.__ms <= l.__ms${lower}
      GROUP BY l.__row
    )
    SELECT labels.* EXCLUDE (__row), ${outputs}
    FROM labels LEFT JOIN features f ON f.__row = labels.__row
    ORDER BY labels.__row`;
}

/** Every entity of the view with its features as of `asOf` (one row per entity seen at or before it). */
export function asOfSql(view: FeatureView, asOf: Date): string {
  const at = literal(asOf.toISOString().replace('T', ' ').replace('Z', ''));
  const labels = `SELECT DISTINCT __entity AS ${ident(view.entity)}, CAST(${at} AS TIMESTAMP) AS __as_of
    FROM (${eventsSql(view)}) WHERE __ms <= epoch_ms(CAST(${at} AS TIMESTAMP))`;
  return pointInTimeSql(view, labels, '__as_of');
}
