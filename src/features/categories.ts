import { CairnError } from '../core/errors.js';
import { isValid, type Column } from '../core/frame.js';

/**
 * A column read as categories: each row's index into `labels`, or -1 when missing. Encoders match
 * categories by label string, never by a Frame's dictionary code, because two Frames (training and
 * scoring data) number the same strings differently.
 *
 * String columns use their dictionary; bool columns have labels 'false' and 'true'; int32/int64
 * columns (codes such as SeniorCitizen 0/1) use the decimal text of each value. Float, date and
 * timestamp columns are refused: bin or cast them first.
 */
export interface CategoryView {
  readonly codes: Int32Array;
  readonly labels: readonly string[];
}

export function categoryView(col: Column): CategoryView {
  const n = col.length;
  const codes = new Int32Array(n);
  switch (col.kind) {
    case 'string':
      for (let i = 0; i < n; i++) codes[i] = isValid(col, i) && col.codes[i] >= 0 ? col.codes[i] : -1;
      return { codes, labels: col.dictionary };
    case 'bool':
      for (let i = 0; i < n; i++) codes[i] = isValid(col, i) ? col.values[i] : -1;
      return { codes, labels: ['false', 'true'] };
    case 'int32':
    case 'int64': {
      const index = new Map<number | bigint, number>();
      const labels: string[] = [];
      for (let i = 0; i < n; i++) {
        if (!isValid(col, i)) {
          codes[i] = -1;
          continue;
        }
        const v = col.values[i];
        let code = index.get(v);
        if (code === undefined) {
          code = labels.length;
          index.set(v, code);
          labels.push(String(v));
        }
        codes[i] = code;
      }
      return { codes, labels };
    }
    default:
      throw new CairnError(
        'INVALID_ARGUMENT',
        `column '${col.name}' is ${col.kind}; categorical encoders take string, bool or integer columns (bin or cast it first)`,
      );
  }
}

/** Row count of each category label seen in the column, and of missing rows. */
export interface CategoryCounts {
  readonly counts: Map<string, number>;
  readonly missing: number;
}

export function countCategories(view: CategoryView): CategoryCounts {
  const perCode = new Float64Array(view.labels.length);
  let missing = 0;
  for (const code of view.codes) {
    if (code < 0) missing++;
    else perCode[code]++;
  }
  const counts = new Map<string, number>();
  perCode.forEach((count, code) => {
    // A dictionary may hold labels no row uses (a filtered Frame); they are not categories.
    if (count > 0) counts.set(view.labels[code], (counts.get(view.labels[code]) ?? 0) + count);
  });
  return { counts, missing };
}

/** Label order by count, descending, ties in code-unit (locale-independent) order. */
export function byFrequency(counts: Map<string, number>): string[] {
  return [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || lexical(a, b));
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export function lexical(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * For each label of a view, its slot in `slots` (a category → output index map), or `fallback` for a
 * label the encoder has not seen. The per-row loops then index this small table instead of hashing strings.
 */
export function slotTable(
  view: CategoryView,
  slots: ReadonlyMap<string, number>,
  fallback: number,
): Int32Array {
  return Int32Array.from(view.labels, (label) => slots.get(label) ?? fallback);
}
