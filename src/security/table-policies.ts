import { CairnError } from '../core/errors.js';
import type { Database } from '../warehouse/database.js';
import { META_SCHEMA } from '../warehouse/metadata.js';
import { checkTableName } from '../warehouse/sql.js';
import { asText } from '../warehouse/values.js';
import { parseMaskMethod, type MaskMethod } from './masking.js';
import { parseRole, type Role } from './roles.js';

const GRANTS = `${META_SCHEMA}.table_grants`;
const MASKS = `${META_SCHEMA}.column_masks`;
const ENCRYPTED = `${META_SCHEMA}.encrypted_columns`;

export interface ColumnMask {
  table: string;
  column: string;
  method: MaskMethod;
  /** Roles that see the clear value; admin always does. */
  unmasked: Role[];
}

export interface TablePolicy {
  table: string;
  /** Roles allowed to read the table; empty means every role with read access. */
  grants: Role[];
  masks: ColumnMask[];
  /** Columns stored encrypted, with the roles allowed to see them decrypted (admin always). */
  encrypted: { column: string; readers: Role[] }[];
}

/** Per-table grants, column masks and encrypted-column marks, kept in the `cairn` schema. */
export class TablePolicies {
  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<TablePolicies> {
    await db.run(`
      CREATE TABLE IF NOT EXISTS ${GRANTS} (table_name VARCHAR, role VARCHAR, PRIMARY KEY (table_name, role));
      CREATE TABLE IF NOT EXISTS ${MASKS} (table_name VARCHAR, column_name VARCHAR, method VARCHAR NOT NULL,
        unmasked VARCHAR NOT NULL, PRIMARY KEY (table_name, column_name));
      CREATE TABLE IF NOT EXISTS ${ENCRYPTED} (table_name VARCHAR, column_name VARCHAR, readers VARCHAR NOT NULL,
        PRIMARY KEY (table_name, column_name));`);
    return new TablePolicies(db);
  }

  async grant(table: string, role: Role): Promise<void> {
    checkTableName(table);
    await this.db.run(`INSERT OR IGNORE INTO ${GRANTS} VALUES ($1, $2)`, [table, parseRole(role)]);
  }

  async revoke(table: string, role: Role): Promise<void> {
    await this.db.run(`DELETE FROM ${GRANTS} WHERE table_name = $1 AND role = $2`, [table, role]);
  }

  async mask(table: string, column: string, method: MaskMethod, unmasked: Role[]): Promise<void> {
    checkTableName(table);
    await this.db.run(`INSERT OR REPLACE INTO ${MASKS} VALUES ($1, $2, $3, $4)`, [
      table,
      column,
      parseMaskMethod(method),
      unmasked.map((r) => parseRole(r)).join(','),
    ]);
  }

  async unmask(table: string, column: string): Promise<void> {
    await this.db.run(`DELETE FROM ${MASKS} WHERE table_name = $1 AND column_name = $2`, [table, column]);
  }

  async markEncrypted(table: string, column: string, readers: Role[]): Promise<void> {
    await this.db.run(`INSERT OR REPLACE INTO ${ENCRYPTED} VALUES ($1, $2, $3)`, [
      table,
      column,
      readers.map((r) => parseRole(r)).join(','),
    ]);
  }

  async unmarkEncrypted(table: string, column: string): Promise<void> {
    await this.db.run(`DELETE FROM ${ENCRYPTED} WHERE table_name = $1 AND column_name = $2`, [table, column]);
  }

  async forTable(table: string): Promise<TablePolicy> {
    const [grants, masks, encrypted] = await Promise.all([
      this.db.rows(`SELECT role FROM ${GRANTS} WHERE table_name = $1 ORDER BY role`, [table]),
      this.db.rows(`SELECT * FROM ${MASKS} WHERE table_name = $1 ORDER BY column_name`, [table]),
      this.db.rows(`SELECT * FROM ${ENCRYPTED} WHERE table_name = $1 ORDER BY column_name`, [table]),
    ]);
    return {
      table,
      grants: grants.map((r) => parseRole(asText(r.role))),
      masks: masks.map((r) => ({
        table,
        column: asText(r.column_name),
        method: parseMaskMethod(asText(r.method)),
        unmasked: roleList(asText(r.unmasked)),
      })),
      encrypted: encrypted.map((r) => ({
        column: asText(r.column_name),
        readers: roleList(asText(r.readers)),
      })),
    };
  }

  /** Every table that has any policy (grant, mask or encryption). */
  async tables(): Promise<string[]> {
    const rows = await this.db.rows(
      `SELECT table_name FROM ${GRANTS} UNION SELECT table_name FROM ${MASKS} UNION SELECT table_name FROM ${ENCRYPTED} ORDER BY 1`,
    );
    return rows.map((r) => asText(r.table_name));
  }

  /** Throws FORBIDDEN unless `role` may read `table`. */
  async checkRead(table: string, role: Role): Promise<TablePolicy> {
    const policy = await this.forTable(table);
    if (role !== 'admin' && policy.grants.length > 0 && !policy.grants.includes(role))
      throw new CairnError(
        'FORBIDDEN',
        `role '${role}' has no grant on table '${table}'; granted to ${['admin', ...policy.grants].join(', ')}`,
      );
    return policy;
  }
}

function roleList(text: string): Role[] {
  return text
    .split(',')
    .filter(Boolean)
    .map((r) => parseRole(r));
}
