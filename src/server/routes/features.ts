import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform.js';
import { callerOf } from '../caller.js';
import { errorResponses } from '../errors.js';

const value = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const record = z.record(z.string(), value);

export const featureRoutes: FastifyPluginCallbackZod<{ platform: Platform }> = (app, { platform }, done) => {
  app.get(
    '/v1/features',
    {
      config: { access: 'tables:read' },
      schema: {
        summary: 'List the feature views',
        tags: ['features'],
        response: {
          200: z.object({
            views: z.array(
              z.object({
                name: z.string(),
                entity: z.string(),
                source: z.string(),
                features: z.array(z.string()),
                ttl: z.string().nullable(),
                appliedAt: z.string(),
                materializedAt: z.string().nullable(),
                materializedAsOf: z.string().nullable(),
                materializedRows: z.number().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async () => ({ views: await platform.features.list() }),
  );

  app.get(
    '/v1/features/:view/:entity',
    {
      config: { access: 'data:read' },
      schema: {
        summary: "An entity's current online features",
        tags: ['features'],
        params: z.object({ view: z.string().min(1).max(120), entity: z.string().min(1).max(1000) }),
        response: {
          200: z.object({ view: z.string(), entity: z.string(), features: record }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const mask = await platform.security.featureMask(callerOf(request), request.params.view);
      const found = await platform.features.lookup(request.params.view, request.params.entity);
      return { ...found, features: mask(found.features) ?? {} };
    },
  );

  app.post(
    '/v1/features/:view/lookup',
    {
      config: { access: 'data:read' },
      schema: {
        summary: 'Online features of many entities in one call (null for an entity without any)',
        tags: ['features'],
        params: z.object({ view: z.string().min(1).max(120) }),
        body: z.object({ entities: z.array(z.string().min(1).max(1000)).min(1).max(10_000) }),
        response: {
          200: z.object({
            view: z.string(),
            results: z.array(z.object({ entity: z.string(), features: record.nullable() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { entities } = request.body;
      const mask = await platform.security.featureMask(callerOf(request), request.params.view);
      const records = await platform.features.lookupMany(request.params.view, entities);
      return {
        view: request.params.view,
        results: entities.map((entity, i) => ({ entity, features: mask(records[i]) })),
      };
    },
  );

  app.post(
    '/v1/features/:view/materialize',
    {
      config: { access: 'data:write' },
      schema: {
        summary: "Compute every entity's features into features_<view> and this server's online store",
        tags: ['features'],
        params: z.object({ view: z.string().min(1).max(120) }),
        body: z.object({ asOf: z.iso.datetime({ offset: true }).optional() }).optional(),
        response: {
          200: z.object({
            view: z.string(),
            table: z.string(),
            asOf: z.string(),
            entities: z.number(),
            online: z.string(),
            seconds: z.number(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) =>
      platform.features.materialize(
        request.params.view,
        request.body?.asOf ? new Date(request.body.asOf) : undefined,
      ),
  );
  done();
};
