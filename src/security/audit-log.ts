import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from '../warehouse/database.js';
import { META_SCHEMA } from '../warehouse/metadata.js';
import { asText, type JsonRow } from '../warehouse/values.js';
import type { Identity } from './identity.js';

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  role: string;
  action: string;
  object: string;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditProblem {
  seq: number;
  problem: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  head: string | null;
  problems: AuditProblem[];
}

const GENESIS = '0'.repeat(64);
const TABLE = `${META_SCHEMA}.audit_log`;

/** The hash of one entry: its fields in a fixed order, chained to the previous entry's hash. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const canonical = JSON.stringify([
    entry.seq,
    entry.at,
    entry.actor,
    entry.role,
    entry.action,
    entry.object,
    entry.detail,
    entry.prevHash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Append-only, hash-chained log of who did what to which object. The newest sequence number and hash
 * are also written to `audit.head` beside the database, so removing the last entries is detected too.
 */
export class AuditLog {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly home: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  static async open(db: Database, home: string, clock?: () => Date): Promise<AuditLog> {
    await db.run(`CREATE TABLE IF NOT EXISTS ${TABLE} (
      seq BIGINT PRIMARY KEY, "at" VARCHAR NOT NULL, actor VARCHAR NOT NULL, role VARCHAR NOT NULL,
      action VARCHAR NOT NULL, object VARCHAR NOT NULL, detail VARCHAR NOT NULL,
      prev_hash VARCHAR NOT NULL, hash VARCHAR NOT NULL)`);
    return new AuditLog(db, home, clock);
  }

  private get headFile(): string {
    return path.join(this.home, 'audit.head');
  }

  /** Records one action; appends are serialised so the chain never forks. */
  record(
    who: Pick<Identity, 'actor' | 'role'>,
    action: string,
    object: string,
    detail: Record<string, unknown> = {},
  ): Promise<AuditEntry> {
    const next = this.tail.then(() => this.append(who, action, object, detail));
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async append(
    who: Pick<Identity, 'actor' | 'role'>,
    action: string,
    object: string,
    detail: Record<string, unknown>,
  ): Promise<AuditEntry> {
    const [last] = await this.db.rows(`SELECT seq, hash FROM ${TABLE} ORDER BY seq DESC LIMIT 1`);
    const body = {
      seq: last ? Number(last.seq) + 1 : 1,
      at: this.clock().toISOString(),
      actor: who.actor,
      role: who.role,
      action,
      object,
      detail: JSON.parse(JSON.stringify(detail)) as Record<string, unknown>,
      prevHash: last ? asText(last.hash) : GENESIS,
    };
    const entry = { ...body, hash: entryHash(body) };
    await this.db.run(`INSERT INTO ${TABLE} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
      entry.seq,
      entry.at,
      entry.actor,
      entry.role,
      entry.action,
      entry.object,
      JSON.stringify(entry.detail),
      entry.prevHash,
      entry.hash,
    ]);
    writeFileSync(this.headFile, `${entry.seq} ${entry.hash}\n`);
    return entry;
  }

  /** Entries newest first, optionally filtered by action prefix or actor. */
  async list(options: { limit?: number; action?: string; actor?: string } = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (options.action) {
      params.push(options.action);
      where.push(`starts_with(action, $${params.length})`);
    }
    if (options.actor) {
      params.push(options.actor);
      where.push(`actor = $${params.length}`);
    }
    const rows = await this.db.rows(
      `SELECT * FROM ${TABLE} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${Math.max(0, Math.floor(options.limit ?? 100))}`,
      params,
    );
    return rows.map(toEntry);
  }

  /** Recomputes every hash and link; any edited, inserted or removed entry is reported by sequence number. */
  async verify(): Promise<AuditVerification> {
    await this.tail;
    const entries = (await this.db.rows(`SELECT * FROM ${TABLE} ORDER BY seq`)).map(toEntry);
    const problems: AuditProblem[] = [];
    let prev = GENESIS;
    let expected = 1;
    for (const entry of entries) {
      if (entry.seq !== expected)
        problems.push({ seq: entry.seq, problem: `expected entry ${expected}; entries are missing` });
      if (entry.prevHash !== prev)
        problems.push({
          seq: entry.seq,
          problem: 'previous-hash link broken (an entry before it changed or went)',
        });
      if (entryHash(entry) !== entry.hash)
        problems.push({ seq: entry.seq, problem: 'content does not match its hash (edited)' });
      prev = entry.hash;
      expected = entry.seq + 1;
    }
    const head = this.readHead();
    const last = entries.at(-1);
    if (head && (!last || head.seq !== last.seq || head.hash !== last.hash))
      problems.push({
        seq: head.seq,
        problem: `audit.head names entry ${head.seq} but the log ends at ${last?.seq ?? 0}; the newest entries were removed or changed`,
      });
    return { ok: problems.length === 0, entries: entries.length, head: last?.hash ?? null, problems };
  }

  private readHead(): { seq: number; hash: string } | null {
    try {
      const [seq, hash] = readFileSync(this.headFile, 'utf8').trim().split(' ');
      return { seq: Number(seq), hash };
    } catch {
      return null;
    }
  }
}

function toEntry(row: JsonRow): AuditEntry {
  return {
    seq: Number(row.seq),
    at: asText(row.at),
    actor: asText(row.actor),
    role: asText(row.role),
    action: asText(row.action),
    object: asText(row.object),
    detail: JSON.parse(asText(row.detail)) as Record<string, unknown>,
    prevHash: asText(row.prev_hash),
    hash: asText(row.hash),
  };
}
