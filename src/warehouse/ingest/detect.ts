import { CairnError } from '../../core/errors.js';
import { INGEST_FORMATS, type FileFormat } from './types.js';

const BY_EXTENSION: [RegExp, FileFormat][] = [
  [/\.(csv|tsv|txt|tab|psv)(\.gz)?$/i, 'csv'],
  [/\.(ndjson|jsonl)(\.gz)?$/i, 'ndjson'],
  [/\.json(\.gz)?$/i, 'json'],
  [/\.parquet$/i, 'parquet'],
];

export function checkFormat(format: string): FileFormat {
  if ((INGEST_FORMATS as readonly string[]).includes(format)) return format as FileFormat;
  throw new CairnError(
    'UNSUPPORTED_FORMAT',
    `format '${format}' is not one Cairn reads; use ${INGEST_FORMATS.join(', ')}`,
  );
}

/** A file's format from its name; callers pass --format for names that say nothing. */
export function formatFromName(file: string): FileFormat {
  for (const [pattern, format] of BY_EXTENSION) if (pattern.test(file)) return format;
  throw new CairnError(
    'UNSUPPORTED_FORMAT',
    `cannot tell the format of '${file}' from its name; pass --format (${INGEST_FORMATS.join(', ')})`,
  );
}
