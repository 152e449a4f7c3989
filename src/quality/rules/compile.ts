import { CairnError } from '../../core/errors.js';
import { checkTableName, checkTypeName, ident, literal } from '../../warehouse/sql.js';
import type { Rule } from './spec.js';

function value(v: string | number | boolean): string {
  return typeof v === 'string' ? literal(v) : String(v);
}

/** A row-level rule's failing condition over one row; NULL counts as not failing (SQL CHECK semantics). */
export function failCondition(rule: Rule): string | null {
  switch (rule.check) {
    case 'not_null':
      return `${ident(rule.column)} IS NULL`;
    case 'range': {
      const e = ident(rule.column);
      const parts = [];
      if (rule.min !== undefined) parts.push(`${e} < ${value(rule.min)}`);
      if (rule.max !== undefined) parts.push(`${e} > ${value(rule.max)}`);
      return `coalesce(${parts.join(' OR ')}, false)`;
    }
    case 'in_set':
      return `(${ident(rule.column)} IS NOT NULL AND ${ident(rule.column)} NOT IN (${rule.values.map(value).join(', ')}))`;
    case 'regex':
      return `(${ident(rule.column)} IS NOT NULL AND NOT regexp_matches(CAST(${ident(rule.column)} AS VARCHAR), ${literal(rule.pattern)}))`;
    case 'type':
      return `(${ident(rule.column)} IS NOT NULL AND TRY_CAST(${ident(rule.column)} AS ${checkTypeName(rule.type, rule.column)}) IS NULL)`;
    case 'sql':
      return `coalesce(NOT (${rule.predicate}), false)`;
    case 'references': {
      checkTableName(rule.table);
      const ref = ident(rule.ref_column ?? rule.column);
      return `(${ident(rule.column)} IS NOT NULL AND ${ident(rule.column)} NOT IN (SELECT ${ref} FROM main.${ident(rule.table)} WHERE ${ref} IS NOT NULL))`;
    }
    default:
      return null;
  }
}

/** The key columns of a unique rule. */
export function uniqueKey(rule: Rule & { check: 'unique' }): string[] {
  return rule.columns ?? (rule.column ? [rule.column] : []);
}

/** A table-level rule's observed value, as one aggregate over the table. */
export function observedAggregate(rule: Rule): string | null {
  switch (rule.check) {
    case 'row_count':
      return 'count(*)';
    case 'freshness':
      return `CAST(max(${ident(rule.column)}) AS VARCHAR)`;
    case 'mean':
      return `avg(CAST(${ident(rule.column)} AS DOUBLE))`;
    case 'quantile':
      return `quantile_cont(CAST(${ident(rule.column)} AS DOUBLE), ${rule.q})`;
    default:
      return null;
  }
}

/** Whether a table-level rule passes, as one aggregate (so freshness uses the database's clock). */
export function passAggregate(rule: Rule): string | null {
  const within = (expr: string, min?: number, max?: number) => {
    const parts = [];
    if (min !== undefined) parts.push(`${expr} >= ${min}`);
    if (max !== undefined) parts.push(`${expr} <= ${max}`);
    return `coalesce(${parts.join(' AND ')}, false)`;
  };
  switch (rule.check) {
    case 'row_count':
      return within('count(*)', rule.min, rule.max);
    case 'freshness':
      return `coalesce(max(${ident(rule.column)}) >= now() - INTERVAL ${literal(rule.max_age.trim())}, false)`;
    case 'mean':
    case 'quantile':
      return within(observedAggregate(rule) as string, rule.min, rule.max);
    default:
      return null;
  }
}

/** Names every column a rule refers to, so a typo is reported before any SQL runs. */
export function referencedColumns(rule: Rule): string[] {
  if (rule.check === 'unique') return uniqueKey(rule);
  if ('column' in rule && typeof rule.column === 'string') return [rule.column];
  return [];
}

export function checkRuleColumns(rules: Rule[], table: string, columns: string[]): void {
  const known = new Set(columns);
  rules.forEach((rule, i) => {
    const missing = referencedColumns(rule).filter((c) => !known.has(c));
    if (missing.length) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `rule ${i + 1} (${rule.check}) names column '${missing[0]}', which table '${table}' does not have; it has ${columns.join(', ')}`,
      );
    }
  });
}
