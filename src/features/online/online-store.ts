/** A feature value as served: numbers, text, booleans, or null for missing. */
export type FeatureValue = number | string | boolean | null;
export type FeatureRecord = Record<string, FeatureValue>;

/**
 * The latest feature values per (view, entity), for serving. Two implementations share one
 * contract suite (online-store-contract.ts): in-process memory (the default) and Redis.
 */
export interface OnlineStore {
  readonly kind: 'memory' | 'redis';
  /** Replaces the record of each entity given; other entities of the view are untouched. */
  write(view: string, records: ReadonlyMap<string, FeatureRecord>): Promise<void>;
  /** The record of one entity, or null when the store has none. */
  read(view: string, entity: string): Promise<FeatureRecord | null>;
  /** Records for many entities in one round trip, in the order asked (null where missing). */
  readMany(view: string, entities: readonly string[]): Promise<(FeatureRecord | null)[]>;
  /** Removes every record of the view (before a full re-materialisation). */
  clear(view: string): Promise<void>;
  /** The entity's record in every view that holds one, by view name (GDPR export). */
  recordsOf(entity: string): Promise<Map<string, FeatureRecord>>;
  /** Removes the entity's record from every view (GDPR erasure); returns the views it was in. */
  erase(entity: string): Promise<string[]>;
  close(): Promise<void>;
}
