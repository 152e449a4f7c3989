import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { dropTableChecked } from '../../models/lineage.js';
import type { Platform } from '../../platform.js';
import { describeTable, listTables, sampleRows } from '../../warehouse/catalog.js';
import { ingest } from '../../warehouse/ingest/ingest.js';
import { ingestRequestFields } from '../../warehouse/ingest/options.js';
import { INGEST_FORMATS, INGEST_MODES } from '../../warehouse/ingest/types.js';
import { can } from '../../security/roles.js';
import { ident } from '../../warehouse/sql.js';
import { errorResponses } from '../errors.js';
import { saveUpload, tooLarge, uploadFormat, UPLOAD_CONTENT_TYPES } from '../upload.js';

const tableName = z.object({ name: z.string().min(1).max(120).describe('Table name') });

const ingestQuery = z.object({
  format: z.enum(INGEST_FORMATS).optional().describe('Body format; default from Content-Type'),
  mode: z.enum(INGEST_MODES).default('replace'),
  key: z.string().optional().describe('Comma-separated key columns, for upsert'),
  types: z.string().optional().describe('Comma-separated column=TYPE overrides, e.g. age=INTEGER'),
  delimiter: z.string().max(4).optional(),
  quote: z.string().max(1).optional(),
  escape: z.string().max(1).optional(),
  header: z.enum(['true', 'false']).optional().describe('Whether a CSV body has a header row'),
  skip: z.coerce.number().int().min(0).optional().describe('Lines to skip at the top of a CSV body'),
});

const ingestReport = z.object({
  id: z.string(),
  table: z.string(),
  source: z.string(),
  format: z.string(),
  mode: z.string(),
  read: z.number(),
  accepted: z.number(),
  quarantined: z.number(),
  quarantineTable: z.string().nullable(),
  seconds: z.number(),
});

const column = z.object({ name: z.string(), type: z.string(), nullable: z.boolean() });

export const tableRoutes: FastifyPluginAsyncZod<{ platform: Platform; maxUploadBytes: number }> = async (
  app,
  { platform, maxUploadBytes },
) => {
  app.get(
    '/v1/tables',
    {
      schema: {
        summary: 'List the warehouse tables with their row counts',
        tags: ['warehouse'],
        response: { 200: z.object({ tables: z.array(z.object({ name: z.string(), rows: z.number() })) }) },
      },
    },
    async () => ({ tables: await listTables(platform.db) }),
  );

  app.get(
    '/v1/tables/:name',
    {
      schema: {
        summary: 'A table’s schema, row count and first rows',
        tags: ['warehouse'],
        params: tableName,
        querystring: z.object({ sample: z.coerce.number().int().min(0).max(1000).default(10) }),
        response: {
          200: z.object({
            name: z.string(),
            rows: z.number(),
            columns: z.array(column),
            sample: z.array(z.record(z.string(), z.unknown())),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { name } = request.params;
      const schema = await describeTable(platform.db, name);
      const identity = request.identity;
      if (!identity) return { ...schema, sample: await sampleRows(platform.db, name, request.query.sample) };
      // The sample is row data: masked like a query, and empty for roles that may not read rows.
      const sample =
        can(identity.role, 'data:read') && request.query.sample > 0
          ? (
              await platform.security.query(
                identity,
                `SELECT * FROM ${ident(name)} LIMIT ${request.query.sample}`,
              )
            ).rows
          : [];
      return { ...schema, sample };
    },
  );

  app.delete(
    '/v1/tables/:name',
    {
      schema: {
        summary: 'Drop a table; refused (409) when production models were trained on it, unless force=true',
        tags: ['warehouse'],
        params: tableName,
        querystring: z.object({ force: z.enum(['true', 'false']).default('false') }),
        response: {
          200: z.object({ table: z.string(), dropped: z.boolean(), warnings: z.array(z.string()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => dropTableChecked(platform.db, request.params.name, request.query.force === 'true'),
  );

  // The body is the file itself, streamed to disk: no JSON parsing and no buffering in memory.
  await app.register((upload, _options, done) => {
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    upload.withTypeProvider<ZodTypeProvider>().post(
      '/v1/tables/:name/ingest',
      {
        schema: {
          summary: 'Ingest the request body (CSV/TSV, JSON, NDJSON or Parquet, optionally gzip) into a table',
          description: `Send the file as the body with one of the Content-Types ${UPLOAD_CONTENT_TYPES.join(', ')}, or any type plus ?format=. Rejected records go to NAME__quarantine.`,
          tags: ['warehouse'],
          params: tableName,
          querystring: ingestQuery,
          response: { 200: ingestReport, ...errorResponses },
        },
      },
      async (request) => {
        const { name } = request.params;
        const query = request.query;
        const format = uploadFormat(request.headers['content-type'], query.format);
        const fields = ingestRequestFields({
          ...query,
          header: query.header === undefined ? undefined : query.header === 'true',
          delimiter:
            query.delimiter ??
            (request.headers['content-type']?.startsWith('text/tab-separated-values') ? '\t' : undefined),
        });
        if (Number(request.headers['content-length'] ?? 0) > maxUploadBytes) throw tooLarge(maxUploadBytes);
        const saved = await saveUpload(request.body as Readable, format, maxUploadBytes);
        try {
          return await ingest(platform.db, {
            ...fields,
            format,
            source: saved.file,
            table: name,
            sourceLabel: `upload (${saved.bytes} bytes)`,
          });
        } finally {
          await saved.remove();
        }
      },
    );
    done();
  });
};
