import type { Permission } from '../security/roles.js';

/** What a route requires: a permission, any identity, or nothing (`public`). */
export type Access = Permission | 'authenticated' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Overrides the access table below; routes not in either need `security:admin` (default-deny). */
    access?: Access;
  }
}

/**
 * Access for the routes whose files do not declare `config.access`, by method and path. A route
 * missing from here and without `config.access` is admin-only, so a new route is never open by mistake.
 */
export const ROUTE_ACCESS: Record<string, Access> = {
  'GET /health': 'public',
  'GET /openapi.json': 'authenticated',
  'GET /v1/tables': 'tables:read',
  'GET /v1/tables/:name': 'tables:read',
  'DELETE /v1/tables/:name': 'data:write',
  'POST /v1/tables/:name/ingest': 'data:write',
  'POST /v1/query': 'data:read',
  // Profiles, reports and dedup show values (top values, min/max, duplicate rows): row data.
  'GET /v1/tables/:name/profile': 'data:read',
  'GET /v1/tables/:name/profiles': 'data:read',
  'GET /v1/tables/:name/profile/compare': 'data:read',
  'GET /v1/tables/:name/report': 'data:read',
  'POST /v1/tables/:name/dedup': 'data:read',
  'POST /v1/tables/:name/check': 'data:read',
  'GET /v1/tables/:name/checks': 'tables:read',
  'GET /v1/tables/:name/rules': 'tables:read',
  'PUT /v1/tables/:name/rules': 'data:write',
  'DELETE /v1/tables/:name/rules': 'data:write',
  'GET /v1/tables/:name/rules/suggest': 'data:read',
  'POST /v1/quality/run-due': 'data:write',
  'GET /v1/jobs': 'jobs:read',
  'POST /v1/jobs': 'models:train',
  'GET /v1/jobs/:id': 'jobs:read',
  'POST /v1/jobs/:id/cancel': 'models:train',
  'GET /v1/schedules': 'jobs:read',
  'POST /v1/schedules': 'models:train',
  'DELETE /v1/schedules/:id': 'models:train',
  'GET /v1/models': 'models:read',
  'GET /v1/models/:name': 'models:read',
  'GET /v1/models/:name/versions/:version/card': 'models:read',
  'GET /v1/models/:name/versions/:version/card.html': 'models:read',
  'GET /v1/models/:name/lineage': 'models:read',
  'POST /v1/models/:name/promote': 'models:promote',
  'POST /v1/models/:name/rollback': 'models:promote',
  'PUT /v1/models/:name/routing': 'models:promote',
  'DELETE /v1/models/:name/routing': 'models:promote',
  'POST /v1/models/:name/predict': 'models:predict',
  'POST /v1/models/:name/feedback': 'models:predict',
  // Dashboard solution views: rows scored by a model, cluster means and transactions are row data.
  'GET /v1/segments/:model': 'data:read',
  'GET /v1/anomalies/:model': 'data:read',
  'GET /v1/fraud/decisions': 'data:read',
};

/** The access a route needs: its own `config.access`, else the table above, else admin only. */
export function accessFor(method: string, url: string, config?: { access?: Access }): Access {
  if (method === 'HEAD') method = 'GET';
  return config?.access ?? ROUTE_ACCESS[`${method} ${url}`] ?? 'security:admin';
}
