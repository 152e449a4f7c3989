import { asText, type JsonRow, type JsonValue } from '../warehouse/values.js';
import { Keyring } from './keyring.js';
import { maskValue, type MaskMethod } from './masking.js';
import type { Role } from './roles.js';
import type { TablePolicy } from './table-policies.js';

/**
 * A table's values as one role may see them, for outputs computed outside a query (profiles, check
 * samples, duplicate clusters): masked columns masked, sealed values opened for their readers and
 * redacted for everyone else. Queries mask inside DuckDB instead (secure-query.ts).
 */
export interface ReaderView {
  table: string;
  /** Whether the role sees this column other than as stored in clear (masked or sealed to it). */
  hides(column: string): boolean;
  /** One value of a column as the role sees it. */
  show(column: string, value: JsonValue): JsonValue;
  /** Rows as the role sees them. */
  rows<R extends JsonRow>(rows: readonly R[]): R[];
}

export function readerView(policy: TablePolicy, role: Role, keyring: Keyring): ReaderView {
  const masked = new Map<string, MaskMethod>();
  const sealedTo = new Set<string>();
  if (role !== 'admin') {
    for (const mask of policy.masks) if (!mask.unmasked.includes(role)) masked.set(mask.column, mask.method);
    for (const sealed of policy.encrypted) if (!sealed.readers.includes(role)) sealedTo.add(sealed.column);
  }
  const show = (column: string, value: JsonValue): JsonValue => {
    if (value === null) return null;
    if (sealedTo.has(column)) return '***';
    let clear = value;
    // Sealed values reach this point only for roles allowed to open them.
    if (typeof clear === 'string' && Keyring.versionOf(clear) !== null) clear = keyring.decrypt(clear);
    const method = masked.get(column);
    if (method === undefined) return clear;
    return maskValue(typeof clear === 'number' ? clear : asText(clear), method) ?? null;
  };
  return {
    table: policy.table,
    hides: (column) => masked.has(column) || sealedTo.has(column),
    show,
    rows: (rows) =>
      rows.map((row) => {
        const out: JsonRow = {};
        for (const [column, value] of Object.entries(row)) out[column] = show(column, value);
        return out as (typeof rows)[number];
      }),
  };
}

/** A view that hides every column: for data the caller has no grant on, summarised elsewhere. */
export function closedView(table: string): ReaderView {
  const show = (_column: string, value: JsonValue): JsonValue => (value === null ? null : '***');
  return {
    table,
    hides: () => true,
    show,
    rows: (rows) =>
      rows.map(
        (row) =>
          Object.fromEntries(Object.keys(row).map((c) => [c, show(c, row[c])])) as (typeof rows)[number],
      ),
  };
}
