import { CairnError } from '../core/errors.js';
import type { Database } from '../warehouse/database.js';
import { ident } from '../warehouse/sql.js';
import type { Identity } from './identity.js';
import type { ReaderView } from './reader-view.js';
import { queryRefs } from './secure-query.js';

/** The parts of a quality rule that decide what it reads (the rules contract is quality/rules/spec.ts). */
export interface RuleReads {
  check: string;
  column?: string;
  columns?: string[];
  /** references: the table looked up. */
  table?: string;
  ref_column?: string;
  /** drift: a reference table (or a stored profile). */
  reference?: { table?: string; column?: string; profile?: string };
  /** sql: a predicate over one row. */
  predicate?: string;
}

/** Checks that say no more about a hidden column than its masked form shows (nulls, repeats). */
const SAFE_ON_HIDDEN = new Set(['not_null', 'unique']);

/** The masked column a rule would read beyond what its masked form shows, or null. */
export function hiddenColumnRead(rule: RuleReads, view: ReaderView): string | null {
  if (SAFE_ON_HIDDEN.has(rule.check)) return null;
  const columns = [...(rule.column ? [rule.column] : []), ...(rule.columns ?? [])];
  return columns.find((c) => view.hides(c)) ?? null;
}

export interface RuleGuardContext {
  db: Database;
  /** The caller's view of a table; throws FORBIDDEN without a grant. */
  view: (table: string) => Promise<ReaderView>;
}

function refuse(identity: Identity, index: number, why: string): never {
  throw new CairnError('FORBIDDEN', `rules[${index}]: role '${identity.role}' may not run this rule: ${why}`);
}

/**
 * Refuses rules a caller chose that would read what its role may not see. A rule's failing count
 * answers a question about the clear values, so a rule over a masked column (other than null and
 * repeat checks), a SQL predicate with subqueries or table functions, or a lookup into a table
 * without a grant would let a caller recover masked or closed data one question at a time.
 */
export async function guardRules(
  context: RuleGuardContext,
  identity: Identity,
  table: string,
  rules: readonly RuleReads[],
): Promise<void> {
  if (identity.role === 'admin') return;
  const own = await context.view(table);
  for (const [i, rule] of rules.entries()) {
    const hidden = hiddenColumnRead(rule, own);
    if (hidden) refuse(identity, i, `column '${hidden}' of '${table}' is masked for it`);
    const other = rule.check === 'references' ? rule.table : rule.reference?.table;
    if (other) {
      const view = await context.view(other);
      const column = (rule.check === 'references' ? rule.ref_column : rule.reference?.column) ?? rule.column;
      if (column && view.hides(column))
        refuse(identity, i, `column '${column}' of '${other}' is masked for it`);
    }
    if (rule.predicate !== undefined) await guardPredicate(context, identity, table, own, i, rule.predicate);
  }
}

async function guardPredicate(
  context: RuleGuardContext,
  identity: Identity,
  table: string,
  own: ReaderView,
  index: number,
  predicate: string,
): Promise<void> {
  const refs = await context.db.use((c) =>
    queryRefs(c, `SELECT 1 FROM main.${ident(table)} WHERE (${predicate})`),
  );
  if (refs.functions.length) refuse(identity, index, `the predicate calls ${refs.functions.join(', ')}`);
  if (refs.tables.length !== 1 || refs.ctes.size)
    refuse(identity, index, 'the predicate may only look at the row being checked (no subqueries)');
  for (const column of refs.columns)
    if (own.hides(column)) refuse(identity, index, `column '${column}' of '${table}' is masked for it`);
}
