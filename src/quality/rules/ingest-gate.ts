import type { DuckDBConnection } from '@duckdb/node-api';
import { CairnError } from '../../core/errors.js';
import type { Database } from '../../warehouse/database.js';
import { wrapSql } from '../../warehouse/database.js';
import type { IngestGateInput } from '../../warehouse/ingest/gate.js';
import { ident, literal } from '../../warehouse/sql.js';
import { asText, toJsonRows } from '../../warehouse/values.js';
import { checkRuleColumns, failCondition, uniqueKey } from './compile.js';
import { newRunId, type RuleResult } from './check.js';
import { recordRun, type CheckReport } from './history.js';
import { findRuleSet } from './ruleset-store.js';
import { ruleColumns, type Rule } from './spec.js';

/** Checks that judge single records; table-level ones (row counts, drift…) run on `cairn check` instead. */
const ROW_CHECKS = new Set(['not_null', 'range', 'in_set', 'regex', 'type', 'sql', 'references', 'unique']);

async function rows(connection: DuckDBConnection, sql: string) {
  return toJsonRows(await wrapSql(sql, connection.runAndReadAll(sql)));
}

async function columnsOf(connection: DuckDBConnection, table: string): Promise<string[]> {
  const found = await rows(
    connection,
    `SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ${literal(table)} ORDER BY column_index`,
  );
  return found.map((r) => asText(r.column_name));
}

/**
 * A unique rule at ingest: a record fails when its key repeats an earlier record of the same load,
 * or (appending) a row already in the table. Upserts replace by key, so there only the load itself counts.
 */
function uniqueCondition(
  rule: Rule & { check: 'unique' },
  input: IngestGateInput,
  targetExists: boolean,
): string {
  const key = uniqueKey(rule).map(ident);
  const present = key.map((k) => `${k} IS NOT NULL`).join(' AND ');
  const repeats = `rowid IN (SELECT __row FROM (SELECT rowid AS __row, row_number() OVER (PARTITION BY ${key.join(', ')} ORDER BY rowid) AS __k FROM ${input.stage} WHERE ${present}) WHERE __k > 1)`;
  if (input.mode !== 'append' || !targetExists) return repeats;
  const match = key.map((k) => `t.${k} = s.${k}`).join(' AND ');
  return `(${repeats} OR EXISTS (SELECT 1 FROM main.${ident(input.table)} AS t WHERE ${match}))`;
}

const shown = (column: string) => `left(CAST(${ident(column)} AS VARCHAR), 200)`;

/** SQL for why a record failed a rule, naming the column, the value and what was expected. */
function reasonExpr(rule: Rule, label: string): string {
  const text = (template: string, ...args: string[]) =>
    `format(${literal(`${label}: ${template}`)}${args.map((a) => `, ${a}`).join('')})`;
  switch (rule.check) {
    case 'not_null':
      return literal(`${label}: the value is missing`);
    case 'range':
      return text(`holds {}; expected ${rule.min ?? '-∞'} to ${rule.max ?? '∞'}`, shown(rule.column));
    case 'in_set':
      return text(`holds '{}'; expected one of ${rule.values.join(', ')}`, shown(rule.column));
    case 'regex':
      return text(`holds '{}', which does not match ${rule.pattern}`, shown(rule.column));
    case 'type':
      return text(`holds '{}'; expected ${rule.type}`, shown(rule.column));
    case 'references':
      return text(
        `holds '{}', which is not in ${rule.table}.${rule.ref_column ?? rule.column}`,
        shown(rule.column),
      );
    case 'unique':
      return literal(
        `${label}: the key repeats an earlier record of this load or a row already in the table`,
      );
    case 'sql':
      return literal(`${label}: predicate ${rule.predicate} is false`);
    default:
      return literal(`${label} failed`);
  }
}

function ruleLabel(rule: Rule, index: number): string {
  const cols = ruleColumns(rule);
  const on = cols.column ? ` '${cols.column}'` : cols.columns ? ` (${cols.columns.join(', ')})` : '';
  return `rule ${index + 1} ${rule.name ?? rule.check}${on}`;
}

