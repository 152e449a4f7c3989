import pg from 'pg';
import { CairnError, errorMessage } from '../../core/errors.js';
import { redactUrl } from './source-url.js';
import { sourceQuery, type DatabaseReadRequest, type RowBatch } from './database-source.js';

const TYPES_BY_OID: Record<number, string> = {
  16: 'BOOLEAN',
  20: 'BIGINT',
  21: 'SMALLINT',
  23: 'INTEGER',
  26: 'UINTEGER',
  700: 'FLOAT',
  701: 'DOUBLE',
  1082: 'DATE',
  1083: 'TIME',
  1114: 'TIMESTAMP',
  1184: 'TIMESTAMPTZ',
  1186: 'INTERVAL',
  2950: 'UUID',
  114: 'JSON',
  3802: 'JSON',
};

function duckdbType(oid: number, modifier: number): string {
  if (oid === 1700) {
    // numeric's type modifier packs precision and scale; -1 means unconstrained.
    if (modifier < 4) return 'DOUBLE';
    const precision = (modifier - 4) >> 16;
    const scale = (modifier - 4) & 0xffff;
    return precision <= 38 ? `DECIMAL(${precision},${scale})` : 'DOUBLE';
  }
  return TYPES_BY_OID[oid] ?? 'VARCHAR';
}

const asText = { getTypeParser: () => (value: string) => value };

const TEMPORAL = new Set(['DATE', 'TIMESTAMP', 'TIMESTAMPTZ']);

/** PostgreSQL ends BC values with ' BC', which DuckDB's DATE cast ignores; DuckDB wants '(BC)' after the date. */
function withEra(value: string | null): string | null {
  return value?.endsWith(' BC') ? value.replace(/^(\S+)(.*) BC$/, '$1 (BC)$2') : value;
}

/** Reads a PostgreSQL query through a server-side cursor, `batchSize` rows per round trip, as text. */
export async function* readPostgres(request: DatabaseReadRequest): AsyncGenerator<RowBatch> {
  const sql = sourceQuery(request, (name) => `"${name.replaceAll('"', '""')}"`);
  const client = new pg.Client({ connectionString: request.url });
  // A connection lost between fetches (a server restart, idle_in_transaction_session_timeout) is
  // emitted as an event, which unhandled would crash the process; the next FETCH then fails.
  let lost: unknown;
  client.on('error', (error) => {
    lost ??= error;
  });
  try {
    await client.connect();
  } catch (error) {
    throw new CairnError(
      'SOURCE_ERROR',
      `cannot connect to ${redactUrl(request.url)}: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  try {
    // Dates and intervals in the spellings DuckDB parses, whatever the server or role sets.
    await client.query("SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'");
    await client.query('BEGIN READ ONLY');
    // A named statement goes through the extended protocol, which refuses several commands in one
    // string: "SELECT 1; COMMIT; DROP …" cannot end the read-only transaction.
    await client.query({
      name: 'cairn_ingest_declare',
      text: `DECLARE cairn_ingest NO SCROLL CURSOR FOR ${sql}`,
    });
    for (;;) {
      const result = await client.query<(string | null)[]>({
        text: `FETCH ${request.batchSize} FROM cairn_ingest`,
        rowMode: 'array',
        types: asText,
      });
      const columns = result.fields.map((f) => ({
        name: f.name,
        type: duckdbType(f.dataTypeID, f.dataTypeModifier),
      }));
      const temporal = columns.flatMap((c, i) => (TEMPORAL.has(c.type) ? [i] : []));
      if (temporal.length) for (const row of result.rows) for (const i of temporal) row[i] = withEra(row[i]);
      yield { columns, rows: result.rows };
      if (result.rows.length < request.batchSize) break;
    }
    await client.query('COMMIT');
  } catch (error) {
    if (error instanceof CairnError) throw error;
    const cause = lost ?? error;
    throw new CairnError('SOURCE_ERROR', `PostgreSQL query failed: ${errorMessage(cause)}`, { cause });
  } finally {
    await client.end().catch(() => undefined);
  }
}
