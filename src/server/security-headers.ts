import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Helmet's security headers on every response. The middleware is built once here: @fastify/helmet
 * rebuilds it (and re-parses the CSP) on every request, which cost more than scoring a prediction.
 */
export function installSecurityHeaders(app: FastifyInstance, { tls }: { tls: boolean }): void {
  const apply = helmet({
    hsts: tls ? { maxAge: 15_552_000 } : false,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  app.addHook('onRequest', (request, reply, done) =>
    apply(request.raw, reply.raw, (error) => done(error as Error | undefined)),
  );
}
