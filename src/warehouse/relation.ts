import { existsSync } from 'node:fs';
import path from 'node:path';
import { CairnError } from '../core/errors.js';
import { tableExists } from './catalog.js';
import type { Database } from './database.js';
import { DEFAULT_NULL_STRINGS } from './ingest/csv.js';
import { formatFromName } from './ingest/detect.js';
import { checkTableName, ident, literal } from './sql.js';

/**
 * SQL for reading a file in place with DuckDB's own readers (no staging, no quarantine): for
 * reading model inputs and training files, where the caller wants the rows as they are.
 */
export function fileRelation(file: string): string {
  const absolute = literal(path.resolve(file));
  switch (formatFromName(file)) {
    case 'csv':
      return `read_csv(${absolute}, nullstr=[${DEFAULT_NULL_STRINGS.map(literal).join(', ')}])`;
    case 'parquet':
      return `read_parquet(${absolute})`;
    case 'json':
      return `read_json(${absolute}, format='array')`;
    case 'ndjson':
      return `read_json(${absolute}, format='newline_delimited')`;
  }
}

/** A table name or a file path, as SQL to select from; a table of that name wins over a file. */
export async function tableOrFile(db: Database, source: string): Promise<string> {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(source) && (await tableExists(db, source))) {
    return `main.${ident(checkTableName(source))}`;
  }
  if (existsSync(source)) return fileRelation(source);
  throw new CairnError('NOT_FOUND', `'${source}' is neither a table in the warehouse nor a file`);
}
