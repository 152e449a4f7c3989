import path from 'node:path';
import { CairnError } from '../core/errors.js';
import { requireTable, countRows } from './catalog.js';
import type { Database } from './database.js';
import { ident, literal } from './sql.js';

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const COPY_OPTIONS: Record<ExportFormat, string> = {
  csv: 'FORMAT csv, HEADER true',
  json: 'FORMAT json, ARRAY true',
  ndjson: 'FORMAT json',
  parquet: 'FORMAT parquet, COMPRESSION zstd',
};

export interface ExportReport {
  table: string;
  file: string;
  format: ExportFormat;
  rows: number;
}

/** The export format a file name asks for; `.gz` after csv/json/ndjson compresses it. */
export function exportFormatFromName(file: string): ExportFormat {
  const name = file.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.parquet')) return 'parquet';
  throw new CairnError(
    'UNSUPPORTED_FORMAT',
    `cannot tell the export format of '${file}'; name it .csv, .json, .ndjson or .parquet (csv/json/ndjson may end in .gz)`,
  );
}

/** Writes a relation (a table or subquery in SQL) to a file with DuckDB's COPY, replacing the file. */
export async function copyToFile(
  db: Database,
  relation: string,
  file: string,
): Promise<{ file: string; format: ExportFormat }> {
  const format = exportFormatFromName(file);
  const target = path.resolve(file);
  const compression = /\.gz$/i.test(file) && format !== 'parquet' ? ', COMPRESSION gzip' : '';
  await db.run(`COPY ${relation} TO ${literal(target)} (${COPY_OPTIONS[format]}${compression})`);
  return { file: target, format };
}

/** Writes a whole table to a file; the format comes from the file name. */
export async function exportTable(db: Database, table: string, file: string): Promise<ExportReport> {
  await requireTable(db, table);
  const written = await copyToFile(db, `main.${ident(table)}`, file);
  return { table, ...written, rows: await countRows(db, table) };
}
