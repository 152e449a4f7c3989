import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CairnError } from '../../core/errors.js';
import type { Platform } from '../../platform.js';
import { parseDuration } from '../../security/api-keys.js';
import type { Identity } from '../../security/identity.js';
import { MASK_METHODS } from '../../security/masking.js';
import { ROLES } from '../../security/roles.js';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../../security/sessions.js';
import { requireTable } from '../../warehouse/catalog.js';
import { errorResponses } from '../errors.js';

const tags = ['security'];
const identityBody = z.object({ actor: z.string(), role: z.string(), via: z.string() });
const keyInfo = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
const policyBody = z.object({
  table: z.string(),
  grants: z.array(z.string()),
  masks: z.array(z.object({ column: z.string(), method: z.string(), unmasked: z.array(z.string()) })),
  encrypted: z.array(z.object({ column: z.string(), readers: z.array(z.string()) })),
});
const tableParams = z.object({ name: z.string().min(1).max(120) });
const token = z.string().min(1).max(200);

function who(identity: Identity | undefined): Identity {
  if (!identity) throw new CairnError('UNAUTHENTICATED', 'no identity on this request');
  return identity;
}

export const securityRoutes: FastifyPluginCallbackZod<{ platform: Platform; tls: boolean }> = (
  app,
  { platform, tls },
  done,
) => {
  const security = platform.security;
  const cookie = (session: string) =>
    `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${tls ? '; Secure' : ''}`;

  const exchange = async (value: string) => {
    const opened = await security.sessions.exchange(value);
    if (!opened) {
      await security.record({ actor: 'anonymous', role: 'none' as never }, 'login:failed', 'login-link');
      throw new CairnError(
        'UNAUTHENTICATED',
        'the login link is unknown, used or expired; ask `cairn up` for a new one',
      );
    }
    await security.record(opened.identity, 'login', opened.identity.actor, { via: 'login-link' });
    return opened;
  };

  app.post(
    '/v1/auth/login',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Exchange a one-time login token for a dashboard session cookie',
        tags,
        body: z.object({ token }),
        response: { 200: identityBody, 401: errorResponses[400] },
      },
    },
    async (request, reply) => {
      const { session, identity } = await exchange(request.body.token);
      reply.header('set-cookie', cookie(session));
      return { actor: identity.actor, role: identity.role, via: identity.via };
    },
  );

  app.get(
    '/v1/auth/login',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Open a login link: sets the session cookie and redirects to the dashboard',
        tags,
        querystring: z.object({ token }),
        response: { 303: z.null(), 401: errorResponses[400] },
      },
    },
    async (request, reply) => {
      const { session } = await exchange(request.query.token);
      return reply.header('set-cookie', cookie(session)).redirect('/', 303);
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      config: { access: 'authenticated' },
      schema: {
        summary: 'End the dashboard session',
        tags,
        response: { 200: z.object({ ok: z.boolean() }) },
      },
    },
    async (request, reply) => {
      const session = /(?:^|;\s*)cairn_session=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
      if (session) await security.sessions.end(session);
      reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
      return { ok: true };
    },
  );

  app.get(
    '/v1/auth/whoami',
    {
      config: { access: 'authenticated' },
      schema: { summary: 'The identity behind this request', tags, response: { 200: identityBody } },
    },
    (request) => {
      const { actor, role, via } = who(request.identity);
      return { actor, role, via };
    },
  );

  app.get(
    '/v1/keys',
    {
      schema: {
        summary: 'List API keys (never their secrets)',
        tags,
        response: { 200: z.object({ keys: z.array(keyInfo) }) },
      },
    },
    async () => ({ keys: await security.keys.list() }),
  );

  app.post(
    '/v1/keys',
    {
      schema: {
        summary: 'Create an API key; the secret is in this response only',
        tags,
        body: z.object({
          role: z.enum(ROLES),
          expires: z.string().max(20).optional().describe('Lifetime such as 90d, 12h'),
          name: z.string().max(120).optional(),
        }),
        response: {
          200: z.object({
            id: z.string(),
            key: z.string(),
            role: z.string(),
            expiresAt: z.string().nullable(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { role, expires, name } = request.body;
      return security.createKey(who(request.identity), {
        role,
        name,
        expiresInMs: expires === undefined ? undefined : parseDuration(expires, 'expires'),
      });
    },
  );

  app.delete(
    '/v1/keys/:id',
    {
      schema: {
        summary: 'Revoke an API key (and the sessions opened from it)',
        tags,
        params: z.object({ id: z.string().min(1).max(40) }),
        response: { 200: keyInfo, ...errorResponses },
      },
    },
    async (request) => security.revokeKey(who(request.identity), request.params.id),
  );

  app.get(
    '/v1/audit',
    {
      schema: {
        summary: 'Audit log entries, newest first',
        tags,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(10_000).default(100),
          action: z.string().max(100).optional(),
          actor: z.string().max(200).optional(),
        }),
        response: { 200: z.object({ entries: z.array(z.unknown()) }), ...errorResponses },
      },
    },
    async (request) => ({ entries: await security.audit.list(request.query) }),
  );

  app.get(
    '/v1/audit/verify',
    {
      schema: {
        summary: 'Recompute the audit hash chain; lists edited or removed entries',
        tags,
        response: {
          200: z.object({
            ok: z.boolean(),
            entries: z.number(),
            head: z.string().nullable(),
            problems: z.array(z.object({ seq: z.number(), problem: z.string() })),
          }),
        },
      },
    },
    () => security.audit.verify(),
  );

  app.get(
    '/v1/tables/:name/policy',
    {
      schema: {
        summary: 'A table’s grants, column masks and encrypted columns',
        tags,
        params: tableParams,
        response: { 200: policyBody, ...errorResponses },
      },
    },
    async (request) => {
      await requireTable(platform.db, request.params.name);
      return security.policies.forTable(request.params.name);
    },
  );

  app.post(
    '/v1/tables/:name/grants',
    {
      schema: {
        summary:
          'Grant (or with revoke=true withdraw) a role read access to a table; a table with grants is closed to other roles',
        tags,
        params: tableParams,
        body: z.object({ role: z.enum(ROLES), revoke: z.boolean().default(false) }),
        response: { 200: policyBody, ...errorResponses },
      },
    },
    async (request) =>
      security.grant(who(request.identity), request.params.name, request.body.role, request.body.revoke),
  );

  app.put(
    '/v1/tables/:name/masks/:column',
    {
      schema: {
        summary: 'Mask a column for every role except `unmasked` (admin always sees it)',
        tags,
        params: tableParams.extend({ column: z.string().min(1).max(120) }),
        body: z.object({ method: z.enum(MASK_METHODS), unmasked: z.array(z.enum(ROLES)).default([]) }),
        response: { 200: policyBody, ...errorResponses },
      },
    },
    async (request) =>
      security.mask(
        who(request.identity),
        request.params.name,
        request.params.column,
        request.body.method,
        request.body.unmasked,
      ),
  );

  app.delete(
    '/v1/tables/:name/masks/:column',
    {
      schema: {
        summary: 'Remove a column mask',
        tags,
        params: tableParams.extend({ column: z.string().min(1).max(120) }),
        response: { 200: policyBody, ...errorResponses },
      },
    },
    async (request) => security.mask(who(request.identity), request.params.name, request.params.column, null),
  );

  app.get(
    '/v1/tables/:name/pii',
    {
      config: { access: 'tables:read' },
      schema: {
        summary: 'PII flagged in a table (on ingest, or by ?scan=true now) with a suggested policy',
        tags,
        params: tableParams,
        querystring: z.object({ scan: z.enum(['true', 'false']).default('false') }),
        response: { 200: z.object({ table: z.string(), columns: z.array(z.unknown()) }), ...errorResponses },
      },
    },
    async (request) => {
      const table = request.params.name;
      await requireTable(platform.db, table);
      if (request.query.scan === 'true') await security.scanPii(table);
      return { table, columns: await security.pii.forTable(table) };
    },
  );

  const subjectParams = z.object({ id: z.string().min(1).max(200) });
  const subjectQuery = z.object({
    columns: z.string().max(1000).optional().describe('Comma-separated subject columns'),
  });
  app.get(
    '/v1/subjects/:id',
    {
      schema: {
        summary: 'GDPR export: every row held about a data subject, across tables, feature tables and logs',
        tags,
        params: subjectParams,
        querystring: subjectQuery,
        response: { 200: z.object({ subject: z.string(), found: z.array(z.unknown()) }), ...errorResponses },
      },
    },
    async (request) => ({
      subject: request.params.id,
      found: await security.exportSubject(
        who(request.identity),
        request.params.id,
        request.query.columns?.split(','),
      ),
    }),
  );

  app.delete(
    '/v1/subjects/:id',
    {
      schema: {
        summary: 'GDPR erasure: delete every row holding a data subject; recorded in the audit log',
        tags,
        params: subjectParams,
        querystring: subjectQuery,
        response: {
          200: z.object({ subject: z.string(), removed: z.array(z.unknown()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => ({
      subject: request.params.id,
      removed: await security.eraseSubject(
        who(request.identity),
        request.params.id,
        request.query.columns?.split(','),
      ),
    }),
  );
  done();
};
