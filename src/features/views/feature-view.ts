import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CairnError, errorMessage } from '../../core/errors.js';
import { checkTableName } from '../../warehouse/sql.js';
import { parseDuration } from '../duration.js';

export const AGGREGATIONS = ['count', 'sum', 'mean', 'min', 'max', 'std', 'distinct', 'last'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,119}$/;
const name = (what: string) =>
  z.string().regex(NAME, `${what} must be a plain identifier (letters, digits, _)`);

const featureSchema = z
  .object({
    name: name('feature name'),
    column: z.string().min(1).optional(),
    agg: z.enum(AGGREGATIONS),
    window: z.string().optional(),
  })
  .strict();

const viewSchema = z
  .object({
    name: name('view name'),
    entity: z.string().min(1),
    timestamp: z.string().min(1),
    source: z.union([
      z.object({ table: z.string().min(1) }).strict(),
      z.object({ sql: z.string().min(1) }).strict(),
    ]),
    ttl: z.string().optional(),
    description: z.string().optional(),
    schedule: z.string().optional().describe('cron expression for scheduled materialisation'),
    features: z.array(featureSchema).min(1),
  })
  .strict();

export type FeatureViewSpec = z.infer<typeof viewSchema>;

/** One feature after validation, with its window and TTL in milliseconds (null: unbounded). */
export interface FeatureDef {
  name: string;
  column: string | null;
  agg: Aggregation;
  windowMs: number | null;
}

/** A validated feature view: the spec as written plus resolved windows. */
export interface FeatureView {
  name: string;
  entity: string;
  timestamp: string;
  source: { table: string } | { sql: string };
  ttlMs: number | null;
  schedule: string | null;
  features: FeatureDef[];
  spec: FeatureViewSpec;
}

/** Validates a parsed feature view document (from YAML or JSON). */
export function toFeatureView(document: unknown, origin = 'feature view'): FeatureView {
  const parsed = viewSchema.safeParse(document);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CairnError('INVALID_ARGUMENT', `${origin} is not a valid feature view: ${issues.join('; ')}`);
  }
  const spec = parsed.data;
  if ('table' in spec.source) checkTableName(spec.source.table);
  const seen = new Set<string>();
  const features = spec.features.map((f): FeatureDef => {
    if (seen.has(f.name) || f.name === spec.entity)
      throw new CairnError('INVALID_ARGUMENT', `${origin}: feature name '${f.name}' is used twice`);
    seen.add(f.name);
    if (f.agg !== 'count' && f.column === undefined)
      throw new CairnError(
        'INVALID_ARGUMENT',
        `${origin}: feature '${f.name}' (agg ${f.agg}) needs a column`,
      );
    return {
      name: f.name,
      column: f.column ?? null,
      agg: f.agg,
      windowMs: f.window === undefined ? null : parseDuration(f.window, `window of feature '${f.name}'`),
    };
  });
  return {
    name: spec.name,
    entity: spec.entity,
    timestamp: spec.timestamp,
    source: spec.source,
    ttlMs: spec.ttl === undefined ? null : parseDuration(spec.ttl, `ttl of view '${spec.name}'`),
    schedule: spec.schedule ?? null,
    features,
    spec,
  };
}

/** Reads a feature view file (YAML or JSON). */
export function readFeatureView(file: string): FeatureView {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CairnError('INVALID_ARGUMENT', `cannot read feature view file ${file}: ${errorMessage(error)}`);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `feature view file ${file} is not YAML or JSON: ${errorMessage(error)}`,
    );
  }
  return toFeatureView(document, `feature view file ${file}`);
}

/**
 * The lookback of a feature in milliseconds: its window, else the view's TTL, else unbounded (null).
 * A window `w` at time `t` covers the half-open interval (t − w, t].
 */
export function lookbackMs(view: FeatureView, feature: FeatureDef): number | null {
  return feature.windowMs ?? view.ttlMs;
}
