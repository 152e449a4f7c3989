import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CairnError } from '../../core/errors.js';
import { modelCard, modelCardHtml } from '../../models/card.js';
import { lineage } from '../../models/lineage.js';
import { listVersions, STAGES } from '../../models/registry.js';
import type { Platform } from '../../platform.js';
import type { ModelServer } from '../../serving/model-server.js';
import { maskModelCard } from '../../security/card-mask.js';
import type { Identity } from '../../security/identity.js';
import { callerOf } from '../caller.js';
import { errorResponses } from '../errors.js';

const modelName = z.object({ name: z.string().min(1).max(63).describe('Model name') });
const modelVersion = modelName.extend({ version: z.coerce.number().int().min(1) });
const stage = z.enum(STAGES);
const json = z.record(z.string(), z.unknown());

const version = z.object({
  name: z.string(),
  version: z.number(),
  stage,
  task: z.string(),
  algorithm: z.string(),
  metrics: json,
  params: json,
  data: z.object({ source: z.string(), rows: z.number(), hash: z.string() }),
  createdAt: z.string(),
});

const stageChange = z.object({
  model: z.string(),
  version: z.number(),
  stage,
  archived: z.array(z.number()),
});

const routing = z.object({
  variants: z
    .array(z.object({ version: z.number().int().min(1), weight: z.number().min(0) }))
    .min(1)
    .describe('Versions and their share of traffic'),
  shadow: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('A version scored on the same rows, logged, not returned'),
});

const prediction = z.record(z.string(), z.union([z.string(), z.number()]));
const explanation = z.object({
  base: z.number(),
  top: z.array(
    z.object({
      feature: z.string(),
      value: z.union([z.number(), z.string(), z.null()]),
      contribution: z.number(),
    }),
  ),
});

const variantStats = z.object({
  version: z.number(),
  role: z.enum(['variant', 'shadow']),
  requests: z.number(),
  rows: z.number(),
  errors: z.number(),
  latencyMs: z.object({ p50: z.number(), p99: z.number(), mean: z.number() }),
  labelled: z.number(),
  metrics: z.record(z.string(), z.number()),
});

