import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { VERSION } from '../../version.js';

export const healthRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  const started = Date.now();
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness: the server is up',
        tags: ['system'],
        response: { 200: z.object({ status: z.literal('ok'), version: z.string(), uptime_s: z.number() }) },
      },
    },
    () => ({ status: 'ok' as const, version: VERSION, uptime_s: (Date.now() - started) / 1000 }),
  );
  done();
};
