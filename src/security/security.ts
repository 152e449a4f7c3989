import type { Database } from '../warehouse/database.js';
import type { IngestGate } from '../warehouse/ingest/gate.js';
import { ident } from '../warehouse/sql.js';
import { asText, toJsonRows } from '../warehouse/values.js';
import { ApiKeys, type ApiKeyInfo, type CreatedKey } from './api-keys.js';
import { AuditLog } from './audit-log.js';
import { decryptColumn, encryptColumn, reencryptColumn, rewriteColumn } from './column-encryption.js';
import type { Identity } from './identity.js';
import { jwtSettingsFromEnv, jwtVerifier, type JwtSettings, type JwtVerifier } from './jwt.js';
import { Keyring } from './keyring.js';
import { PiiStore, scanRelation } from './pii.js';
import { closedView, readerView, type ReaderView } from './reader-view.js';
import { guardRules, type RuleReads } from './rule-guard.js';
import { guardJob, type JobReads } from './job-guard.js';
import { featureMask, type FeatureMask } from './feature-guard.js';
import { queryRefs, secureQuery } from './secure-query.js';
import { Sessions } from './sessions.js';
import { exportSubject, eraseSubject, type SubjectHit, type SubjectScope } from './subjects.js';
import type { FeatureStore } from '../features/feature-store.js';
import { offlineTableName } from '../features/feature-store.js';
import type { MaskMethod } from './masking.js';
import type { Role } from './roles.js';
import { TablePolicies, type TablePolicy } from './table-policies.js';
import { describeTable, requireTable } from '../warehouse/catalog.js';
import type { QueryOptions, QueryResult } from '../warehouse/query.js';

export interface SecurityOptions {
  db: Database;
  home: string;
  jwt?: JwtSettings;
  env?: NodeJS.ProcessEnv;
  clock?: () => Date;
  /** Where GDPR export and erasure also look: feature views' entity columns and the online store. */
  features?: Pick<FeatureStore, 'online' | 'list' | 'view'>;
}

/** Authentication, authorisation, audit, encryption and PII flags for one workspace. */
export class Security {
  private constructor(
    readonly db: Database,
    readonly keys: ApiKeys,
    readonly sessions: Sessions,
    readonly audit: AuditLog,
    readonly policies: TablePolicies,
    readonly pii: PiiStore,
    readonly keyring: Keyring,
    private readonly jwt: JwtVerifier | null,
    private readonly features: SecurityOptions['features'],
  ) {}

  static async open(options: SecurityOptions): Promise<Security> {
    const { db, home, clock } = options;
    return new Security(
      db,
      await ApiKeys.open(db, clock),
      await Sessions.open(db, clock),
      await AuditLog.open(db, home, clock),
      await TablePolicies.open(db),
      await PiiStore.open(db),
      Keyring.load(home, options.env),
      jwtVerifier(options.jwt ?? jwtSettingsFromEnv(options.env)),
      options.features,
    );
  }

  /** The identity behind a bearer credential (API key or JWT), or null. */
  async authenticateBearer(token: string): Promise<Identity | null> {
    if (token.startsWith('cairn_')) return this.keys.authenticate(token);
    if (this.jwt && token.split('.').length === 3) return this.jwt(token);
    return null;
  }

  record(
    identity: Pick<Identity, 'actor' | 'role'>,
    action: string,
    object: string,
    detail?: Record<string, unknown>,
  ) {
    return this.audit.record(identity, action, object, detail);
  }

  /** Tables whose reads are audited: those with a policy or with PII flags. */
  async isSensitive(table: string): Promise<boolean> {
    const [policies, flagged] = await Promise.all([this.policies.tables(), this.pii.tables()]);
    return policies.includes(table) || flagged.includes(table);
  }

  query(identity: Identity, sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    return secureQuery(
      {
        db: this.db,
        policies: this.policies,
        keyring: this.keyring,
        isSensitive: (t) => this.isSensitive(t),
        audit: (who, action, object, detail) => this.record(who, action, object, detail),
      },
      identity,
      sql,
      options,
    );
  }

  /**
   * How `identity` may see `table`'s values outside a query (profiles, check samples, duplicates);
   * throws FORBIDDEN when its role has no grant on the table.
   */
  async readerView(identity: Identity, table: string): Promise<ReaderView> {
    return readerView(await this.policies.checkRead(table, identity.role), identity.role, this.keyring);
  }

