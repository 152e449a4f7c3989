import type { Database } from '../../warehouse/database.js';
import { asText } from '../../warehouse/values.js';
import { ensureQualityTables, QUALITY_TABLES } from '../store.js';
import type { Anomaly, MetricPoint } from './anomalies.js';
import type { CheckOutcome, RuleResult } from './check.js';

export const TRIGGERS = ['manual', 'ingest', 'schedule'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** A check as reported and kept: the `cairn check --json` contract plus the run's bookkeeping. */
export interface CheckReport {
  table: string;
  passed: boolean;
  results: RuleResult[];
  rows: number;
  anomalies: Anomaly[];
  run_id: string;
  trigger: Trigger;
  checked_at: string;
  seconds: number;
}

export interface RunSummary {
  run_id: string;
  table: string;
  trigger: Trigger;
  checked_at: string;
  passed: boolean;
  rows: number;
  failed_rules: number;
  anomalies: number;
}

/** Earlier runs' table metrics, oldest first, for anomaly detection. */
export async function metricHistory(db: Database, table: string, limit = 60): Promise<MetricPoint[]> {
  await ensureQualityTables(db);
  const rows = await db.rows(
    `SELECT rows, null_counts FROM (SELECT * FROM ${QUALITY_TABLES.runs} WHERE table_name = $1 AND trigger <> 'ingest' ORDER BY run_at DESC LIMIT ${limit}) ORDER BY run_at`,
    [table],
  );
  return rows.map((r) => ({
    rows: Number(r.rows),
    nullCounts: JSON.parse(asText(r.null_counts)) as Record<string, number>,
  }));
}

export async function recordRun(db: Database, outcome: CheckOutcome, report: CheckReport): Promise<void> {
  await ensureQualityTables(db);
  await db.run(`INSERT INTO ${QUALITY_TABLES.runs} VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
    report.run_id,
    report.table,
    report.checked_at,
    report.trigger,
    report.passed,
    report.rows,
    JSON.stringify(outcome.nullCounts),
    JSON.stringify(report),
  ]);
}

/** A table's check runs, newest first. */
export async function listRuns(db: Database, table: string, limit = 50): Promise<RunSummary[]> {
  await ensureQualityTables(db);
  const rows = await db.rows(
    `SELECT report FROM ${QUALITY_TABLES.runs} WHERE table_name = $1 ORDER BY run_at DESC LIMIT ${Math.max(1, Math.floor(limit))}`,
    [table],
  );
  return rows.map((r) => {
    const report = JSON.parse(asText(r.report)) as CheckReport;
    return {
      run_id: report.run_id,
      table: report.table,
      trigger: report.trigger,
      checked_at: report.checked_at,
      passed: report.passed,
      rows: report.rows,
      failed_rules: report.results.filter((x) => !x.passed).length,
      anomalies: report.anomalies.length,
    };
  });
}
