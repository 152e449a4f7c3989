import type { DuckDBConnection } from '@duckdb/node-api';
import { CairnError, errorMessage } from '../../core/errors.js';
import { wrapSql } from '../database.js';
import { literal } from '../sql.js';
import { asText, toJsonRows } from '../values.js';
import { inferTextColumns } from './infer.js';
import type { StageContext } from './stage.js';
import type { CsvDialect } from './types.js';

export const DEFAULT_NULL_STRINGS = ['', ' ', 'NA', 'N/A', 'NULL', 'null'];
const SAMPLE_ROWS = 20480;
/** DuckDB's cast failure text, reworded into Cairn's "column 'x' holds 'v'; expected T" form. */
const CAST_MESSAGE = `'Could not convert string "(.*)" to ''([^'']+)'''`;

interface Sniffed {
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  skip: number;
  columns: { name: string; type: string }[];
  dateFormat: string | null;
  timestampFormat: string | null;
}

function list(values: string[]): string {
  return `[${values.map(literal).join(', ')}]`;
}

function dialectOptions(dialect: CsvDialect): string[] {
  const options = [`nullstr=${list(dialect.nullStrings ?? DEFAULT_NULL_STRINGS)}`];
  if (dialect.delimiter !== undefined) options.push(`delim=${literal(dialect.delimiter)}`);
  if (dialect.quote !== undefined) options.push(`quote=${literal(dialect.quote)}`);
  if (dialect.escape !== undefined) options.push(`escape=${literal(dialect.escape)}`);
  if (dialect.header !== undefined) options.push(`header=${dialect.header}`);
  if (dialect.skip !== undefined) options.push(`skip=${Math.max(0, Math.floor(dialect.skip))}`);
  if (dialect.dateFormat !== undefined) options.push(`dateformat=${literal(dialect.dateFormat)}`);
  if (dialect.timestampFormat !== undefined)
    options.push(`timestampformat=${literal(dialect.timestampFormat)}`);
  return options;
}

async function sniff(connection: DuckDBConnection, file: string, dialect: CsvDialect): Promise<Sniffed> {
  const sql = `SELECT * FROM sniff_csv(${literal(file)}, sample_size=${SAMPLE_ROWS}, ignore_errors=true, ${dialectOptions(dialect).join(', ')})`;
  let row;
  try {
    [row] = toJsonRows(await connection.runAndReadAll(sql));
  } catch (error) {
    throw new CairnError('SOURCE_ERROR', `cannot read ${file} as CSV: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  if (!row) throw new CairnError('SOURCE_ERROR', `cannot read ${file} as CSV: the sniffer found no rows`);
  // The sniffer reports "(empty)" when the sample has no quotes; later rows may still quote fields.
  const orQuote = (value: unknown) => (value === '(empty)' || value === '' ? '"' : String(value));
  return {
    delimiter: asText(row.Delimiter),
    quote: dialect.quote ?? orQuote(row.Quote),
    escape: dialect.escape ?? orQuote(row.Escape),
    header: row.HasHeader === true,
    skip: Number(row.SkipRows ?? 0),
    columns: nameColumns(
      row.Columns as { name: string; type: string }[],
      row.HasHeader === true,
      dialect,
      file,
    ),
    dateFormat: (row.DateFormat as string | null) ?? null,
    timestampFormat: (row.TimestampFormat as string | null) ?? null,
  };
}

/** A headerless file takes its names from the schema file, which must then name every column. */
function nameColumns(
  columns: { name: string; type: string }[],
  header: boolean,
  dialect: CsvDialect,
  file: string,
): { name: string; type: string }[] {
  const names = dialect.columnNames;
  if (header || !names?.length) return columns.map((c) => ({ name: c.name, type: c.type }));
  if (names.length !== columns.length) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `the schema names ${names.length} columns but ${file} has ${columns.length} fields per row`,
    );
  }
  return columns.map((c, i) => ({ name: names[i], type: c.type }));
}

function readOptions(s: Sniffed, dialect: CsvDialect): string[] {
  const options = [
    `delim=${literal(s.delimiter)}`,
    `quote=${literal(s.quote)}`,
    `escape=${literal(s.escape)}`,
    `header=${s.header}`,
    `skip=${s.skip}`,
    `nullstr=${list(dialect.nullStrings ?? DEFAULT_NULL_STRINGS)}`,
  ];
  const dateFormat = dialect.dateFormat ?? s.dateFormat;
  const timestampFormat = dialect.timestampFormat ?? s.timestampFormat;
  if (dateFormat) options.push(`dateformat=${literal(dateFormat)}`);
  if (timestampFormat) options.push(`timestampformat=${literal(timestampFormat)}`);
  return options;
}

/**
 * Reads a delimited text file (gzip too) with DuckDB's parallel CSV reader. Rows it cannot read —
 * wrong field count, bad quoting, invalid UTF-8, a value that does not fit its column's type — are
 * collected by the reader itself with their line number and text, and quarantined.
 */
export async function stageCsv(ctx: StageContext, file: string, dialect: CsvDialect): Promise<void> {
  const { connection } = ctx;
  const sniffed = await sniff(connection, file, dialect);
  const options = readOptions(sniffed, dialect);
  const textColumns = sniffed.columns
    .filter((c) => c.type === 'VARCHAR' && ctx.types[c.name] === undefined)
    .map((c) => c.name);
  const sample = `(SELECT * FROM read_csv(${literal(file)}, ${options.join(', ')}, all_varchar=true, ignore_errors=true, auto_detect=false, columns={${sniffed.columns
    .map((c) => `${literal(c.name)}: 'VARCHAR'`)
    .join(', ')}}) LIMIT ${SAMPLE_ROWS})`;
  const inferred = await inferTextColumns(connection, sample, textColumns);
  const columns = sniffed.columns.map((c) => ({
    name: c.name,
    type: ctx.types[c.name] ?? inferred[c.name] ?? c.type,
  }));
  ctx.checkColumns(columns.map((c) => c.name));

  const rejects = `${ctx.stage}_rejects`;
  const scans = `${ctx.stage}_scans`;
  const read = `read_csv(${literal(file)}, ${options.join(', ')}, auto_detect=false,
    columns={${columns.map((c) => `${literal(c.name)}: ${literal(c.type)}`).join(', ')}},
    store_rejects=true, rejects_table=${literal(rejects)}, rejects_scan=${literal(scans)})`;
  const sql = `CREATE TABLE ${ctx.stage} AS SELECT * FROM ${read}`;
  await ctx.withProgress(() => wrapSql(sql, connection.run(sql)));
  const quarantine = `
    INSERT INTO ${ctx.quarantine}
    SELECT line, any_value(csv_line), string_agg(DISTINCT replace(error_type, ' ', '_'), ','),
           string_agg(CASE WHEN error_type = 'CAST' AND regexp_matches(error_message, ${CAST_MESSAGE})
                           THEN format('column ''{}'' holds ''{}''; expected {}', column_name,
                                       regexp_extract(error_message, ${CAST_MESSAGE}, 1),
                                       regexp_extract(error_message, ${CAST_MESSAGE}, 2))
                           ELSE error_message END, '; ')
    FROM ${rejects} GROUP BY line;
    DROP TABLE ${rejects}; DROP TABLE ${scans};`;
  await wrapSql(quarantine, connection.run(quarantine));
}
