import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CairnError, errorMessage } from '../../core/errors.js';
import { checkFormat } from './detect.js';
import type { CsvDialect, IngestMode, IngestRequest } from './types.js';

/** Ingest options as both transports receive them: CLI flags and HTTP query parameters. */
export interface IngestOptions {
  format?: string;
  mode?: string;
  /** Comma-separated key columns. */
  key?: string;
  /** Comma-separated `column=TYPE` overrides. */
  types?: string;
  /** A JSON or YAML file with `columns` and dialect settings (CLI only). */
  schema?: string;
  delimiter?: string;
  quote?: string;
  escape?: string;
  header?: boolean;
  skip?: number;
  null?: string[];
  dateFormat?: string;
  timestampFormat?: string;
  query?: string;
  sourceTable?: string;
  batchSize?: number;
}

interface SchemaFile extends CsvDialect {
  columns?: Record<string, string> | { name: string; type: string }[];
  null?: string[];
}

function list(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items?.length ? items : undefined;
}

function parseTypes(value: string): Record<string, string> {
  return Object.fromEntries(
    value.split(',').map((pair) => {
      const at = pair.lastIndexOf('=');
      if (at <= 0) {
        throw new CairnError(
          'INVALID_ARGUMENT',
          `type override '${pair}' is not column=TYPE (e.g. age=INTEGER)`,
        );
      }
      return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    }),
  );
}

function readSchemaFile(file: string): SchemaFile {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CairnError('INVALID_ARGUMENT', `cannot read schema file ${file}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `schema file ${file} must hold an object with "columns" and dialect settings`,
    );
  }
  return parsed;
}

function schemaTypes(columns: SchemaFile['columns']): Record<string, string> {
  if (!columns) return {};
  if (Array.isArray(columns)) return Object.fromEntries(columns.map((c) => [c.name, c.type]));
  return columns;
}

/** Turns transport-level options into the request fields of `ingest`; flags win over a schema file. */
export function ingestRequestFields(options: IngestOptions): Omit<IngestRequest, 'source' | 'table'> {
  const schema = options.schema ? readSchemaFile(options.schema) : {};
  const dialect: CsvDialect = {
    delimiter: options.delimiter ?? schema.delimiter,
    quote: options.quote ?? schema.quote,
    escape: options.escape ?? schema.escape,
    header: options.header ?? schema.header,
    skip: options.skip ?? schema.skip,
    nullStrings: options.null ?? schema.null ?? schema.nullStrings,
    dateFormat: options.dateFormat ?? schema.dateFormat,
    timestampFormat: options.timestampFormat ?? schema.timestampFormat,
    columnNames: schema.columns ? Object.keys(schemaTypes(schema.columns)) : undefined,
  };
  const delimiter = dialect.delimiter === '\\t' ? '\t' : dialect.delimiter;
  return {
    format: options.format ? checkFormat(options.format) : undefined,
    mode: options.mode as IngestMode | undefined,
    key: list(options.key),
    types: { ...schemaTypes(schema.columns), ...(options.types ? parseTypes(options.types) : {}) },
    csv: Object.fromEntries(
      Object.entries({ ...dialect, delimiter }).filter(([, value]) => value !== undefined),
    ),
    query: options.query,
    sourceTable: options.sourceTable,
    batchSize: options.batchSize,
  };
}