/**
 * The quality gate: a table's saved `error` row rules run on every load into it. Per the table's
 * policy, failing records either stop the whole load (block) or go to TABLE__quarantine with the
 * rules they broke (quarantine). Each gated load is kept in the check history as an `ingest` run.
 */
export async function runQualityGate(db: Database, input: IngestGateInput): Promise<void> {
  {
    const saved = await findRuleSet(db, input.table);
    if (!saved || saved.policy === 'off') return;
    const { connection, stage } = input;
    const rules = saved.rules
      .map((rule, index) => ({ rule, index }))
      .filter(({ rule }) => rule.severity === 'error' && ROW_CHECKS.has(rule.check));
    if (rules.length === 0) return;
    const stageColumns = await columnsOf(connection, stage);
    checkRuleColumns(
      rules.map((r) => r.rule),
      input.table,
      stageColumns,
    );
    const targetExists = (await columnsOf(connection, input.table)).length > 0;
    const conditions = rules.map(({ rule }) =>
      rule.check === 'unique' ? uniqueCondition(rule, input, targetExists) : (failCondition(rule) as string),
    );

    const [counts = {}] = await rows(
      connection,
      `SELECT count(*) AS n, ${conditions.map((c, i) => `count(*) FILTER (WHERE ${c}) AS f${i}`).join(', ')} FROM ${stage} AS s`,
    );
    const results: RuleResult[] = [];
    for (const [i, { rule }] of rules.entries()) {
      const failing = Number(counts[`f${i}`] ?? 0);
      const sample = failing
        ? await rows(connection, `SELECT * FROM ${stage} AS s WHERE ${conditions[i]} LIMIT 5`)
        : [];
      results.push({
        check: rule.check,
        ...ruleColumns(rule),
        severity: rule.severity,
        passed: failing === 0,
        failing,
        sample,
        ...(rule.name ? { name: rule.name } : {}),
        message: failing
          ? `${failing} loaded records fail ${ruleLabel(rule, rules[i].index)}`
          : 'no loaded record fails',
      });
    }
    const failed = results.filter((r) => !r.passed);
    const report: CheckReport = {
      table: input.table,
      passed: failed.length === 0,
      results,
      rows: Number(counts.n ?? 0),
      anomalies: [],
      run_id: newRunId(),
      trigger: 'ingest',
      checked_at: new Date().toISOString(),
      seconds: 0,
    };
    await recordRun(
      db,
      {
        table: input.table,
        passed: report.passed,
        results,
        rows: report.rows,
        nullCounts: {},
        checked_at: report.checked_at,
        seconds: 0,
      },
      report,
    );
    if (failed.length === 0) return;

    if (saved.policy === 'block') {
      const first = failed[0];
      throw new CairnError(
        'INVALID_ARGUMENT',
        `ingest into '${input.table}' blocked by its rules (policy block): ${failed.map((r) => r.message).join('; ')}; ` +
          `first failing record ${JSON.stringify(first.sample[0] ?? {})}; the table was left as it was`,
      );
    }
    const reasons = rules.map(
      ({ rule, index }, i) =>
        `CASE WHEN ${conditions[i]} THEN ${reasonExpr(rule, ruleLabel(rule, index))} END`,
    );
    const codes = rules.map(
      ({ rule }, i) => `CASE WHEN ${conditions[i]} THEN ${literal(`RULE_${rule.check.toUpperCase()}`)} END`,
    );
    const any = conditions.map((c) => `(${c})`).join(' OR ');
    const marked = `${stage}_rule_failures`;
    const sql = `
      CREATE TEMP TABLE ${marked} AS
        SELECT rowid AS __row, concat_ws(',', ${codes.join(', ')}) AS __codes, concat_ws('; ', ${reasons.join(', ')}) AS __reason
        FROM ${stage} AS s WHERE ${any};
      INSERT INTO ${input.quarantine}
        SELECT NULL, CAST(to_json(s) AS VARCHAR), m.__codes, m.__reason
        FROM ${stage} AS s JOIN ${marked} AS m ON s.rowid = m.__row ORDER BY m.__row;
      DELETE FROM ${stage} WHERE rowid IN (SELECT __row FROM ${marked});
      DROP TABLE ${marked};`;
    await wrapSql(sql, connection.run(sql));
  }
}
