import { CairnError } from '../../core/errors.js';
import type { Database } from '../../warehouse/database.js';
import { describeTable, requireTable } from '../../warehouse/catalog.js';
import { ident } from '../../warehouse/sql.js';
import { asText, type JsonValue } from '../../warehouse/values.js';
import { loadProfile } from '../profile/history.js';
import { columnKind } from '../profile/kinds.js';
import type { Rule } from './spec.js';

type DriftRule = Rule & { check: 'drift' };

/** Shares below this are raised to it, so an empty bin does not make PSI infinite. */
const PSI_FLOOR = 1e-4;
const REFERENCE_BINS = 10;

export const DEFAULT_THRESHOLD = { psi: 0.2, ks: 0.1 } as const;

/** Population stability index of `actual` against `expected` shares (same bins). */
export function psi(actual: number[], expected: number[]): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = Math.max(actual[i], PSI_FLOOR);
    const e = Math.max(expected[i], PSI_FLOOR);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** Largest gap between two cumulative distributions given as counts over the same ordered bins. */
export function ksFromCounts(a: number[], b: number[]): number {
  const na = a.reduce((s, v) => s + v, 0);
  const nb = b.reduce((s, v) => s + v, 0);
  if (na === 0 || nb === 0) return 0;
  let ca = 0;
  let cb = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    ca += a[i];
    cb += b[i];
    worst = Math.max(worst, Math.abs(ca / na - cb / nb));
  }
  return worst;
}

const shares = (counts: number[]) => {
  const total = counts.reduce((s, v) => s + v, 0);
  return counts.map((c) => (total === 0 ? 0 : c / total));
};

/** Counts of a numeric expression in bins split at `cuts` (bins are (cut[i-1], cut[i]], outer ones open). */
async function binCounts(db: Database, relation: string, expr: string, cuts: number[]): Promise<number[]> {
  const counts = new Array<number>(cuts.length + 1).fill(0);
  if (cuts.length === 0) {
    const [row] = await db.rows(`SELECT count(${expr}) AS n FROM ${relation}`);
    counts[0] = Number(row?.n ?? 0);
    return counts;
  }
  const [row] = await db.rows(
    `SELECT histogram(${expr}, [${cuts.map(String).join(', ')}]::DOUBLE[]) AS h FROM ${relation}`,
  );
  for (const entry of (row?.h as { key: JsonValue; value: number }[] | null) ?? []) {
    const at = cuts.indexOf(Number(entry.key));
    counts[at === -1 ? cuts.length : at] += Number(entry.value);
  }
  return counts;
}

async function categoryCounts(db: Database, relation: string, expr: string): Promise<Map<string, number>> {
  const rows = await db.rows(
    `SELECT CAST(${expr} AS VARCHAR) AS v, count(*) AS n FROM ${relation} WHERE ${expr} IS NOT NULL GROUP BY 1`,
  );
  return new Map(rows.map((r) => [asText(r.v), Number(r.n)]));
}

/** Exact two-sample Kolmogorov–Smirnov statistic, computed in DuckDB over both columns' values. */
async function ksBetween(db: Database, a: string, ae: string, b: string, be: string): Promise<number> {
  const [row] = await db.rows(`
    WITH both_sides AS (
      SELECT ${ae} AS x, 1 AS a, 0 AS b FROM ${a} WHERE ${ae} IS NOT NULL
      UNION ALL SELECT ${be}, 0, 1 FROM ${b} WHERE ${be} IS NOT NULL),
    grouped AS (SELECT x, sum(a) AS a, sum(b) AS b FROM both_sides GROUP BY x),
    cdf AS (SELECT sum(a) OVER w / sum(a) OVER () AS fa, sum(b) OVER w / sum(b) OVER () AS fb
            FROM grouped WINDOW w AS (ORDER BY x ROWS UNBOUNDED PRECEDING))
    SELECT coalesce(max(abs(fa - fb)), 0) AS d FROM cdf`);
  return Number(row?.d ?? 0);
}

export interface DriftOutcome {
  statistic: number;
  threshold: number;
  reference: string;
}

