import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { WorkerPool } from '../core/workers/pool.js';
import type { Platform } from '../platform.js';
import { runDueChecks } from '../quality/rules/schedule.js';
import { registerAlerts } from '../serving/alerts.js';
import { ModelServer } from '../serving/model-server.js';
import { VERSION } from '../version.js';
import { handleError } from './errors.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { modelRoutes } from './routes/models.js';
import { qualityRoutes } from './routes/quality.js';
import { queryRoutes } from './routes/query.js';
import { tableRoutes } from './routes/tables.js';

export interface ServerOptions {
  /** Largest ingest upload accepted, in bytes. Default 1 GiB. */
  maxUploadBytes?: number;
  /** Largest JSON body accepted, in bytes. Default 10 MiB. */
  bodyLimit?: number;
  logger?: boolean;
  /** Threads for large prediction batches (the calling thread included). Default: the machine's. */
  threads?: number;
  /** Seconds a prediction response stays cached by version and input; 0 (default) turns it off. */
  predictCacheSeconds?: number;
}

/** Builds the HTTP API over a platform; every route has a zod schema that also feeds /openapi.json. */
export async function buildServer(platform: Platform, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger === false ? undefined : (platform.logger as never),
    bodyLimit: options.bodyLimit ?? 10 * 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } }),
  );
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Cairn API', version: VERSION, description: 'Self-hosted AI data platform' },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(healthRoutes);
  await app.register(tableRoutes, { platform, maxUploadBytes: options.maxUploadBytes ?? 1024 ** 3 });
  await app.register(queryRoutes, { platform });
  await app.register(qualityRoutes, { platform });
  await app.register(jobRoutes, { platform });
  const pool = new WorkerPool(options.threads);
  const models = await ModelServer.open({
    db: platform.db,
    artifactsDir: platform.workspace.artifacts,
    pool,
    onAlert: registerAlerts(platform.jobs.queue),
    cacheTtlSeconds: options.predictCacheSeconds ?? 0,
  });
  await app.register(modelRoutes, { platform, models });
  app.addHook('onClose', () => pool.close());
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  // The serving process runs queued jobs and fires stored schedules; closing the server stops them.
  app.addHook('onClose', () => platform.jobs.stop());
  await app.ready();
  await platform.jobs.start();
  // Quality rule sets with a schedule are checked each minute for runs that fell due.
  platform.jobs.scheduler.add('quality:rules', '* * * * *', async (due) => {
    await runDueChecks(platform.db, due);
  });
  return app;
}
