export const INGEST_FORMATS = ['csv', 'json', 'ndjson', 'parquet'] as const;
export type FileFormat = (typeof INGEST_FORMATS)[number];
export type SourceFormat = FileFormat | 'postgres' | 'mysql';

export const INGEST_MODES = ['replace', 'append', 'upsert'] as const;
export type IngestMode = (typeof INGEST_MODES)[number];

/** How to read a delimited text file; anything left out is detected. */
export interface CsvDialect {
  delimiter?: string;
  quote?: string;
  escape?: string;
  header?: boolean;
  skip?: number;
  /** Strings read as NULL. Default: '', ' ', 'NA', 'N/A', 'NULL', 'null'. */
  nullStrings?: string[];
  dateFormat?: string;
  timestampFormat?: string;
  /** Names for a file without a header row, in file order. */
  columnNames?: string[];
}

export interface IngestProgress {
  /** Share done, 0..1, when the total is known. */
  fraction?: number;
  /** Records read so far, when counted. */
  records?: number;
}

export interface IngestRequest {
  /** A file path, or a postgres:// / postgresql:// / mysql:// / mariadb:// URL. */
  source: string;
  table: string;
  format?: SourceFormat;
  mode?: IngestMode;
  /** Key columns for upsert. */
  key?: string[];
  /** Column types that override detection, e.g. { age: 'INTEGER' }. */
  types?: Record<string, string>;
  csv?: CsvDialect;
  /** SQL sources: a query, or a table to read whole. */
  query?: string;
  sourceTable?: string;
  /** SQL sources: rows fetched per round trip. Default 10,000. */
  batchSize?: number;
  /** What to record as the source in history and quarantine (uploads have meaningless temp paths). */
  sourceLabel?: string;
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestReport {
  id: string;
  table: string;
  source: string;
  format: SourceFormat;
  mode: IngestMode;
  read: number;
  accepted: number;
  quarantined: number;
  /** The table holding this and earlier ingests' rejected records, when any were rejected. */
  quarantineTable: string | null;
  seconds: number;
}
