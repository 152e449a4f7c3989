import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform.js';
import { segmentView } from '../../solutions/segments/segment-view.js';
import { errorResponses } from '../errors.js';

const segmentsResponse = z.object({
  model: z.string(),
  version: z.number(),
  algorithm: z.string(),
  source: z.string().describe('The table scored, else its source: file:… or query:…'),
  total_rows: z.number(),
  scored_rows: z.number().describe('Rows the profiles cover: the table, or a seeded sample of 100,000'),
  features: z.array(z.string()),
  points: z
    .object({ x: z.array(z.number()), y: z.array(z.number()), cluster: z.array(z.number()) })
    .describe('A spread of scored rows: projection x, y and cluster (−1: DBSCAN noise)'),
  clusters: z.array(
    z.object({
      cluster: z.number(),
      size: z.number(),
      share: z.number(),
      values: z
        .record(z.string(), z.union([z.number(), z.string(), z.null()]))
        .describe('Feature means (text features: the most frequent value)'),
    }),
  ),
});

/** A clustering model's segments: the 2-D scatter and each cluster's profile (the dashboard's Segments page). */
export const segmentRoutes: FastifyPluginCallbackZod<{ platform: Platform }> = (app, { platform }, done) => {
  app.get(
    '/v1/segments/:model',
    {
      schema: {
        summary:
          "Scores a table with a cluster model: each row's cluster and 2-D projection, and cluster profiles",
        tags: ['solutions'],
        params: z.object({ model: z.string().min(1).max(63).describe('A cluster model with a projection') }),
        querystring: z.object({
          version: z.coerce.number().int().min(1).optional().describe('Default: production, else newest'),
          table: z.string().min(1).max(120).optional().describe('Default: the data it was trained on'),
          points: z.coerce.number().int().min(10).max(20_000).default(2000).describe('Points to return'),
        }),
        response: { 200: segmentsResponse, ...errorResponses },
      },
    },
    (request) =>
      segmentView(platform.db, platform.workspace.artifacts, {
        model: request.params.model,
        ...request.query,
      }),
  );
  done();
};