  /** Throws FORBIDDEN when quality rules chosen by `identity` would read what its role may not see. */
  guardRules(identity: Identity, table: string, rules: readonly RuleReads[]): Promise<void> {
    return guardRules({ db: this.db, view: (t) => this.readerView(identity, t) }, identity, table, rules);
  }

  /**
   * How `identity` may see a feature view's online records: its grants on the source and offline
   * tables are checked (FORBIDDEN), and features over columns masked for it are masked. Views that
   * only a stream writes (no catalog entry) have no source table and pass through.
   */
  async featureMask(identity: Identity, viewName: string): Promise<FeatureMask> {
    const known = (await this.features?.list())?.some((v) => v.name === viewName);
    if (!this.features || !known) return (record) => record;
    const view = await this.features.view(viewName);
    await this.policies.checkRead(offlineTableName(view.name), identity.role);
    const source = 'table' in view.source ? await this.readerView(identity, view.source.table) : null;
    return featureMask(view, source);
  }

  /**
   * How `identity` may see summaries of a model's training data, by its source (`table:…`,
   * `query:…`, `file:…` as the registry records it): a table's masks apply, and a table without a
   * grant, or a query over any table the role does not read in full, hides every column. Files are
   * read only by admins (CLI), who chose to summarise them.
   */
  async sourceView(identity: Identity, source: string): Promise<ReaderView> {
    const clear = readerView(
      { table: source, grants: [], masks: [], encrypted: [] },
      identity.role,
      this.keyring,
    );
    if (identity.role === 'admin') return clear;
    const [kind, ...rest] = source.split(':');
    const detail = rest.join(':');
    if (kind === 'table') return this.readerView(identity, detail).catch(() => closedView(detail));
    if (kind !== 'query') return clear;
    const refs = await this.db.use((c) => queryRefs(c, detail)).catch(() => null);
    if (!refs) return closedView(source);
    for (const ref of refs.tables) {
      if (refs.ctes.has(ref.name)) continue;
      const view = await this.readerView(identity, ref.name).catch(() => null);
      const columns = await describeTable(this.db, ref.name).then(
        (d) => d.columns.map((c) => c.name),
        () => [],
      );
      if (!view || columns.some((c) => view.hides(c))) return closedView(source);
    }
    return clear;
  }

  /** Throws FORBIDDEN when a job `identity` queues would read files, closed tables or masked columns. */
  guardJob(identity: Identity, job: JobReads): Promise<void> {
    return guardJob(
      {
        db: this.db,
        view: (t) => this.readerView(identity, t),
        columns: async (t) => (await describeTable(this.db, t)).columns.map((c) => c.name),
      },
      identity,
      job,
    );
  }

  /**
   * The ingest gate: seals the target table's encrypted columns in the staged rows before they are
   * committed, and flags PII in what arrived.
   */
  ingestGate(): IngestGate {
    return async ({ connection, table, stage }) => {
      const policy = await this.policies.forTable(table);
      const relation = `main.${ident(stage)}`;
      await this.pii.save(table, await scanRelation(connection, relation), connection);
      const staged = new Set(
        toJsonRows(await connection.runAndReadAll(`DESCRIBE ${relation}`)).map((r) => asText(r.column_name)),
      );
      for (const { column } of policy.encrypted) {
        if (!staged.has(column)) continue;
        this.keyring.ensureKey();
        await rewriteColumn(connection, relation, column, (v) =>
          Keyring.versionOf(v) === null ? this.keyring.encrypt(v) : v,
        );
      }
    };
  }

  async createKey(
    by: Identity,
    options: { role: Role; expiresInMs?: number; name?: string },
  ): Promise<CreatedKey> {
    const created = await this.keys.create(options);
    await this.record(by, 'key:create', created.id, { role: created.role, expiresAt: created.expiresAt });
    return created;
  }

  async revokeKey(by: Identity, id: string): Promise<ApiKeyInfo> {
    const info = await this.keys.revoke(id);
    await this.sessions.endForKey(id);
    await this.record(by, 'key:revoke', id);
    return info;
  }

  async grant(by: Identity, table: string, role: Role, revoke = false): Promise<TablePolicy> {
    await requireTable(this.db, table);
    if (revoke) await this.policies.revoke(table, role);
    else await this.policies.grant(table, role);
    await this.record(by, revoke ? 'grant:revoke' : 'grant:add', table, { role });
    return this.policies.forTable(table);
  }

