import type { Database } from '../../warehouse/database.js';
import { saveProfile } from '../profile/history.js';
import { profileTable } from '../profile/profile.js';
import type { TableProfile } from '../profile/types.js';
import type { CheckReport } from '../rules/history.js';
import { findRuleSet } from '../rules/ruleset-store.js';
import { checkTable } from '../rules/run.js';
import type { RuleSet } from '../rules/spec.js';

/** Everything a quality report shows about one table. */
export interface QualityReport {
  table: string;
  generated_at: string;
  profile: TableProfile;
  /** The check of the given rules, else of the table's saved rules; null when it has none. */
  check: CheckReport | null;
}

/** Profiles a table (keeping the profile) and checks it against the given or saved rules. */
export async function buildQualityReport(
  db: Database,
  table: string,
  rules?: RuleSet,
): Promise<QualityReport> {
  const profile = await profileTable(db, table);
  await saveProfile(db, profile);
  const ruleSet = rules ?? (await findRuleSet(db, table));
  const check = ruleSet ? await checkTable(db, table, { rules: { rules: ruleSet.rules } }) : null;
  return { table, generated_at: new Date().toISOString(), profile, check };
}
