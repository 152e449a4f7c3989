import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CairnError, errorMessage } from '../core/errors.js';
import { checkTableName, checkTypeName } from '../warehouse/sql.js';
import { parseDuration } from '../features/duration.js';
import { EVENT_FEATURES, WINDOW_AGGS, type StreamFeatureSpec } from '../features/windows/window-spec.js';

const sourceSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('mqtt'), url: z.string(), topic: z.string(), clientId: z.string().optional() })
    .strict(),
  z
    .object({
      type: z.literal('nats'),
      servers: z.string(),
      stream: z.string(),
      subject: z.string(),
      durable: z.string().optional(),
      ackWait: z.string().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('kafka'),
      brokers: z.array(z.string()).min(1),
      topic: z.string(),
      groupId: z.string().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('http'),
      port: z.number().int().min(0).max(65535),
      host: z.string().optional(),
      path: z.string().optional(),
    })
    .strict(),
]);

const featureSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
    agg: z.enum([...WINDOW_AGGS, ...EVENT_FEATURES]),
    column: z.string().optional(),
    columns: z.tuple([z.string(), z.string()]).optional(),
    window: z.string().optional(),
  })
  .strict();

const streamSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
    source: sourceSchema,
    table: z.string(),
    id: z.string().describe('idempotency key field'),
    entity: z.string(),
    timestamp: z.string(),
    schema: z.record(z.string(), z.string()).describe('field → column type'),
    batch: z
      .object({ size: z.number().int().min(1).default(500), wait: z.string().default('200ms') })
      .strict()
      .default({ size: 500, wait: '200ms' }),
    lateness: z.string().default('60s'),
    view: z
      .string()
      .optional()
      .describe('online feature view the windows write to (default: the stream name)'),
    features: z.array(featureSchema).default([]),
  })
  .strict();

export type StreamSourceSpec = z.infer<typeof sourceSchema>;

export interface StreamSpec {
  name: string;
  source: StreamSourceSpec;
  table: string;
  id: string;
  entity: string;
  timestamp: string;
  /** Column → normalised DuckDB type, in file order; id, entity and timestamp always included. */
  schema: Record<string, string>;
  batchSize: number;
  batchWaitMs: number;
  latenessMs: number;
  view: string;
  features: StreamFeatureSpec[];
}

/** Validates a stream pipeline document (parsed YAML or JSON). */
export function toStreamSpec(document: unknown, origin = 'stream file'): StreamSpec {
  const parsed = streamSchema.safeParse(document);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${origin} is not a valid stream pipeline: ${issues.join('; ')}`,
    );
  }
  const spec = parsed.data;
  checkTableName(spec.table);
  const schema: Record<string, string> = {};
  for (const [column, type] of Object.entries(spec.schema)) schema[column] = checkTypeName(type, column);
  schema[spec.id] ??= 'VARCHAR';
  schema[spec.entity] ??= 'VARCHAR';
  schema[spec.timestamp] = 'TIMESTAMP';
  return {
    name: spec.name,
    source: spec.source,
    table: spec.table,
    id: spec.id,
    entity: spec.entity,
    timestamp: spec.timestamp,
    schema,
    batchSize: spec.batch.size,
    batchWaitMs: parseDuration(spec.batch.wait, 'batch.wait'),
    latenessMs: parseDuration(spec.lateness, 'lateness'),
    view: spec.view ?? spec.name,
    features: spec.features,
  };
}

export function readStreamSpec(file: string): StreamSpec {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CairnError('INVALID_ARGUMENT', `cannot read stream file ${file}: ${errorMessage(error)}`);
  }
  return toStreamSpec(document, `stream file ${file}`);
}
