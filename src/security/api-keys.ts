import { hash, verify } from '@node-rs/argon2';
import { createHash, randomBytes } from 'node:crypto';
import { CairnError } from '../core/errors.js';
import type { Database } from '../warehouse/database.js';
import { META_SCHEMA } from '../warehouse/metadata.js';
import { asText, type JsonRow } from '../warehouse/values.js';
import type { Identity } from './identity.js';
import { parseRole, type Role } from './roles.js';

const TABLE = `${META_SCHEMA}.api_keys`;
const KEY_PATTERN = /^cairn_(k_[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;
/** A verified key is remembered this long (ms), so serving does not pay an argon2 hash per request. */
const VERIFIED_TTL_MS = 60_000;
/**
 * After that, it keeps serving for up to this long (ms) while one fresh check runs in the background.
 * Checked in the foreground, every request arriving during the check started its own (a database
 * read and an argon2 hash each): at 2,000 requests/s that stalled a server for 1.4 s once a minute.
 */
const RECHECK_GRACE_MS = 10_000;

export interface ApiKeyInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface CreatedKey {
  id: string;
  /** The secret: shown once, stored only as an argon2id hash. */
  key: string;
  role: Role;
  expiresAt: string | null;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

/** Parses `90d`, `12h`, `30m`, `1y` … into milliseconds. */
export function parseDuration(text: string, where = '--expires'): number {
  const match = /^(\d+)\s*([smhdwy])$/.exec(text.trim());
  if (!match || Number(match[1]) <= 0)
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${where} '${text}' is not a duration; use a number and a unit s, m, h, d, w or y (e.g. 90d)`,
    );
  return Number(match[1]) * UNITS[match[2]] * 1000;
}

/** API keys: created with a role and optional expiry, stored hashed, revocable. */
export class ApiKeys {
  private readonly verified = new Map<string, { identity: Identity; until: number; expires: number }>();
  /** Checks in flight, by key digest: requests presenting the same key share one. */
  private readonly checking = new Map<string, Promise<Identity | null>>();
  /** Counts revocations, so a check that began before one does not cache what it read. */
  private revocations = 0;

  private constructor(
    private readonly db: Database,
    private readonly clock: () => Date,
  ) {}

  static async open(db: Database, clock: () => Date = () => new Date()): Promise<ApiKeys> {
    await db.run(`CREATE TABLE IF NOT EXISTS ${TABLE} (
      id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, role VARCHAR NOT NULL, hash VARCHAR NOT NULL,
      created_at VARCHAR NOT NULL, expires_at VARCHAR, revoked_at VARCHAR, last_used_at VARCHAR)`);
    return new ApiKeys(db, clock);
  }

  async create(options: { role: Role; expiresInMs?: number; name?: string }): Promise<CreatedKey> {
    const role = parseRole(options.role);
    const id = `k_${randomBytes(6).toString('hex')}`;
    const secret = randomBytes(32).toString('base64url');
    const key = `cairn_${id}.${secret}`;
    const now = this.clock();
    const expiresAt =
      options.expiresInMs === undefined ? null : new Date(now.getTime() + options.expiresInMs).toISOString();
    await this.db.run(`INSERT INTO ${TABLE} VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL)`, [
      id,
      options.name ?? role,
      role,
      await hash(secret),
      now.toISOString(),
      expiresAt,
    ]);
    return { id, key, role, expiresAt };
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.db.rows(`SELECT * FROM ${TABLE} ORDER BY created_at, id`);
    return rows.map(toInfo);
  }

  async count(): Promise<number> {
    const [row] = await this.db.rows(`SELECT count(*) AS n FROM ${TABLE}`);
    return Number(row.n);
  }

  async revoke(id: string): Promise<ApiKeyInfo> {
    const [row] = await this.db.rows(`SELECT * FROM ${TABLE} WHERE id = $1`, [id]);
    if (!row) throw new CairnError('NOT_FOUND', `no API key '${id}'; \`cairn keys list\` shows the keys`);
    if (!row.revoked_at)
      await this.db.run(`UPDATE ${TABLE} SET revoked_at = $2 WHERE id = $1`, [
        id,
        this.clock().toISOString(),
      ]);
    this.revocations++;
    for (const [digest, entry] of this.verified)
      if (entry.identity.keyId === id) this.verified.delete(digest);
    const [updated] = await this.db.rows(`SELECT * FROM ${TABLE} WHERE id = $1`, [id]);
    return toInfo(updated);
  }

  /** The identity a presented key stands for, or null when it is malformed, unknown, revoked or expired. */
  async authenticate(presented: string): Promise<Identity | null> {
    const match = KEY_PATTERN.exec(presented);
    if (!match) return null;
    const now = this.clock().getTime();
    const digest = createHash('sha256').update(presented).digest('hex');
    const cached = this.verified.get(digest);
    if (cached && cached.expires > now) {
      if (cached.until > now) return cached.identity;
      if (cached.until + RECHECK_GRACE_MS > now) {
        this.check(digest, match[1], match[2]).catch(() => undefined); // failures surface on a later request
        return cached.identity;
      }
    }
    return this.check(digest, match[1], match[2]);
  }

  /** Looks the key up and verifies its secret, once at a time per key. */
  private check(digest: string, id: string, secret: string): Promise<Identity | null> {
    let pending = this.checking.get(digest);
    if (pending === undefined) {
      pending = this.lookup(digest, id, secret).finally(() => this.checking.delete(digest));
      this.checking.set(digest, pending);
    }
    return pending;
  }

  private async lookup(digest: string, id: string, secret: string): Promise<Identity | null> {
    const revocations = this.revocations;
    const now = this.clock().getTime();
    const [row] = await this.db.rows(`SELECT * FROM ${TABLE} WHERE id = $1`, [id]);
    const expires = row?.expires_at ? Date.parse(asText(row.expires_at)) : Number.POSITIVE_INFINITY;
    if (!row || row.revoked_at || expires <= now || !(await verify(asText(row.hash), secret))) {
      this.verified.delete(digest);
      return null;
    }
    const identity: Identity = {
      actor: `key:${id}`,
      role: parseRole(asText(row.role)),
      via: 'key',
      keyId: id,
    };
    if (revocations === this.revocations)
      this.verified.set(digest, { identity, until: now + VERIFIED_TTL_MS, expires });
    await this.db.run(`UPDATE ${TABLE} SET last_used_at = $2 WHERE id = $1`, [
      id,
      new Date(now).toISOString(),
    ]);
    return identity;
  }
}

function toInfo(row: JsonRow): ApiKeyInfo {
  return {
    id: asText(row.id),
    name: asText(row.name),
    role: parseRole(asText(row.role)),
    createdAt: asText(row.created_at),
    expiresAt: row.expires_at ? asText(row.expires_at) : null,
    revokedAt: row.revoked_at ? asText(row.revoked_at) : null,
    lastUsedAt: row.last_used_at ? asText(row.last_used_at) : null,
  };
}