/** Cuts at the reference's deciles, so each bin holds about a tenth of the reference. */
async function referenceCuts(db: Database, relation: string, expr: string): Promise<number[]> {
  const points = Array.from({ length: REFERENCE_BINS - 1 }, (_, i) => (i + 1) / REFERENCE_BINS);
  const [row] = await db.rows(`SELECT quantile_cont(${expr}, [${points.join(', ')}]) AS q FROM ${relation}`);
  const q = ((row?.q as number[] | null) ?? []).map(Number);
  return [...new Set(q)].sort((x, y) => x - y);
}

/**
 * PSI or KS of a column against a reference table's column or a stored profile. Against a profile
 * the comparison uses the profile's histogram bins (numbers) or top values (categories), so KS
 * there is measured at the bin edges only.
 */
export async function measureDrift(db: Database, table: string, rule: DriftRule): Promise<DriftOutcome> {
  const threshold = rule.threshold ?? DEFAULT_THRESHOLD[rule.method];
  const schema = await describeTable(db, table);
  const column = schema.columns.find((c) => c.name === rule.column);
  const numeric = column !== undefined && columnKind(column.type) === 'numeric';
  const relation = `main.${ident(table)}`;
  const expr = numeric ? `CAST(${ident(rule.column)} AS DOUBLE)` : ident(rule.column);
  if (rule.method === 'ks' && !numeric) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `drift by KS needs a numeric column; '${rule.column}' of table '${table}' is ${column?.type}; use method: psi`,
    );
  }

  if ('table' in rule.reference) {
    const refTable = await requireTable(db, rule.reference.table);
    const refRelation = `main.${ident(refTable)}`;
    const refColumn = rule.reference.column ?? rule.column;
    const refExpr = numeric ? `CAST(${ident(refColumn)} AS DOUBLE)` : ident(refColumn);
    const label = `table ${refTable}.${refColumn}`;
    if (rule.method === 'ks')
      return {
        statistic: await ksBetween(db, relation, expr, refRelation, refExpr),
        threshold,
        reference: label,
      };
    if (numeric) {
      const cuts = await referenceCuts(db, refRelation, refExpr);
      const actual = await binCounts(db, relation, expr, cuts);
      const expected = await binCounts(db, refRelation, refExpr, cuts);
      return { statistic: psi(shares(actual), shares(expected)), threshold, reference: label };
    }
    const actual = await categoryCounts(db, relation, expr);
    const expected = await categoryCounts(db, refRelation, refExpr);
    const keys = [...new Set([...actual.keys(), ...expected.keys()])];
    return {
      statistic: psi(
        shares(keys.map((k) => actual.get(k) ?? 0)),
        shares(keys.map((k) => expected.get(k) ?? 0)),
      ),
      threshold,
      reference: label,
    };
  }

  const profile = await loadProfile(db, table, rule.reference.profile);
  const label = `profile ${profile.id} (${profile.profiled_at})`;
  const stored = profile.columns.find((c) => c.name === rule.column);
  if (!stored)
    throw new CairnError(
      'INVALID_ARGUMENT',
      `profile ${profile.id} of table '${table}' has no column '${rule.column}'`,
    );
  if (numeric) {
    if (!stored.histogram)
      throw new CairnError(
        'INVALID_ARGUMENT',
        `profile ${profile.id} holds no histogram for column '${rule.column}'`,
      );
    const cuts = stored.histogram.edges.slice(1, -1);
    const actual = await binCounts(db, relation, expr, cuts);
    const expected = stored.histogram.counts;
    const statistic =
      rule.method === 'ks' ? ksFromCounts(actual, expected) : psi(shares(actual), shares(expected));
    return { statistic, threshold, reference: label };
  }
  const nonNull = profile.rows - stored.nulls;
  const values = stored.top.map((t) => asText(t.value));
  const actualCounts = await categoryCounts(db, relation, expr);
  const actualTotal = [...actualCounts.values()].reduce((s, v) => s + v, 0);
  const actual = values.map((v) => actualCounts.get(v) ?? 0);
  actual.push(actualTotal - actual.reduce((s, v) => s + v, 0));
  const expected = stored.top.map((t) => t.count);
  expected.push(nonNull - expected.reduce((s, v) => s + v, 0));
  return { statistic: psi(shares(actual), shares(expected)), threshold, reference: label };
}
