import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Platform } from '../platform.js';
import { VERSION } from '../version.js';
import { handleError } from './errors.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { qualityRoutes } from './routes/quality.js';
import { queryRoutes } from './routes/query.js';
import { tableRoutes } from './routes/tables.js';

export interface ServerOptions {
  /** Largest ingest upload accepted, in bytes. Default 1 GiB. */
  maxUploadBytes?: number;
  /** Largest JSON body accepted, in bytes. Default 10 MiB. */
  bodyLimit?: number;
  logger?: boolean;
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
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  // The serving process runs queued jobs and fires stored schedules; closing the server stops them.
  app.addHook('onClose', () => platform.jobs.stop());
  await app.ready();
  await platform.jobs.start();
  return app;
}
