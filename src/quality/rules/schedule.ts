import type { Database } from '../../warehouse/database.js';
import { errorMessage } from '../../core/errors.js';
import { ensureQualityTables, QUALITY_TABLES } from '../store.js';
import { asText } from '../../warehouse/values.js';
import type { CheckReport } from './history.js';
import { checkSchedule } from './ruleset-store.js';
import { checkTable } from './run.js';

export interface ScheduledRun {
  table: string;
  due: string;
  report?: CheckReport;
  error?: string;
}

/**
 * Runs every stored rule set whose cron schedule fell due since it last ran (or since it was saved)
 * and no later than `now`. A job scheduler calls this each minute; until Cairn has one,
 * `cairn rules run-due` (from the system's cron) does. A missed slot runs once, not once per slot.
 */
export async function runDueChecks(db: Database, now: Date = new Date()): Promise<ScheduledRun[]> {
  await ensureQualityTables(db);
  const rows = await db.rows(
    `SELECT table_name, schedule, strftime(coalesce(last_scheduled_at, updated_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS since
     FROM ${QUALITY_TABLES.rulesets} WHERE schedule IS NOT NULL ORDER BY table_name`,
  );
  const runs: ScheduledRun[] = [];
  for (const row of rows) {
    const table = asText(row.table_name);
    const due = checkSchedule(asText(row.schedule)).nextRun(new Date(asText(row.since)));
    if (!due || due > now) continue;
    const run: ScheduledRun = { table, due: due.toISOString() };
    try {
      run.report = await checkTable(db, table, { trigger: 'schedule' });
    } catch (error) {
      // One table's failure (dropped table, broken rule) must not stop the others' checks.
      run.error = errorMessage(error);
    }
    await db.run(`UPDATE ${QUALITY_TABLES.rulesets} SET last_scheduled_at = $1 WHERE table_name = $2`, [
      now.toISOString(),
      table,
    ]);
    runs.push(run);
  }
  return runs;
}
