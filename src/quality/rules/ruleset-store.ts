import { Cron } from 'croner';
import { CairnError, errorMessage } from '../../core/errors.js';
import type { Database } from '../../warehouse/database.js';
import { describeTable } from '../../warehouse/catalog.js';
import { asText } from '../../warehouse/values.js';
import { ensureQualityTables, QUALITY_TABLES } from '../store.js';
import { checkRuleColumns } from './compile.js';
import { parseRuleSet, type RuleSet } from './spec.js';

export const INGEST_POLICIES = ['block', 'quarantine', 'off'] as const;
export type IngestPolicy = (typeof INGEST_POLICIES)[number];
/** Bad rows are set aside rather than stopping the load, as everywhere else in ingest. */
export const DEFAULT_POLICY: IngestPolicy = 'quarantine';

export interface StoredRuleSet {
  table: string;
  policy: IngestPolicy;
  schedule: string | null;
  rules: RuleSet['rules'];
  updated_at: string;
  /** When the schedule is next due, if it has one. */
  next_run: string | null;
}

/** Throws unless `schedule` is a cron expression croner accepts (5 fields, or 6 with seconds). */
export function checkSchedule(schedule: string): Cron {
  try {
    return new Cron(schedule, { paused: true, timezone: 'UTC' });
  } catch (error) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `schedule '${schedule}' is not a cron expression: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
}

export function nextRun(schedule: string | null, after: Date): string | null {
  if (!schedule) return null;
  return checkSchedule(schedule).nextRun(after)?.toISOString() ?? null;
}

/** Stores (or replaces) a table's rule set with its ingest policy and schedule. */
export async function saveRuleSet(db: Database, table: string, ruleSet: RuleSet): Promise<StoredRuleSet> {
  await ensureQualityTables(db);
  const schema = await describeTable(db, table);
  if (ruleSet.table && ruleSet.table !== table) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `the rules file is for table '${ruleSet.table}', not '${table}'`,
    );
  }
  checkRuleColumns(
    ruleSet.rules,
    table,
    schema.columns.map((c) => c.name),
  );
  if (ruleSet.schedule) checkSchedule(ruleSet.schedule);
  const policy = ruleSet.on_ingest ?? DEFAULT_POLICY;
  await db.run(`INSERT OR REPLACE INTO ${QUALITY_TABLES.rulesets} VALUES ($1, $2, $3, $4, NULL, now())`, [
    table,
    JSON.stringify(ruleSet.rules),
    policy,
    ruleSet.schedule ?? null,
  ]);
  return (await findRuleSet(db, table)) as StoredRuleSet;
}

/** A table's stored rule set, or null when it has none. */
export async function findRuleSet(db: Database, table: string): Promise<StoredRuleSet | null> {
  await ensureQualityTables(db);
  const [row] = await db.rows(
    `SELECT table_name, rules, policy, schedule, strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS updated
     FROM ${QUALITY_TABLES.rulesets} WHERE table_name = $1`,
    [table],
  );
  if (!row) return null;
  const schedule = row.schedule === null ? null : asText(row.schedule);
  const parsed = parseRuleSet(
    { rules: JSON.parse(asText(row.rules)) as unknown },
    `stored rules of '${table}'`,
  );
  return {
    table,
    policy: asText(row.policy) as IngestPolicy,
    schedule,
    rules: parsed.rules,
    updated_at: asText(row.updated),
    next_run: nextRun(schedule, new Date()),
  };
}

export async function requireRuleSet(db: Database, table: string): Promise<StoredRuleSet> {
  const found = await findRuleSet(db, table);
  if (!found) {
    throw new CairnError(
      'NOT_FOUND',
      `table '${table}' has no saved rules; pass a rules file, or save one with \`cairn rules save ${table} FILE\``,
    );
  }
  return found;
}

export async function listRuleSets(db: Database): Promise<StoredRuleSet[]> {
  await ensureQualityTables(db);
  const rows = await db.rows(`SELECT table_name FROM ${QUALITY_TABLES.rulesets} ORDER BY table_name`);
  const sets = await Promise.all(rows.map((r) => findRuleSet(db, asText(r.table_name))));
  return sets.filter((s): s is StoredRuleSet => s !== null);
}

export async function deleteRuleSet(db: Database, table: string): Promise<void> {
  await requireRuleSet(db, table);
  await db.run(`DELETE FROM ${QUALITY_TABLES.rulesets} WHERE table_name = $1`, [table]);
}
