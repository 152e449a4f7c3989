import type { DuckDBConnection } from '@duckdb/node-api';
import { isIP } from 'node:net';
import { columnKind } from '../quality/profile/kinds.js';
import { detectSemantic, SEMANTIC_THRESHOLD } from '../quality/profile/semantic.js';
import type { Database } from '../warehouse/database.js';
import { META_SCHEMA } from '../warehouse/metadata.js';
import { ident } from '../warehouse/sql.js';
import { asText, toJsonRows } from '../warehouse/values.js';
import type { MaskMethod } from './masking.js';

const TABLE = `${META_SCHEMA}.pii_columns`;
const SAMPLE = 500;

export const PII_KINDS = ['email', 'phone', 'card', 'national_id', 'ip_address', 'name', 'address'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

export interface PiiFinding {
  column: string;
  kind: PiiKind;
  /** Share of sampled values that fit (1 when the column's name alone tells). */
  share: number;
  suggestion: { mask: MaskMethod; encrypt: boolean; note: string };
}

const SUGGESTIONS: Record<PiiKind, PiiFinding['suggestion']> = {
  email: { mask: 'email', encrypt: false, note: 'mask as j***@example.com for roles outside engineer/admin' },
  phone: { mask: 'last4', encrypt: false, note: 'show the last four digits only' },
  card: { mask: 'last4', encrypt: true, note: 'encrypt at rest (PCI DSS) and show the last four digits' },
  national_id: { mask: 'redact', encrypt: true, note: 'encrypt at rest; readable by admin only' },
  ip_address: { mask: 'hash', encrypt: false, note: 'hash: joins by address still work' },
  name: { mask: 'partial', encrypt: false, note: 'show first and last letter' },
  address: { mask: 'redact', encrypt: false, note: 'redact for roles that do not ship goods' },
};

// Patterns for the kinds the profiler's semantic types do not cover.
const SSN = /^\d{3}-\d{2}-\d{4}$/;
const NINO = /^[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]$/i;
const PERSON = /^[\p{Lu}][\p{L}'’.-]+(?:\s[\p{Lu}][\p{L}'’.-]+){0,3}$/u;
const STREET =
  /^\d+[a-z]?\s+[\p{L}\d .'-]+\b(street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|strasse|straße|rue|via)\b/iu;
const NAME_HINT = /(^|_)(first|last|full|given|family|sur|middle|customer|contact|person)?_?name$/i;
const ID_HINT = /(^|_)(ssn|nino|national_id|nin|passport|tax_id|sin|bsn)($|_)/i;
const ADDRESS_HINT = /(^|_)(address|street|addr)(_?line)?\d?$/i;
const IP_HINT = /(^|_)ip(_?addr(ess)?)?$/i;

function share(sample: string[], test: (v: string) => boolean): number {
  let fit = 0;
  for (const value of sample) if (test(value.trim())) fit++;
  return sample.length ? fit / sample.length : 0;
}

/** The PII a column holds, judged on its name, type and sampled values; null when none is seen. */
export function classifyColumn(name: string, type: string, sample: string[]): PiiFinding | null {
  const found = (kind: PiiKind, s: number): PiiFinding => ({
    column: name,
    kind,
    share: s,
    suggestion: SUGGESTIONS[kind],
  });
  const kind = columnKind(type);
  const semantic = detectSemantic({ kind, type, sample, allDistinct: false, nonNull: sample.length });
  if (semantic.semantic === 'email' || semantic.semantic === 'phone' || semantic.semantic === 'card')
    return found(semantic.semantic, semantic.share ?? 1);
  if (kind !== 'text' && kind !== 'numeric') return null;
  if (kind === 'text' && sample.length) {
    const ip = share(sample, (v) => isIP(v) !== 0);
    if (ip >= SEMANTIC_THRESHOLD) return found('ip_address', ip);
    const id = share(sample, (v) => SSN.test(v) || NINO.test(v));
    if (id >= SEMANTIC_THRESHOLD) return found('national_id', id);
    const street = share(sample, (v) => STREET.test(v));
    if (street >= 0.6) return found('address', street);
    if (NAME_HINT.test(name)) {
      const person = share(sample, (v) => PERSON.test(v));
      if (person >= 0.8) return found('name', person);
    }
  }
  if (ID_HINT.test(name)) return found('national_id', 1);
  if (ADDRESS_HINT.test(name) && kind === 'text') return found('address', 1);
  if (IP_HINT.test(name) && kind === 'text') return found('ip_address', 1);
  return null;
}

/** Scans a relation's columns (a sample of rows) for PII. `relation` is quoted and qualified. */
export async function scanRelation(connection: DuckDBConnection, relation: string): Promise<PiiFinding[]> {
  const columns = toJsonRows(await connection.runAndReadAll(`DESCRIBE ${relation}`));
  const findings: PiiFinding[] = [];
  for (const column of columns) {
    const name = asText(column.column_name);
    const type = asText(column.column_type);
    const rows = toJsonRows(
      await connection.runAndReadAll(
        `SELECT CAST(${ident(name)} AS VARCHAR) AS v FROM ${relation} WHERE ${ident(name)} IS NOT NULL LIMIT ${SAMPLE}`,
      ),
    );
    const finding = classifyColumn(
      name,
      type,
      rows.map((r) => asText(r.v)),
    );
    if (finding) findings.push(finding);
  }
  return findings;
}

/** PII flags per table, refreshed on every ingest and scan. */
export class PiiStore {
  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<PiiStore> {
    await db.run(`CREATE TABLE IF NOT EXISTS ${TABLE} (table_name VARCHAR, column_name VARCHAR, kind VARCHAR NOT NULL,
      share DOUBLE NOT NULL, detected_at VARCHAR NOT NULL, PRIMARY KEY (table_name, column_name))`);
    return new PiiStore(db);
  }

  async save(table: string, findings: PiiFinding[], connection?: DuckDBConnection): Promise<void> {
    const run = async (sql: string, params: (string | number)[]) =>
      connection ? void (await connection.run(sql, params)) : this.db.run(sql, params);
    await run(`DELETE FROM ${TABLE} WHERE table_name = $1`, [table]);
    const at = new Date().toISOString();
    for (const f of findings)
      await run(`INSERT INTO ${TABLE} VALUES ($1, $2, $3, $4, $5)`, [table, f.column, f.kind, f.share, at]);
  }

  async forTable(table: string): Promise<PiiFinding[]> {
    const rows = await this.db.rows(`SELECT * FROM ${TABLE} WHERE table_name = $1 ORDER BY column_name`, [
      table,
    ]);
    return rows.map((r) => {
      const kind = asText(r.kind) as PiiKind;
      return { column: asText(r.column_name), kind, share: Number(r.share), suggestion: SUGGESTIONS[kind] };
    });
  }

  async tables(): Promise<string[]> {
    const rows = await this.db.rows(`SELECT DISTINCT table_name FROM ${TABLE} ORDER BY 1`);
    return rows.map((r) => asText(r.table_name));
  }

  async drop(table: string): Promise<void> {
    await this.db.run(`DELETE FROM ${TABLE} WHERE table_name = $1`, [table]);
  }
}
