import { asText } from '../../warehouse/values.js';
import type { ValueView } from '../value-view.js';
import type { ColumnProfile, TableProfile, TopValue } from './types.js';

/** Top values shown through the view; values that mask alike are counted together. */
function showTop(column: string, top: TopValue[], view: ValueView): TopValue[] {
  const merged = new Map<string, TopValue>();
  for (const { value, count } of top) {
    const shown = view.show(column, value);
    const key = asText(shown);
    const entry = merged.get(key);
    if (entry) entry.count += count;
    else merged.set(key, { value: shown, count });
  }
  return [...merged.values()].sort((a, b) => b.count - a.count);
}

/**
 * A profile as the view's caller may see it. A hidden column keeps its counts, type and semantic
 * type; its extremes and top values are masked, and whatever is computed from the clear values
 * (moments, quantiles, histogram, lengths, correlations) is left out, since each one gives values away.
 */
export function maskProfile(profile: TableProfile, view: ValueView): TableProfile {
  const columns = profile.columns.map((column): ColumnProfile => {
    const shown = {
      ...column,
      min: view.show(column.name, column.min),
      max: view.show(column.name, column.max),
      top: showTop(column.name, column.top, view),
    };
    if (!view.hides(column.name)) return shown;
    return { ...shown, mean: null, std: null, quantiles: null, histogram: null, length: null };
  });
  const hidden = profile.correlation.columns.map((c) => view.hides(c));
  const matrix = profile.correlation.matrix.map((row, a) =>
    row.map((r, b) => (hidden[a] || hidden[b] ? null : r)),
  );
  return { ...profile, columns, correlation: { columns: profile.correlation.columns, matrix } };
}