  async mask(
    by: Identity,
    table: string,
    column: string,
    method: MaskMethod | null,
    unmasked: Role[] = [],
  ): Promise<TablePolicy> {
    await requireTable(this.db, table);
    if (method === null) await this.policies.unmask(table, column);
    else await this.policies.mask(table, column, method, unmasked);
    await this.record(by, method === null ? 'mask:remove' : 'mask:set', `${table}.${column}`, {
      method,
      unmasked,
    });
    return this.policies.forTable(table);
  }

  /** Marks a column sensitive and seals its stored values; `readers` see it decrypted (admin always). */
  async encrypt(by: Identity, table: string, column: string, readers: Role[] = []): Promise<number> {
    await requireTable(this.db, table);
    const sealed = await encryptColumn(this.db, this.keyring, table, column);
    await this.policies.markEncrypted(table, column, readers);
    await this.record(by, 'encrypt', `${table}.${column}`, {
      rows: sealed,
      key: this.keyring.version,
      readers,
    });
    return sealed;
  }

  async decrypt(by: Identity, table: string, column: string): Promise<number> {
    const opened = await decryptColumn(this.db, this.keyring, table, column);
    await this.policies.unmarkEncrypted(table, column);
    await this.record(by, 'decrypt', `${table}.${column}`, { rows: opened });
    return opened;
  }

  /**
   * Adds a new current key (unless `reuse`), then re-seals every encrypted column under it. Values
   * sealed with older keys stay readable throughout, so serving carries on during the rotation.
   */
  async rotate(
    by: Identity,
    options: { newKey?: boolean } = {},
  ): Promise<{ version: number; resealed: number }> {
    const version = options.newKey === false ? this.keyring.version : this.keyring.rotate();
    let resealed = 0;
    for (const table of await this.policies.tables())
      for (const { column } of (await this.policies.forTable(table)).encrypted)
        resealed += await reencryptColumn(this.db, this.keyring, table, column);
    await this.record(by, 'key:rotate', `encryption:v${version}`, { resealed });
    return { version, resealed };
  }

  /** The subject columns: the usual names or `columns`, feature views' entities, sealed columns. */
  private async subjectScope(columns?: string[]): Promise<SubjectScope> {
    const sealed = new Set<string>();
    for (const table of await this.policies.tables())
      for (const { column } of (await this.policies.forTable(table)).encrypted)
        sealed.add(`main.${table}.${column}`);
    const keyColumns = new Map<string, string[]>();
    for (const view of (await this.features?.list()) ?? [])
      for (const table of [view.source, offlineTableName(view.name)])
        keyColumns.set(table, [...(keyColumns.get(table) ?? []), view.entity]);
    return {
      columns,
      keyColumns,
      sealed: (schema, table, column) => sealed.has(`${schema}.${table}.${column}`),
    };
  }

  /** Everything held about a data subject: warehouse tables and logs, then the online feature store. */
  async exportSubject(by: Identity, subject: string, columns?: string[]): Promise<SubjectHit[]> {
    const hits = await exportSubject(this.db, this.keyring, subject, await this.subjectScope(columns));
    if (this.features)
      for (const [view, record] of await (await this.features.online()).recordsOf(subject))
        hits.push({
          schema: 'online',
          table: view,
          columns: ['entity'],
          rows: [{ entity: subject, ...record }],
        });
    await this.record(by, 'subject:export', subject, {
      tables: hits.map((h) => `${h.schema}.${h.table}`),
      rows: hits.reduce((n, h) => n + h.rows.length, 0),
    });
    return hits;
  }

  /**
   * Removes a data subject from the warehouse (one transaction), then from the online feature store,
   * and records the erasure. The online store goes second: should it fail, the warehouse is already
   * clean, so no re-materialisation can bring the subject back, and the erasure can simply be re-run.
   */
  async eraseSubject(by: Identity, subject: string, columns?: string[]) {
    const removed = await eraseSubject(this.db, this.keyring, subject, await this.subjectScope(columns));
    if (this.features)
      for (const view of await (await this.features.online()).erase(subject))
        removed.push({ schema: 'online', table: view, rows: 1 });
    await this.record(by, 'subject:erase', subject, { removed });
    return removed;
  }

  /** Scans a table for PII now and stores the flags. */
  async scanPii(table: string) {
    await requireTable(this.db, table);
    return this.db.use(async (connection) => {
      const findings = await scanRelation(connection, `main.${ident(table)}`);
      await this.pii.save(table, findings, connection);
      return findings;
    });
  }
}
