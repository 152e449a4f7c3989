import os from 'node:os';
import type { Role } from './roles.js';

/** Who is acting: a key, a token's subject, a dashboard session or the local CLI user. */
export interface Identity {
  /** Stable name for the audit log, e.g. `key:k_3f2a…`, `jwt:alice`, `cli:ana`. */
  actor: string;
  role: Role;
  via: 'key' | 'jwt' | 'session' | 'cli';
  /** The API key behind the identity (also for sessions opened from a key's login link). */
  keyId?: string;
}

/** CLI commands hold the workspace file, so they act as the local admin under the OS user's name. */
export function cliIdentity(): Identity {
  let user = process.env.USER ?? 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // Containers without a passwd entry for the uid: fall back to $USER.
  }
  return { actor: `cli:${user}`, role: 'admin', via: 'cli' };
}
