import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CairnError } from '../core/errors.js';
import type { Identity } from '../security/identity.js';
import { can } from '../security/roles.js';
import type { Security } from '../security/security.js';
import { SESSION_COOKIE } from '../security/sessions.js';
import { accessFor } from './access.js';
import { installSecurityHeaders } from './security-headers.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request; set by the authentication hook on every non-public route. */
    identity?: Identity;
  }
}

export interface AuthOptions {
  security: Security;
  /** Requests per minute per key or session. Default 600,000 (10,000 a second: the serving targets). */
  rateLimit?: number;
  /** Whether the server speaks TLS (session cookies are then `Secure`). */
  tls?: boolean;
}

/** The value of one cookie in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

async function identify(security: Security, request: FastifyRequest): Promise<Identity | null> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? security.authenticateBearer(match[1]) : null;
  }
  const session = readCookie(request.headers.cookie, SESSION_COOKIE);
  return session ? security.sessions.authenticate(session) : null;
}

/**
 * Secure by default: one global onRequest hook checks every route — also routes registered later —
 * against its access (`config.access`, else the access table, else admin only). Per-table grants
 * apply to routes with a `:name` table parameter. Mutating requests are audited. Call it on the root
 * instance before registering routes, so its hooks are not encapsulated.
 */
export async function installAuth(
  app: FastifyInstance,
  { security, rateLimit, tls }: AuthOptions,
): Promise<void> {
  installSecurityHeaders(app, { tls: !!tls });
  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    const access =
      url === undefined ? 'authenticated' : accessFor(request.method, url, request.routeOptions.config);
    if (access === 'public') return;
    const identity = await identify(security, request);
    if (!identity) {
      throw new CairnError(
        'UNAUTHENTICATED',
        'this route needs an identity: send `Authorization: Bearer <API key or JWT>` (`cairn keys create`)',
      );
    }
    request.identity = identity;
    if (access !== 'authenticated' && !can(identity.role, access)) {
      await security.record(identity, 'denied', `${request.method} ${url}`, { needs: access });
      throw new CairnError(
        'FORBIDDEN',
        `role '${identity.role}' may not ${request.method} ${url}; it needs '${access}'`,
      );
    }
    const params = request.params as Record<string, string> | undefined;
    if (url?.startsWith('/v1/tables/:name') && params?.name)
      await security.policies.checkRead(params.name, identity.role);
  });
  await app.register(fastifyRateLimit, {
    max: rateLimit ?? 600_000,
    timeWindow: 60_000,
    hook: 'preHandler',
    keyGenerator: (request) => request.identity?.keyId ?? request.identity?.actor ?? request.ip,
    errorResponseBuilder: (_request, context) =>
      new CairnError(
        'RATE_LIMITED',
        `more than ${context.max} requests in ${context.after}; retry after that`,
      ),
  });
  app.addHook('onResponse', async (request, reply) => {
    const url = request.routeOptions.url;
    if (!request.identity || url === undefined || request.method === 'GET' || request.method === 'HEAD')
      return;
    // Predictions and feedback are high-volume service traffic; the prediction log traces them.
    if (accessFor(request.method, url, request.routeOptions.config) === 'models:predict') return;
    const params = (request.params ?? {}) as Record<string, string>;
    await security
      .record(request.identity, `http:${request.method} ${url}`, params.name ?? params.id ?? '', {
        status: reply.statusCode,
      })
      .catch((error: unknown) => request.log.error({ err: error }, 'audit write failed'));
  });
}
