import { createHash } from 'node:crypto';
import { CairnError } from '../core/errors.js';
import { ident } from '../warehouse/sql.js';

/** How a masked column is shown to the roles that may not see it. */
export const MASK_METHODS = ['email', 'partial', 'last4', 'hash', 'redact', 'null'] as const;
export type MaskMethod = (typeof MASK_METHODS)[number];

export function parseMaskMethod(value: string): MaskMethod {
  if ((MASK_METHODS as readonly string[]).includes(value)) return value as MaskMethod;
  throw new CairnError('INVALID_ARGUMENT', `mask method '${value}' is not one of ${MASK_METHODS.join(', ')}`);
}

/**
 * The SQL expression that shows `column` masked. Masking happens inside DuckDB, before any user
 * expression sees the value, so `upper(email)` or a join on the column cannot recover it.
 *  - email:   j***@example.com (first letter and the domain)
 *  - partial: first and last character, stars between
 *  - last4:   ************1234 (cards, phone numbers)
 *  - hash:    sha256 hex of the value (joins across tables still work)
 *  - redact:  the text '***'
 *  - null:    NULL
 */
export function maskExpression(column: string, method: MaskMethod): string {
  const c = `CAST(${ident(column)} AS VARCHAR)`;
  switch (method) {
    case 'email':
      return `CASE WHEN ${c} IS NULL THEN NULL WHEN position('@' IN ${c}) > 1 THEN left(${c}, 1) || '***' || substr(${c}, position('@' IN ${c})) ELSE '***' END`;
    case 'partial':
      return `CASE WHEN ${c} IS NULL THEN NULL WHEN length(${c}) <= 2 THEN '***' ELSE left(${c}, 1) || repeat('*', length(${c}) - 2) || right(${c}, 1) END`;
    case 'last4':
      return `CASE WHEN ${c} IS NULL THEN NULL WHEN length(${c}) <= 4 THEN '****' ELSE repeat('*', length(${c}) - 4) || right(${c}, 4) END`;
    case 'hash':
      return `CASE WHEN ${c} IS NULL THEN NULL ELSE sha256(${c}) END`;
    case 'redact':
      return `CASE WHEN ${c} IS NULL THEN NULL ELSE '***' END`;
    case 'null':
      return `CAST(NULL AS VARCHAR)`;
  }
}

/** Masks one value in JavaScript the same way (for rows that never pass through SQL). */
export function maskValue(
  value: string | number | null | undefined,
  method: MaskMethod,
): string | null | undefined {
  if (value === null || value === undefined) return value;
  const text = String(value);
  switch (method) {
    case 'email': {
      const at = text.indexOf('@');
      return at > 0 ? `${text[0]}***${text.slice(at)}` : '***';
    }
    case 'partial':
      return text.length <= 2 ? '***' : `${text[0]}${'*'.repeat(text.length - 2)}${text.at(-1)}`;
    case 'last4':
      return text.length <= 4 ? '****' : `${'*'.repeat(text.length - 4)}${text.slice(-4)}`;
    case 'hash':
      // Same digest as DuckDB's sha256() over the text, so masked values match query results.
      return createHash('sha256').update(text).digest('hex');
    case 'redact':
      return '***';
    case 'null':
      return null;
  }
}
