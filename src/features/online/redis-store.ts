import { Redis } from 'ioredis';
import { CairnError, errorMessage } from '../../core/errors.js';
import type { FeatureRecord, OnlineStore } from './online-store.js';

const SCAN_BATCH = 1000;

/**
 * The online store on Redis: one string key per (view, entity) holding the record as JSON, so a
 * batch lookup is one MGET. Keys are `{prefix}{view}:{entity}`.
 */
export class RedisOnlineStore implements OnlineStore {
  readonly kind = 'redis';

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Connects to `url` (redis://host:port/db); fails with SOURCE_ERROR when Redis does not answer. */
  static async open(url: string, prefix = 'cairn:features:'): Promise<RedisOnlineStore> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableAutoPipelining: true });
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new CairnError('SOURCE_ERROR', `cannot connect to Redis at ${url}: ${errorMessage(error)}`, {
        cause: error,
      });
    }
    return new RedisOnlineStore(redis, prefix);
  }

  private key(view: string, entity: string): string {
    return `${this.prefix}${view}:${entity}`;
  }

  async write(view: string, records: ReadonlyMap<string, FeatureRecord>): Promise<void> {
    if (records.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [entity, record] of records) pipeline.set(this.key(view, entity), JSON.stringify(record));
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error !== null);
    if (failed)
      throw new CairnError('SOURCE_ERROR', `Redis refused a feature write: ${errorMessage(failed[0])}`);
  }

  async read(view: string, entity: string): Promise<FeatureRecord | null> {
    const text = await this.redis.get(this.key(view, entity));
    return text === null ? null : (JSON.parse(text) as FeatureRecord);
  }

  async readMany(view: string, entities: readonly string[]): Promise<(FeatureRecord | null)[]> {
    if (entities.length === 0) return [];
    const texts = await this.redis.mget(entities.map((e) => this.key(view, e)));
    return texts.map((text) => (text === null ? null : (JSON.parse(text) as FeatureRecord)));
  }

  async clear(view: string): Promise<void> {
    const pattern = `${this.prefix}${view}:*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
      if (keys.length > 0) await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  /**
   * The keys holding the entity, by view. View names are identifiers (no ':'), so the view is what
   * lies between the prefix and the entity, and an entity that ends another entity's key is told apart.
   */
  private async keysOf(entity: string): Promise<Map<string, string>> {
    const pattern = `${globEscape(this.prefix)}*:${globEscape(entity)}`;
    const found = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
      for (const key of keys) {
        const view = key.slice(this.prefix.length, key.length - entity.length - 1);
        if (!view.includes(':') && key === this.key(view, entity)) found.set(view, key);
      }
      cursor = next;
    } while (cursor !== '0');
    return found;
  }

  async recordsOf(entity: string): Promise<Map<string, FeatureRecord>> {
    const keys = await this.keysOf(entity);
    const found = new Map<string, FeatureRecord>();
    if (keys.size === 0) return found;
    const texts = await this.redis.mget([...keys.values()]);
    [...keys.keys()].forEach((view, i) => {
      const text = texts[i];
      if (text !== null) found.set(view, JSON.parse(text) as FeatureRecord);
    });
    return found;
  }

  async erase(entity: string): Promise<string[]> {
    const keys = await this.keysOf(entity);
    if (keys.size > 0) await this.redis.unlink(...keys.values());
    return [...keys.keys()];
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** A literal for a Redis MATCH pattern (its glob characters escaped). */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
