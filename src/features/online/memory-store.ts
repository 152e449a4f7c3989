import type { FeatureRecord, OnlineStore } from './online-store.js';

/** The in-process online store: one Map per view. Reads never copy; callers must not mutate. */
export class MemoryOnlineStore implements OnlineStore {
  readonly kind = 'memory';
  private readonly views = new Map<string, Map<string, FeatureRecord>>();

  private view(name: string): Map<string, FeatureRecord> {
    let records = this.views.get(name);
    if (!records) {
      records = new Map();
      this.views.set(name, records);
    }
    return records;
  }

  write(view: string, records: ReadonlyMap<string, FeatureRecord>): Promise<void> {
    const target = this.view(view);
    for (const [entity, record] of records) target.set(entity, { ...record });
    return Promise.resolve();
  }

  /** Synchronous read for callers in the same process (sub-microsecond). */
  readNow(view: string, entity: string): FeatureRecord | null {
    return this.views.get(view)?.get(entity) ?? null;
  }

  read(view: string, entity: string): Promise<FeatureRecord | null> {
    return Promise.resolve(this.readNow(view, entity));
  }

  readMany(view: string, entities: readonly string[]): Promise<(FeatureRecord | null)[]> {
    const records = this.views.get(view);
    return Promise.resolve(entities.map((e) => records?.get(e) ?? null));
  }

  clear(view: string): Promise<void> {
    this.views.delete(view);
    return Promise.resolve();
  }

  recordsOf(entity: string): Promise<Map<string, FeatureRecord>> {
    const found = new Map<string, FeatureRecord>();
    for (const [view, records] of this.views) {
      const record = records.get(entity);
      if (record) found.set(view, { ...record });
    }
    return Promise.resolve(found);
  }

  erase(entity: string): Promise<string[]> {
    const views: string[] = [];
    for (const [view, records] of this.views) if (records.delete(entity)) views.push(view);
    return Promise.resolve(views);
  }

  close(): Promise<void> {
    this.views.clear();
    return Promise.resolve();
  }
}
