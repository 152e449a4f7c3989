import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { WorkerPool } from '../core/workers/pool.js';
import { tuneHeapForServing } from '../core/heap-tuning.js';
import type { Platform } from '../platform.js';
import { runDueChecks } from '../quality/rules/schedule.js';
import { registerAlerts } from '../serving/alerts.js';
import { ModelServer } from '../serving/model-server.js';
import { FraudService } from '../solutions/fraud/service.js';
import { VERSION } from '../version.js';
import { registerDashboard } from './dashboard.js';
import { accessFor } from './access.js';
import { installAuth } from './auth.js';
import { handleError } from './errors.js';
import { anomalyRoutes } from './routes/anomalies.js';
import { fraudDecisionRoutes } from './routes/fraud-decisions.js';
import { fraudRoutes } from './routes/fraud.js';
import { featureRoutes } from './routes/features.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { modelRoutes } from './routes/models.js';
import { overviewRoutes } from './routes/overview.js';
import { qualityRoutes } from './routes/quality.js';
import { queryRoutes } from './routes/query.js';
import { rowRoutes } from './routes/rows.js';
import { securityRoutes } from './routes/security.js';
import { segmentRoutes } from './routes/segments.js';
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
  /** PEM files: with both, the server speaks HTTPS only (CAIRN_TLS_CERT / CAIRN_TLS_KEY for `cairn serve`). */
  tls?: { cert: string; key: string };
  /** Requests per minute per API key or session. Default 600,000 (10,000 a second). */
  rateLimit?: number;
  /** The fraud service to serve, when the caller also feeds it from a stream; default: one opened here. */
  fraud?: FraudService;
}

/** Builds the HTTP API over a platform; every route has a zod schema that also feeds /openapi.json. */
export async function buildServer(platform: Platform, options: ServerOptions = {}): Promise<FastifyInstance> {
  tuneHeapForServing();
  const app = Fastify({
    loggerInstance: options.logger === false ? undefined : (platform.logger as never),
    bodyLimit: options.bodyLimit ?? 10 * 1024 * 1024,
    ...(options.tls
      ? { https: { cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) } }
      : {}),
  }).withTypeProvider<ZodTypeProvider>() as unknown as FastifyInstance;
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
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API key, JWT or session cookie' },
        },
      },
    },
    // Each operation names the permission it needs (OpenAPI 3.1 allows role names as bearer scopes).
    transform: (input) => {
      const out = jsonSchemaTransform(input);
      const access = accessFor(String(input.route.method), input.url, input.route.config);
      const security = access === 'public' ? [] : [{ bearer: access === 'authenticated' ? [] : [access] }];
      return { ...out, schema: { ...out.schema, security } };
    },
  });
  await installAuth(app, { security: platform.security, rateLimit: options.rateLimit, tls: !!options.tls });
  await app.register(healthRoutes);
  await app.register(securityRoutes, { platform, tls: !!options.tls });
  await app.register(tableRoutes, { platform, maxUploadBytes: options.maxUploadBytes ?? 1024 ** 3 });
  await app.register(queryRoutes, { platform });
  await app.register(rowRoutes, { platform });
  await app.register(overviewRoutes, { platform });
  await app.register(qualityRoutes, { platform });
  await app.register(jobRoutes, { platform });
  await app.register(featureRoutes, { platform });
  const pool = new WorkerPool(options.threads);
  const models = await ModelServer.open({
    db: platform.db,
    artifactsDir: platform.workspace.artifacts,
    pool,
    onAlert: registerAlerts(platform.jobs.queue),
    cacheTtlSeconds: options.predictCacheSeconds ?? 0,
  });
  await app.register(modelRoutes, { platform, models });
  await app.register(segmentRoutes, { platform });
  await app.register(anomalyRoutes, { platform });
  const fraud =
    options.fraud ??
    (await FraudService.open({
      db: platform.db,
      artifactsDir: platform.workspace.artifacts,
      logger: platform.logger,
      online: await platform.features.online(),
    }));
  await app.register(fraudRoutes, { fraud });
  await app.register(fraudDecisionRoutes, { fraud, db: platform.db });
  app.addHook('onClose', () => fraud.close());
  app.addHook('onClose', () => pool.close());
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  await registerDashboard(app);
  // The serving process runs queued jobs and fires stored schedules; closing the server stops them.
  app.addHook('onClose', () => platform.jobs.stop());
  await app.ready();
  await platform.jobs.start();
  // Quality rule sets with a schedule are checked each minute for runs that fell due.
  // The in-process online store starts from the last materialisation; views with a schedule re-run it.
  await platform.features.loadAllOnline();
  for (const view of await platform.features.list()) {
    const { schedule } = await platform.features.view(view.name);
    if (schedule)
      platform.jobs.scheduler.add(`features:${view.name}`, schedule, () =>
        platform.features.materialize(view.name).then(() => undefined),
      );
  }
  platform.jobs.scheduler.add('quality:rules', '* * * * *', async (due) => {
    await runDueChecks(platform.db, due);
  });
  return app;
}
