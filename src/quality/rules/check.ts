import { randomUUID } from 'node:crypto';
import type { Database } from '../../warehouse/database.js';
import { describeTable } from '../../warehouse/catalog.js';
import { ident } from '../../warehouse/sql.js';
import type { JsonRow, JsonValue } from '../../warehouse/values.js';
import { checkRuleColumns, failCondition, observedAggregate, passAggregate, uniqueKey } from './compile.js';
import { measureDrift } from './drift.js';
import { ruleColumns, type CheckName, type Rule, type RuleSet, type Severity } from './spec.js';

/** Sample rows shown per failing rule. */
export const SAMPLE_ROWS = 5;

/** One rule's outcome; `failing` counts rows for row rules and is 0 or 1 for table-level rules. */
export interface RuleResult {
  check: CheckName;
  column?: string;
  columns?: string[];
  severity: Severity;
  passed: boolean;
  failing: number;
  sample: JsonRow[];
  name?: string;
  /** Table-level rules: the measured value (row count, newest timestamp, mean, quantile, PSI/KS). */
  observed?: JsonValue;
  message: string;
}

export interface CheckOutcome {
  table: string;
  /** False when any `error` rule failed; `warn` rules never fail a check. */
  passed: boolean;
  results: RuleResult[];
  rows: number;
  /** Null values per column at the time of the check, kept for volume and null-rate anomalies. */
  nullCounts: Record<string, number>;
  checked_at: string;
  seconds: number;
}

const plural = (n: number, word: string) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

function describe(rule: Rule, failing: number, observed?: JsonValue): string {
  const where = 'column' in rule && rule.column ? ` '${rule.column}'` : '';
  switch (rule.check) {
    case 'unique':
      return failing
        ? `${plural(failing, 'row')} share their ${uniqueKey(rule).join(', ')} with another row`
        : 'all keys unique';
    case 'row_count':
    case 'freshness':
    case 'mean':
    case 'quantile':
    case 'drift':
      return `${rule.check}${where} observed ${JSON.stringify(observed)}${failing ? ' — outside the bounds' : ''}`;
    default:
      return failing
        ? `${plural(failing, 'row')} fail ${rule.check}${where}`
        : `${rule.check}${where} holds for every row`;
  }
}

function result(rule: Rule, failing: number, sample: JsonRow[], observed?: JsonValue): RuleResult {
  return {
    check: rule.check,
    ...ruleColumns(rule),
    severity: rule.severity,
    passed: failing === 0,
    failing,
    sample,
    ...(rule.name ? { name: rule.name } : {}),
    ...(observed !== undefined ? { observed } : {}),
    message: describe(rule, failing, observed),
  };
}

async function checkUnique(
  db: Database,
  relation: string,
  rule: Rule & { check: 'unique' },
  sampleSize: number,
) {
  const key = uniqueKey(rule).map(ident);
  const present = key.map((k) => `${k} IS NOT NULL`).join(' AND ');
  const [row] = await db.rows(
    `SELECT coalesce(sum(n), 0) AS failing FROM (SELECT count(*) AS n FROM ${relation} WHERE ${present} GROUP BY ${key.join(', ')} HAVING count(*) > 1)`,
  );
  const failing = Number(row?.failing ?? 0);
  const sample = failing
    ? await db.rows(
        `SELECT * FROM ${relation} WHERE ${present} QUALIFY count(*) OVER (PARTITION BY ${key.join(', ')}) > 1 ORDER BY ${key.join(', ')} LIMIT ${sampleSize}`,
      )
    : [];
  return result(rule, failing, sample);
}

export interface CheckOptions {
  sampleSize?: number;
}

/**
 * Runs a rule set against a table. Row rules and table-level measures share one aggregate pass
 * (with every column's null count, for anomaly history); unique, references and drift run their
 * own queries; samples are fetched only for failing rules. Results keep the rules' order.
 */
export async function runRules(
  db: Database,
  table: string,
  ruleSet: RuleSet,
  options: CheckOptions = {},
): Promise<CheckOutcome> {
  const started = performance.now();
  const sampleSize = options.sampleSize ?? SAMPLE_ROWS;
  const schema = await describeTable(db, table);
  const relation = `main.${ident(table)}`;
  const rules = ruleSet.rules;
  checkRuleColumns(
    rules,
    table,
    schema.columns.map((c) => c.name),
  );

  const aggregates = ['count(*) AS "rows"'];
  schema.columns.forEach((c, i) => aggregates.push(`count(*) - count(${ident(c.name)}) AS null_${i}`));
  const conditions = rules.map((rule) => (rule.check === 'references' ? null : failCondition(rule)));
  rules.forEach((rule, i) => {
    const condition = conditions[i];
    if (condition) aggregates.push(`count(*) FILTER (WHERE ${condition}) AS fail_${i}`);
    const observed = observedAggregate(rule);
    if (observed) aggregates.push(`${observed} AS observed_${i}`, `${passAggregate(rule)} AS pass_${i}`);
  });
  const [totals = {}] = await db.rows(`SELECT ${aggregates.join(',\n  ')} FROM ${relation}`);

  const results: RuleResult[] = [];
  for (const [i, rule] of rules.entries()) {
    if (rule.check === 'unique') {
      results.push(await checkUnique(db, relation, rule, sampleSize));
    } else if (rule.check === 'drift') {
      const drift = await measureDrift(db, table, rule);
      const r = result(
        rule,
        drift.statistic > drift.threshold ? 1 : 0,
        [],
        Math.round(drift.statistic * 1e6) / 1e6,
      );
      results.push({
        ...r,
        message: `${rule.method.toUpperCase()} of '${rule.column}' against ${drift.reference} is ${drift.statistic.toFixed(4)} (threshold ${drift.threshold})`,
      });
    } else if (rule.check === 'references') {
      const condition = failCondition(rule) as string;
      const [row] = await db.rows(`SELECT count(*) AS n FROM ${relation} WHERE ${condition}`);
      const failing = Number(row?.n ?? 0);
      const sample = failing
        ? await db.rows(`SELECT * FROM ${relation} WHERE ${condition} LIMIT ${sampleSize}`)
        : [];
      results.push(result(rule, failing, sample));
    } else if (conditions[i]) {
      const failing = Number(totals[`fail_${i}`] ?? 0);
      const sample = failing
        ? await db.rows(`SELECT * FROM ${relation} WHERE ${conditions[i]} LIMIT ${sampleSize}`)
        : [];
      results.push(result(rule, failing, sample));
    } else {
      results.push(result(rule, totals[`pass_${i}`] === true ? 0 : 1, [], totals[`observed_${i}`] ?? null));
    }
  }
  return {
    table,
    passed: results.every((r) => r.passed || r.severity === 'warn'),
    results,
    rows: Number(totals.rows ?? 0),
    nullCounts: Object.fromEntries(schema.columns.map((c, i) => [c.name, Number(totals[`null_${i}`] ?? 0)])),
    checked_at: new Date().toISOString(),
    seconds: (performance.now() - started) / 1000,
  };
}

export const newRunId = () => randomUUID();
