import { CairnError } from '../core/errors.js';

/** The roles an API key, token or session carries, from most to least powerful. */
export const ROLES = ['admin', 'engineer', 'analyst', 'viewer', 'service'] as const;
export type Role = (typeof ROLES)[number];

/** What a route or command may require. Each role holds a fixed set; `admin` holds all. */
export const PERMISSIONS = [
  'tables:read', // table names, schemas, profiles, quality reports
  'data:read', // rows: SQL queries, samples, exports
  'data:write', // ingest, drop, write queries, rule sets
  'models:read', // registry, cards, lineage
  'models:predict', // real-time predictions and feedback
  'models:train', // training and scoring jobs, schedules
  'models:promote', // stage changes, routing, rollback
  'jobs:read',
  'security:admin', // keys, grants, masking, encryption, audit, subject export/erase
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: Permission[] = ['tables:read', 'models:read', 'jobs:read'];
const ANALYST: Permission[] = [...VIEWER, 'data:read', 'models:predict'];
const ENGINEER: Permission[] = [...ANALYST, 'data:write', 'models:train', 'models:promote'];

const GRANTED: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(PERMISSIONS),
  engineer: new Set(ENGINEER),
  analyst: new Set(ANALYST),
  viewer: new Set(VIEWER),
  service: new Set(['models:predict']),
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function parseRole(value: string, where = 'role'): Role {
  if (isRole(value)) return value;
  throw new CairnError('INVALID_ARGUMENT', `${where} '${value}' is not one of ${ROLES.join(', ')}`);
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTED[role].has(permission);
}

/** The roles that hold a permission, for messages and the OpenAPI document. */
export function rolesWith(permission: Permission): Role[] {
  return ROLES.filter((role) => can(role, permission));
}
