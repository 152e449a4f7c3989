import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { JOB_STATUSES, LOG_LEVELS } from '../../jobs/job.js';
import { scorePayloadSchema, trainPayloadSchema } from '../../jobs/model-jobs.js';
import type { Platform } from '../../platform.js';
import { callerOf } from '../caller.js';
import { errorResponses } from '../errors.js';

const job = z.object({
  id: z.string(),
  kind: z.string(),
  payload: z.unknown(),
  status: z.enum(JOB_STATUSES),
  progress: z.number().describe('0..1'),
  message: z.string(),
  result: z.unknown(),
  error: z.string().nullable(),
  attempts: z.number(),
  scheduleId: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
const jobDetail = job.extend({
  log: z.array(z.object({ at: z.string(), level: z.enum(LOG_LEVELS), message: z.string() })),
});

const trainBody = trainPayloadSchema.extend({ kind: z.literal('train') }).strict();
const scoreBody = scorePayloadSchema.extend({ kind: z.literal('score') });
const enqueueBody = z.discriminatedUnion('kind', [trainBody, scoreBody]);

const schedule = z.object({
  id: z.string(),
  kind: z.string(),
  payload: z.unknown(),
  cron: z.string(),
  createdAt: z.string(),
  lastFiredAt: z.string().nullable(),
  next: z.string().nullable(),
});
const scheduleBody = z.discriminatedUnion('kind', [
  trainBody.extend({
    cron: z.string().optional().describe("Cron (UTC); default: the spec's schedule"),
  }),
  scoreBody.extend({ cron: z.string().describe('Cron (UTC)') }),
]);

const idParams = z.object({ id: z.string().min(1).max(200) });

/** Jobs (train, score) and their stored schedules; the server process runs them. */
export const jobRoutes: FastifyPluginCallbackZod<{ platform: Platform }> = (app, { platform }, done) => {
  const { queue } = platform.jobs;
  app.post(
    '/v1/jobs',
    {
      schema: {
        summary: 'Queue a training or batch-scoring job',
        tags: ['jobs'],
        body: enqueueBody,
        response: { 202: z.object({ id: z.string(), status: z.enum(JOB_STATUSES) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { kind, ...payload } = request.body;
      await platform.security.guardJob(callerOf(request), request.body);
      const id = await queue.enqueue(kind, payload);
      const { status } = await queue.get(id);
      return reply.code(202).send({ id, status });
    },
  );
  app.get(
    '/v1/jobs',
    {
      schema: {
        summary: 'List jobs, newest first',
        tags: ['jobs'],
        querystring: z.object({
          status: z.enum(JOB_STATUSES).optional(),
          kind: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(10_000).default(100),
        }),
        response: { 200: z.object({ jobs: z.array(job) }), ...errorResponses },
      },
    },
    async (request) => ({ jobs: await queue.list(request.query) }),
  );
  app.get(
    '/v1/jobs/:id',
    {
      schema: {
        summary: 'A job: status, progress, result or error, and its log',
        tags: ['jobs'],
        params: idParams,
        response: { 200: jobDetail, ...errorResponses },
      },
    },
    async (request) => queue.get(request.params.id),
  );
  app.post(
    '/v1/jobs/:id/cancel',
    {
      schema: {
        summary: 'Cancel a queued job, or stop a running one at its next checkpoint',
        tags: ['jobs'],
        params: idParams,
        response: { 200: job, ...errorResponses },
      },
    },
    async (request) => queue.cancel(request.params.id),
  );
  app.get(
    '/v1/schedules',
    {
      schema: {
        summary: 'Stored schedules (retraining and re-scoring)',
        tags: ['jobs'],
        response: { 200: z.object({ schedules: z.array(schedule) }), ...errorResponses },
      },
    },
    async () => ({ schedules: await platform.jobs.schedules.list() }),
  );
  app.post(
    '/v1/schedules',
    {
      schema: {
        summary: 'Store a schedule: retrain a spec (id train:<name>) or re-score a table (id score:<into>)',
        tags: ['jobs'],
        body: scheduleBody,
        response: { 201: schedule, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      await platform.security.guardJob(callerOf(request), body);
      const saved =
        body.kind === 'train'
          ? await platform.jobs.scheduleTraining(body.spec, body.cron)
          : await platform.jobs.scheduleScoring(
              {
                model: body.model,
                version: body.version,
                stage: body.stage,
                table: body.table,
                into: body.into,
                chunk_rows: body.chunk_rows,
              },
              body.cron,
            );
      return reply.code(201).send(saved);
    },
  );
  app.delete(
    '/v1/schedules/:id',
    {
      schema: {
        summary: 'Remove a stored schedule',
        tags: ['jobs'],
        params: idParams,
        response: { 200: z.object({ removed: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      await platform.jobs.schedules.remove(request.params.id);
      return { removed: request.params.id };
    },
  );
  done();
};
