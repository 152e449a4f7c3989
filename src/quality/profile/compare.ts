import { asText } from '../../warehouse/values.js';
import { psi } from '../rules/drift.js';
import type { ColumnProfile, TableProfile } from './types.js';

export interface ColumnChange {
  name: string;
  status: 'added' | 'removed' | 'retyped' | 'same type';
  type: { before: string | null; after: string | null };
  null_rate: { before: number | null; after: number | null };
  distinct: { before: number | null; after: number | null };
  mean: { before: number | null; after: number | null };
  /** PSI between the two profiles' top-value shares (the rest pooled), for columns with repeated values. */
  top_psi: number | null;
}

export interface ProfileComparison {
  table: string;
  before: { id: string; profiled_at: string; rows: number };
  after: { id: string; profiled_at: string; rows: number };
  columns: ColumnChange[];
}

function topShares(column: ColumnProfile, rows: number, keys: string[]): number[] {
  const nonNull = rows - column.nulls;
  const counts = new Map(column.top.map((t) => [asText(t.value), t.count]));
  const shares = keys.map((k) => (nonNull ? (counts.get(k) ?? 0) / nonNull : 0));
  shares.push(Math.max(0, 1 - shares.reduce((s, v) => s + v, 0)));
  return shares;
}

/** How a table changed between two profiles: rows, and per column type, null rate, distinct, mean and top-value PSI. */
export function compareProfiles(before: TableProfile, after: TableProfile): ProfileComparison {
  const names = [...new Set([...after.columns.map((c) => c.name), ...before.columns.map((c) => c.name)])];
  const columns = names.map((name): ColumnChange => {
    const a = before.columns.find((c) => c.name === name);
    const b = after.columns.find((c) => c.name === name);
    let topPsi: number | null = null;
    if (a && b && a.top.length && b.top.length) {
      const keys = [...new Set([...a.top, ...b.top].map((t) => asText(t.value)))];
      topPsi = psi(topShares(b, after.rows, keys), topShares(a, before.rows, keys));
    }
    return {
      name,
      status: !a ? 'added' : !b ? 'removed' : a.type !== b.type ? 'retyped' : 'same type',
      type: { before: a?.type ?? null, after: b?.type ?? null },
      null_rate: { before: a?.null_rate ?? null, after: b?.null_rate ?? null },
      distinct: { before: a?.distinct ?? null, after: b?.distinct ?? null },
      mean: { before: a?.mean ?? null, after: b?.mean ?? null },
      top_psi: topPsi,
    };
  });
  const stamp = (p: TableProfile) => ({ id: p.id, profiled_at: p.profiled_at, rows: p.rows });
  return { table: after.table, before: stamp(before), after: stamp(after), columns };
}
