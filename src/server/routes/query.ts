import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform.js';
import { runQuery } from '../../warehouse/query.js';
import { errorResponses } from '../errors.js';

export const MAX_QUERY_ROWS = 100_000;

const queryBody = z.object({
  sql: z.string().min(1).describe('One or more SQL statements; the last one’s rows are returned'),
  limit: z.number().int().min(0).max(MAX_QUERY_ROWS).default(1000).describe('Most rows to return'),
  params: z
    .array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .optional()
    .describe('Values for $1, $2, … in the last statement'),
  write: z.boolean().default(false).describe('Allow statements that change data or schema'),
});

const queryResponse = z.object({
  columns: z.array(z.string()),
  types: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.unknown())),
  truncated: z.boolean().describe('More rows exist than `limit`'),
});

export const queryRoutes: FastifyPluginCallbackZod<{ platform: Platform }> = (app, { platform }, done) => {
  app.post(
    '/v1/query',
    {
      schema: {
        summary: 'Run SQL against the warehouse (read-only unless write is true)',
        tags: ['warehouse'],
        body: queryBody,
        response: { 200: queryResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { sql, limit, params, write } = request.body;
      // Grants, column masks and encrypted columns apply to the caller's role; see src/security.
      if (request.identity) return platform.security.query(request.identity, sql, { limit, params, write });
      return runQuery(platform.db, sql, { limit, params, write });
    },
  );
  done();
};
