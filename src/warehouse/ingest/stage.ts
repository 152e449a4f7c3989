import type { DuckDBConnection } from '@duckdb/node-api';
import { ident } from '../sql.js';
import type { IngestProgress } from './types.js';

/** Staging tables sit beside the user's tables (a rename cannot cross schemas) under this prefix. */
export const STAGE_PREFIX = '__cairn_stage_';

/** What a source reader gets: where to put accepted and rejected records, and the typing it must honour. */
export interface StageContext {
  connection: DuckDBConnection;
  /** Plain-identifier name of the table to create with the accepted records, in source order. */
  stage: string;
  /** Table (record BIGINT, raw VARCHAR, error VARCHAR, reason VARCHAR) for rejected records. */
  quarantine: string;
  /** Column types fixed by the user or by the existing target table; they win over detection. */
  types: Record<string, string>;
  /** Throws when the source's columns cannot serve the request (e.g. an upsert key is missing). */
  checkColumns(names: string[]): void;
  /** Runs a long DuckDB statement while reporting its progress. */
  withProgress<T>(run: () => Promise<T>): Promise<T>;
  progress(progress: IngestProgress): void;
}

/** SQL for a record's raw text when the source has no text of its own (Parquet, databases). */
export function rowAsJson(columns: string[]): string {
  const fields = columns.map((name) => `${ident(name)} := ${ident(name)}`).join(', ');
  return columns.length ? `CAST(to_json(struct_pack(${fields})) AS VARCHAR)` : `'{}'`;
}
