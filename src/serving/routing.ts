import { randomInt } from 'node:crypto';
import { CairnError } from '../core/errors.js';
import type { Database } from '../warehouse/database.js';
import { META_SCHEMA } from '../warehouse/metadata.js';
import { asText } from '../warehouse/values.js';

/**
 * How a model's traffic is split: versions by weight (a request with a `key` always lands on the
 * same variant, by the key's hash), and optionally a shadow version scored on the same rows after
 * the response is sent — logged and measured, never returned.
 */
export interface RoutingConfig {
  variants: { version: number; weight: number }[];
  shadow?: number;
}

const TABLE = `${META_SCHEMA}.model_routes`;

export async function ensureRoutes(db: Database): Promise<void> {
  await db.run(`CREATE TABLE IF NOT EXISTS ${TABLE} (name VARCHAR PRIMARY KEY, config JSON NOT NULL)`);
}

export async function readRoutes(db: Database): Promise<Map<string, RoutingConfig>> {
  const rows = await db.rows(`SELECT name, config FROM ${TABLE}`);
  return new Map(rows.map((row) => [asText(row.name), JSON.parse(asText(row.config)) as RoutingConfig]));
}

/** Stores (or, with null, removes) a model's routing. */
export async function saveRoute(db: Database, name: string, config: RoutingConfig | null): Promise<void> {
  await db.run(`DELETE FROM ${TABLE} WHERE name = $1`, [name]);
  if (config !== null)
    await db.run(`INSERT INTO ${TABLE} (name, config) VALUES ($1, $2)`, [name, JSON.stringify(config)]);
}

export function checkRouting(config: RoutingConfig): RoutingConfig {
  if (config.variants.length === 0)
    throw new CairnError('INVALID_ARGUMENT', 'routing needs at least one variant');
  const total = config.variants.reduce((sum, v) => sum + v.weight, 0);
  if (!(total > 0) || config.variants.some((v) => !(v.weight >= 0)))
    throw new CairnError('INVALID_ARGUMENT', 'variant weights must be ≥ 0 and sum to more than 0');
  const versions = config.variants.map((v) => v.version);
  if (new Set(versions).size !== versions.length)
    throw new CairnError('INVALID_ARGUMENT', `routing lists a version twice: ${versions.join(', ')}`);
  if (config.shadow !== undefined && versions.includes(config.shadow))
    throw new CairnError('INVALID_ARGUMENT', `shadow v${config.shadow} is also a variant`);
  return config;
}

/** The variant for one request: by the key's hash when there is a key (sticky), else at random. */
export function chooseVariant(config: RoutingConfig, key?: string): number {
  const total = config.variants.reduce((sum, v) => sum + v.weight, 0);
  const point = (key === undefined ? randomInt(2 ** 32) / 2 ** 32 : hashUnit(key)) * total;
  let acc = 0;
  for (const v of config.variants) {
    acc += v.weight;
    if (point < acc) return v.version;
  }
  return config.variants[config.variants.length - 1].version;
}

/** FNV-1a over the key's UTF-16 units, then MurmurHash3's finaliser so similar keys spread evenly; in [0, 1). */
function hashUnit(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}
