import type { Database } from '../../warehouse/database.js';
import { findAnomalies } from './anomalies.js';
import { newRunId, runRules, type CheckOptions } from './check.js';
import { metricHistory, recordRun, type CheckReport, type Trigger } from './history.js';
import { requireRuleSet } from './ruleset-store.js';
import type { RuleSet } from './spec.js';

export interface CheckTableOptions extends CheckOptions {
  /** The rules to run; default the table's saved rule set. */
  rules?: RuleSet;
  trigger?: Trigger;
  /** Keep the run in the history (default true). */
  record?: boolean;
}

/**
 * Checks a table against a rule set, flags volume and null-rate anomalies against earlier runs,
 * and keeps the run in the history. The one service behind `cairn check`, the HTTP route and the
 * scheduler.
 */
export async function checkTable(
  db: Database,
  table: string,
  options: CheckTableOptions = {},
): Promise<CheckReport> {
  const rules = options.rules ?? { rules: (await requireRuleSet(db, table)).rules };
  const outcome = await runRules(db, table, rules, options);
  const history = await metricHistory(db, table);
  const report: CheckReport = {
    table: outcome.table,
    passed: outcome.passed,
    results: outcome.results,
    rows: outcome.rows,
    anomalies: findAnomalies({ rows: outcome.rows, nullCounts: outcome.nullCounts }, history),
    run_id: newRunId(),
    trigger: options.trigger ?? 'manual',
    checked_at: outcome.checked_at,
    seconds: outcome.seconds,
  };
  if (options.record !== false) await recordRun(db, outcome, report);
  return report;
}
