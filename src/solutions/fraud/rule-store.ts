import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../core/errors.js';
import type { Database } from '../../warehouse/database.js';
import { META_SCHEMA } from '../../warehouse/metadata.js';
import { asText, type JsonRow } from '../../warehouse/values.js';
import { parseRuleSet, type RuleSet } from './rules.js';

const TABLE = `${META_SCHEMA}.fraud_rule_versions`;

/** The rule file shipped with Cairn, stored as version 1 of a workspace's fraud rules. */
export const DEFAULT_RULES_FILE = path.join(import.meta.dirname, 'rules', 'default.yaml');

/** One stored version of the fraud rules: versions only grow; an old one is restored by saving it again. */
export interface RuleVersion {
  version: number;
  rules: RuleSet;
  /** The text as submitted (YAML or JSON), comments kept. */
  source: string;
  comment: string;
  createdAt: string;
}

export async function ensureRuleStore(db: Database): Promise<void> {
  await db.run(`
    CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
    CREATE TABLE IF NOT EXISTS ${TABLE} (
      version INTEGER PRIMARY KEY,
      rules JSON NOT NULL,
      source VARCHAR NOT NULL,
      comment VARCHAR NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
}

/** Validates rule text and stores it as the next version; returns that version. */
export async function saveRuleVersion(db: Database, source: string, comment = ''): Promise<RuleVersion> {
  const rules = parseRuleSet(source);
  await ensureRuleStore(db);
  return db.transaction(async (connection) => {
    const reader = await connection.runAndReadAll(`SELECT coalesce(max(version), 0) + 1 AS v FROM ${TABLE}`);
    const version = Number(reader.getRowObjectsJson()[0].v);
    await connection.run(`INSERT INTO ${TABLE} (version, rules, source, comment) VALUES ($1, $2, $3, $4)`, [
      version,
      JSON.stringify(rules),
      source,
      comment,
    ]);
    return { version, rules, source, comment, createdAt: new Date().toISOString() };
  });
}

/** The newest stored version; the shipped default rules are saved as version 1 on first use. */
export async function currentRuleVersion(db: Database): Promise<RuleVersion> {
  await ensureRuleStore(db);
  const [row] = await db.rows(`SELECT * FROM ${TABLE} ORDER BY version DESC LIMIT 1`);
  if (row !== undefined) return toVersion(row);
  return saveRuleVersion(db, readFileSync(DEFAULT_RULES_FILE, 'utf8'), 'default rules shipped with Cairn');
}

export async function getRuleVersion(db: Database, version: number): Promise<RuleVersion> {
  await ensureRuleStore(db);
  const [row] = await db.rows(`SELECT * FROM ${TABLE} WHERE version = $1`, [version]);
  if (row === undefined) throw new CairnError('NOT_FOUND', `fraud rules have no version ${version}`);
  return toVersion(row);
}

/** Every version, newest first, without the text. */
export async function listRuleVersions(db: Database): Promise<Omit<RuleVersion, 'source'>[]> {
  await currentRuleVersion(db);
  const rows = await db.rows(`SELECT * FROM ${TABLE} ORDER BY version DESC`);
  return rows.map((row) => {
    const { version, rules, comment, createdAt } = toVersion(row);
    return { version, rules, comment, createdAt };
  });
}

function toVersion(row: JsonRow): RuleVersion {
  return {
    version: Number(row.version),
    rules: parseRuleSet(JSON.parse(asText(row.rules)) as unknown),
    source: asText(row.source),
    comment: asText(row.comment),
    createdAt: new Date(asText(row.created_at)).toISOString(),
  };
}
