import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../warehouse/database.js';
import { META_SCHEMA } from '../warehouse/metadata.js';
import { asText } from '../warehouse/values.js';
import type { Identity } from './identity.js';
import { parseRole } from './roles.js';

const TABLE = `${META_SCHEMA}.sessions`;
export const SESSION_COOKIE = 'cairn_session';
/** A login link works once and for this long. */
export const LOGIN_TOKEN_TTL_MS = 15 * 60_000;
/** A dashboard session lasts this long. */
export const SESSION_TTL_MS = 12 * 3600_000;

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * One-time login tokens and the dashboard sessions they open. Both are stored only as SHA-256
 * digests: they are long random secrets, so a slow hash adds nothing.
 */
export class Sessions {
  private constructor(
    private readonly db: Database,
    private readonly clock: () => Date,
  ) {}

  static async open(db: Database, clock: () => Date = () => new Date()): Promise<Sessions> {
    await db.run(`CREATE TABLE IF NOT EXISTS ${TABLE} (
      digest VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, actor VARCHAR NOT NULL, role VARCHAR NOT NULL,
      key_id VARCHAR, expires_at VARCHAR NOT NULL)`);
    return new Sessions(db, clock);
  }

  private async issue(kind: 'login' | 'session', identity: Identity, ttlMs: number): Promise<string> {
    const secret = randomBytes(32).toString('base64url');
    const now = this.clock().getTime();
    await this.db.run(`DELETE FROM ${TABLE} WHERE expires_at < $1`, [new Date(now).toISOString()]);
    await this.db.run(`INSERT INTO ${TABLE} VALUES ($1, $2, $3, $4, $5, $6)`, [
      digest(secret),
      kind,
      identity.actor,
      identity.role,
      identity.keyId ?? null,
      new Date(now + ttlMs).toISOString(),
    ]);
    return secret;
  }

  /** A one-time token for a login link that opens a session as `identity`. */
  loginToken(identity: Identity): Promise<string> {
    return this.issue('login', identity, LOGIN_TOKEN_TTL_MS);
  }

  /** Spends a login token and returns a session secret for the cookie, or null if the token is no good. */
  async exchange(token: string): Promise<{ session: string; identity: Identity } | null> {
    const row = await this.take('login', token, true);
    if (!row) return null;
    const identity: Identity = { ...row, via: 'session' };
    return { session: await this.issue('session', identity, SESSION_TTL_MS), identity };
  }

  async authenticate(session: string): Promise<Identity | null> {
    const row = await this.take('session', session, false);
    return row ? { ...row, via: 'session' } : null;
  }

  async end(session: string): Promise<void> {
    await this.db.run(`DELETE FROM ${TABLE} WHERE digest = $1 AND kind = 'session'`, [digest(session)]);
  }

  /** Ends every session and login token opened from a key (when the key is revoked). */
  async endForKey(keyId: string): Promise<void> {
    await this.db.run(`DELETE FROM ${TABLE} WHERE key_id = $1`, [keyId]);
  }

  private async take(kind: string, secret: string, spend: boolean) {
    if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return null;
    const key = digest(secret);
    const [row] = spend
      ? await this.db.rows(`DELETE FROM ${TABLE} WHERE digest = $1 AND kind = $2 RETURNING *`, [key, kind])
      : await this.db.rows(`SELECT * FROM ${TABLE} WHERE digest = $1 AND kind = $2`, [key, kind]);
    if (!row || Date.parse(asText(row.expires_at)) <= this.clock().getTime()) return null;
    return {
      actor: asText(row.actor),
      role: parseRole(asText(row.role)),
      keyId: row.key_id ? asText(row.key_id) : undefined,
    };
  }
}
