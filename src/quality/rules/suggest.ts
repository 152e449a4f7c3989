import { asText } from '../../warehouse/values.js';
import type { Database } from '../../warehouse/database.js';
import { ident } from '../../warehouse/sql.js';
import type { ColumnProfile, TableProfile } from '../profile/types.js';
import type { RuleSetInput } from './spec.js';

/** Largest number of distinct values for which an allowed set is proposed. */
export const MAX_SET = 12;

type SuggestedRule = RuleSetInput['rules'][number];

const EMAIL_PATTERN = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';
const URL_PATTERN = '^(https?|ftp)://\\S+$';

function rangeOf(column: ColumnProfile): SuggestedRule | null {
  if (column.kind !== 'numeric' || typeof column.min !== 'number' || typeof column.max !== 'number')
    return null;
  return { check: 'range', column: column.name, min: column.min, max: column.max, severity: 'warn' };
}

function setOf(column: ColumnProfile, rows: number): SuggestedRule | null {
  if (column.kind !== 'text' || column.distinct > MAX_SET || column.top.length !== column.distinct)
    return null;
  // A set seen only a handful of times is a guess, not a domain.
  if (rows - column.nulls < 5 * column.distinct) return null;
  const values = column.top.map((t) => asText(t.value)).sort();
  return { check: 'in_set', column: column.name, values };
}

/**
 * Proposes a rule set from a profile: not-null where no value is missing, unique where every value
 * is distinct (confirmed exactly in DuckDB when the profile only estimated it), observed ranges
 * (as warnings), allowed sets for short categorical columns, and patterns for emails and URLs.
 * The result is a rules document to review, edit and save; nothing is stored.
 */
export async function suggestRules(db: Database, profile: TableProfile): Promise<RuleSetInput> {
  const rules: SuggestedRule[] = [];
  if (profile.rows > 0) rules.push({ check: 'row_count', min: 1, severity: 'warn' });
  for (const column of profile.columns) {
    if (profile.rows === 0) break;
    if (column.nulls === 0) rules.push({ check: 'not_null', column: column.name });
    // Sketched distinct counts can be off by a couple of percent either way; the exact query decides.
    const looksDistinct = column.approximate
      ? column.distinct >= 0.97 * profile.rows
      : column.distinct === profile.rows;
    const candidateKey =
      looksDistinct &&
      column.nulls === 0 &&
      profile.rows > 1 &&
      (column.kind === 'text' || (column.kind === 'numeric' && /INT|UUID/.test(column.type)));
    if (candidateKey && (!column.approximate || (await isUnique(db, profile.table, column.name)))) {
      rules.push({ check: 'unique', columns: [column.name] });
    }
    const range = rangeOf(column);
    if (range) rules.push(range);
    const set = setOf(column, profile.rows);
    if (set) rules.push(set);
    if (column.semantic === 'email')
      rules.push({ check: 'regex', column: column.name, pattern: EMAIL_PATTERN });
    if (column.semantic === 'url') rules.push({ check: 'regex', column: column.name, pattern: URL_PATTERN });
  }
  return { table: profile.table, rules };
}

async function isUnique(db: Database, table: string, column: string): Promise<boolean> {
  const [row] = await db.rows(
    `SELECT count(*) = count(DISTINCT ${ident(column)}) AS ok FROM main.${ident(table)} WHERE ${ident(column)} IS NOT NULL`,
  );
  return row?.ok === true;
}
