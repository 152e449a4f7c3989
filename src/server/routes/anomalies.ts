import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform.js';
import { anomalyTimeline } from '../../solutions/anomalies/anomaly-timeline.js';
import { errorResponses } from '../errors.js';

const timelineResponse = z.object({
  model: z.string(),
  version: z.number(),
  algorithm: z.string(),
  source: z.string().describe('The table scored, else its source: file:… or query:…'),
  time_column: z.string(),
  total_rows: z.number(),
  scored_rows: z.number().describe('Rows scored: the table, or a seeded sample of 100,000'),
  flagged: z.number().describe('Rows above the threshold (among those with a time and a score)'),
  threshold: z.number().nullable(),
  points: z
    .object({ t: z.array(z.string()), score: z.array(z.number()), flagged: z.array(z.number()) })
    .describe('In time order: every flagged row (up to `points`) and a spread of the others'),
  top: z.array(
    z.object({
      t: z.string(),
      score: z.number(),
      values: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
    }),
  ),
});

/** An anomaly model's scores on a time line (the dashboard's Anomalies page). */
export const anomalyRoutes: FastifyPluginCallbackZod<{ platform: Platform }> = (app, { platform }, done) => {
  app.get(
    '/v1/anomalies/:model',
    {
      schema: {
        summary:
          'Scores a time-stamped table with an anomaly model: scores over time, flagged rows, the most anomalous',
        tags: ['solutions'],
        params: z.object({ model: z.string().min(1).max(63).describe('An anomaly model') }),
        querystring: z.object({
          version: z.coerce.number().int().min(1).optional().describe('Default: production, else newest'),
          table: z.string().min(1).max(120).optional().describe('Default: the data it was trained on'),
          time: z.string().min(1).max(120).optional().describe('Default: the first timestamp or date column'),
          points: z.coerce.number().int().min(10).max(20_000).default(2000).describe('Points to return'),
        }),
        response: { 200: timelineResponse, ...errorResponses },
      },
    },
    (request) =>
      anomalyTimeline(platform.db, platform.workspace.artifacts, {
        model: request.params.model,
        ...request.query,
      }),
  );
  done();
};
