import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform.js';
import { countRows, requireTable } from '../../warehouse/catalog.js';
import { ident } from '../../warehouse/sql.js';
import { callerOf } from '../caller.js';
import { errorResponses } from '../errors.js';

export const MAX_PAGE_ROWS = 1000;

// Read by the authentication hook (server/access.ts): pages of rows are row data.
const access = { access: 'data:read' } as const;

/** One page of a table's rows, so a client never has to fetch the whole table to browse it. */
export const rowRoutes: FastifyPluginCallbackZod<{ platform: Platform }> = (app, { platform }, done) => {
  const { db } = platform;
  app.get(
    '/v1/tables/:name/rows',
    {
      config: access,
      schema: {
        summary: 'A page of a table’s rows in storage order, with the total row count',
        tags: ['warehouse'],
        params: z.object({ name: z.string().min(1).max(120).describe('Table name') }),
        querystring: z.object({
          offset: z.coerce.number().int().min(0).default(0).describe('Rows to skip'),
          limit: z.coerce.number().int().min(1).max(MAX_PAGE_ROWS).default(50).describe('Rows to return'),
        }),
        response: {
          200: z.object({
            table: z.string(),
            offset: z.number(),
            total: z.number(),
            rows: z.array(z.record(z.string(), z.unknown())),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { name } = request.params;
      const { offset, limit } = request.query;
      await requireTable(db, name);
      // Through the caller's query path: grants, masks and sealed columns apply as in POST /v1/query.
      // DuckDB keeps insertion order without ORDER BY, so pages are stable between requests.
      const { rows } = await platform.security.query(
        callerOf(request),
        `SELECT * FROM ${ident(name)} LIMIT ${limit} OFFSET ${offset}`,
      );
      return { table: name, offset, total: await countRows(db, name), rows };
    },
  );
  done();
};