/** The model registry and real-time serving (see serving/model-server.ts). */
export const modelRoutes: FastifyPluginCallbackZod<{ platform: Platform; models: ModelServer }> = (
  app,
  { platform, models },
  done,
) => {
  const { db } = platform;
  const artifacts = platform.workspace.artifacts;
  const tags = ['models'];

  app.get(
    '/v1/models',
    {
      schema: {
        summary: 'List every model version with its stage and metrics',
        tags,
        response: { 200: z.object({ versions: z.array(version) }) },
      },
    },
    async () => ({ versions: await listVersions(db) }),
  );

  app.get(
    '/v1/models/:name',
    {
      schema: {
        summary: "A model's versions, routing and live traffic per version",
        tags,
        params: modelName,
        response: {
          200: z.object({
            name: z.string(),
            versions: z.array(version),
            routing: routing.nullable(),
            traffic: z.array(variantStats),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { name } = request.params;
      const versions = await listVersions(db, name);
      if (versions.length === 0)
        throw new CairnError(
          'NOT_FOUND',
          `model '${name}' does not exist; train it with \`cairn train SPEC\``,
        );
      return { name, versions, routing: models.routing(name), traffic: models.variantStats(name) };
    },
  );

  // A card summarises its training rows: the caller sees them through its policy on their source.
  const visibleCard = async (identity: Identity, name: string, version: number) => {
    const card = await modelCard(db, artifacts, name, version);
    return maskModelCard(card, await platform.security.sourceView(identity, card.data.source));
  };

  app.get(
    '/v1/models/:name/versions/:version/card',
    {
      schema: {
        summary: "A version's model card: metrics, curves, confusion matrix, importance, data, features",
        tags,
        params: modelVersion,
        response: { 200: json, ...errorResponses },
      },
    },
    async (request) => {
      const card = await visibleCard(callerOf(request), request.params.name, request.params.version);
      return card as unknown as Record<string, unknown>;
    },
  );

  app.get(
    '/v1/models/:name/versions/:version/card.html',
    {
      schema: {
        summary: 'The model card as a self-contained HTML page with charts',
        tags,
        params: modelVersion,
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      const card = await visibleCard(callerOf(request), request.params.name, request.params.version);
      return reply.type('text/html; charset=utf-8').send(modelCardHtml(card));
    },
  );

  app.get(
    '/v1/models/:name/lineage',
    {
      schema: {
        summary: 'Which data and which spec made each version, and every stage change',
        tags,
        params: modelName,
        response: { 200: json, ...errorResponses },
      },
    },
    async (request) => (await lineage(db, request.params.name)) as unknown as Record<string, unknown>,
  );

  app.post(
    '/v1/models/:name/promote',
    {
      schema: {
        summary: 'Move a version to a stage; the new production version is loaded before it takes traffic',
        tags,
        params: modelName,
        body: z.object({ version: z.number().int().min(1), stage: stage.default('production') }),
        response: { 200: stageChange, ...errorResponses },
      },
    },
    async (request) => models.promote(request.params.name, request.body.version, request.body.stage),
  );

  app.post(
    '/v1/models/:name/rollback',
    {
      schema: {
        summary: 'Put the previous production version back into production',
        tags,
        params: modelName,
        response: { 200: stageChange, ...errorResponses },
      },
    },
    async (request) => models.rollback(request.params.name),
  );

  app.post(
    '/v1/models/:name/predict',
    {
      schema: {
        summary: 'Predict 1 to 10,000 rows, validated against the model’s feature schema',
        tags,
        params: modelName,
        querystring: z.object({
          explain: z
            .enum(['true', 'false'])
            .default('false')
            .describe('Return top feature contributions (TreeSHAP)'),
          top: z.coerce
            .number()
            .int()
            .min(1)
            .max(100)
            .default(5)
            .describe('Contributions per row with explain'),
        }),
        body: z.object({
          rows: z.array(z.unknown()).min(1).max(10_000),
          version: z.number().int().min(1).optional(),
          stage: stage.optional().describe('Default: production (or the model’s routing)'),
          key: z.string().max(256).optional().describe('Sticky A/B routing key (e.g. a customer id)'),
        }),
        response: {
          200: z.object({
            model: z.string(),
            version: z.number(),
            request_id: z.string(),
            predictions: z.array(prediction),
            explanations: z.array(explanation).optional(),
            latency_ms: z.number(),
            cached: z.boolean().optional(),
          }),
          ...errorResponses,
        },
      },
      // The schema documents the response; ModelServer's typed code builds it, and checking every
      // prediction against it again on this hot path cost more than scoring the row.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request) => {
      const { explain, top } = request.query;
      return models.predict(request.params.name, {
        ...request.body,
        explain: explain === 'true' ? top : 0,
      });
    },
  );

  app.post(
    '/v1/models/:name/feedback',
    {
      schema: {
        summary: 'True labels for an earlier prediction request, for per-variant metrics',
        tags,
        params: modelName,
        body: z.object({
          request_id: z.string(),
          labels: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).min(1),
        }),
        response: { 200: z.object({ labelled: z.number() }), ...errorResponses },
      },
    },
    (request) => ({
      labelled: models.feedback(request.params.name, request.body.request_id, request.body.labels),
    }),
  );

  app.put(
    '/v1/models/:name/routing',
    {
      schema: {
        summary: 'Split traffic between versions by weight (sticky by key) and/or score a shadow version',
        tags,
        params: modelName,
        body: routing,
        response: { 200: routing, ...errorResponses },
      },
    },
    async (request) => {
      await models.setRouting(request.params.name, request.body);
      return request.body;
    },
  );

  app.delete(
    '/v1/models/:name/routing',
    {
      schema: {
        summary: 'Remove the routing: requests go to the production version again',
        tags,
        params: modelName,
        response: { 200: z.object({ removed: z.boolean() }), ...errorResponses },
      },
    },
    async (request) => {
      const had = models.routing(request.params.name) !== null;
      await models.setRouting(request.params.name, null);
      return { removed: had };
    },
  );
  done();
};
