import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:web` writes the dashboard. */
export const DASHBOARD_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'web',
  'dist',
);

/**
 * Serves the built dashboard at `/` when web/dist exists; without a build, `/` says how to make one.
 * The dashboard is static files calling the same /v1 API as any client.
 */
export async function registerDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): Promise<void> {
  // The dashboard's files hold no data, so they are public (see server/access.ts); every API call
  // they make is authenticated as usual.
  const config = { access: 'public' } as const;
  if (!existsSync(path.join(dir, 'index.html'))) {
    app.get('/', { schema: { hide: true }, config }, (_request, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built: run `npm run build:web` (npm start does it for you).\n'),
    );
    return;
  }
  // Hashed asset names never change content, so they may be cached for long; index.html never is.
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, ...config };
    });
    await scope.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      setHeaders: (res, file) => {
        res.setHeader(
          'cache-control',
          file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
        );
      },
    });
  });
}
