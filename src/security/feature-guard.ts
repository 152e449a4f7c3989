import type { FeatureRecord } from '../features/online/online-store.js';
import type { FeatureView } from '../features/views/feature-view.js';
import type { ReaderView } from './reader-view.js';

/** Shows an entity's online features as the caller may see them; null records pass through. */
export type FeatureMask = (record: FeatureRecord | null) => FeatureRecord | null;

/**
 * The mask for a feature view's online records: a feature computed from a column the caller sees
 * masked is shown through that column's mask (a sum of a redacted salary is `***`, the last email
 * seen is `j***@example.com`), so the online store is no way round the source table's policy.
 * `source` is the caller's view of the view's source table, or null for a SQL source.
 */
export function featureMask(view: FeatureView, source: ReaderView | null): FeatureMask {
  const hidden = view.features.filter((f) => f.column !== null && source?.hides(f.column));
  if (!source || hidden.length === 0) return (record) => record;
  return (record) => {
    if (record === null) return null;
    const out: FeatureRecord = { ...record };
    for (const feature of hidden) {
      if (!(feature.name in out)) continue;
      // Masked values are text (or null), whatever the feature's type in the clear.
      const shown = source.show(feature.column as string, out[feature.name]);
      out[feature.name] = typeof shown === 'string' ? shown : null;
    }
    return out;
  };
}
