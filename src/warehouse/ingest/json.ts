import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { Transform, type Readable } from 'node:stream';
import { CairnError, errorMessage } from '../../core/errors.js';
import { wrapSql } from '../database.js';
import { ident, literal } from '../sql.js';
import { asText, toJsonRows } from '../values.js';
import { conform } from './conform.js';
import { inferTextColumns, TEMPORAL_CANDIDATES, TYPE_MAJORITY } from './infer.js';
import type { StageContext } from './stage.js';
import { TextStager } from './text-stager.js';

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** The file's text, gunzipped when it starts with gzip's magic bytes; `onBytes` counts raw bytes read. */
async function openText(file: string, onBytes: (bytes: number) => void): Promise<Readable> {
  const gzip = await isGzip(file);
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  const raw = createReadStream(file).pipe(counter);
  return gzip ? raw.pipe(createGunzip()) : raw;
}

/** Stages each non-blank line of an NDJSON file as one record numbered by its line. */
async function stageLines(ctx: StageContext, file: string, stager: TextStager): Promise<void> {
  const total = statSync(file).size;
  let done = 0;
  const text = await openText(file, (bytes) => (done += bytes));
  let line = 0;
  for await (const content of createInterface({ input: text, crlfDelay: Infinity })) {
    line++;
    if (content.trim() !== '') stager.append(line, [content]);
    if (line % 50_000 === 0) ctx.progress({ fraction: total ? done / total : undefined, records: line });
  }
}

/** Stages each element of a JSON array (or a lone object) as one record numbered from 1. */
async function stageArray(file: string, stager: TextStager): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of await openText(file, () => undefined)) chunks.push(chunk as Buffer);
  let document: unknown;
  try {
    document = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new CairnError(
      'SOURCE_ERROR',
      `cannot read ${file} as a JSON document (${errorMessage(error)}); for one record per line use --format ndjson`,
      { cause: error },
    );
  }
  const records = Array.isArray(document) ? document : [document];
  records.forEach((record, i) => stager.append(i + 1, [JSON.stringify(record)]));
}

interface KeyKinds {
  key: string;
  kinds: Record<string, number>;
}

/**
 * The column type for a key from the JSON kinds of its values, by the same majority rule as text;
 * 'TEXT' means strings whose type the text itself must tell (dates, timestamps or VARCHAR).
 */
function typeFromKinds(kinds: Record<string, number>): string {
  const count = (...names: string[]) => names.reduce((sum, name) => sum + (kinds[name] ?? 0), 0);
  const total = count('BIGINT', 'UBIGINT', 'DOUBLE', 'BOOLEAN', 'VARCHAR', 'OBJECT', 'ARRAY');
  const most = (n: number) => n >= TYPE_MAJORITY * total;
  if (total === 0) return 'VARCHAR';
  if (most(count('BIGINT', 'UBIGINT'))) return 'BIGINT';
  if (most(count('BIGINT', 'UBIGINT', 'DOUBLE'))) return 'DOUBLE';
  if (most(count('BOOLEAN'))) return 'BOOLEAN';
  if (most(count('OBJECT', 'ARRAY'))) return 'JSON';
  if (most(count('VARCHAR'))) return 'TEXT';
  return 'VARCHAR';
}

/**
 * Reads JSON records: an NDJSON file (one object per line) or a JSON array of objects, gzip too.
 * Lines that are not JSON objects are quarantined; columns are every key seen, typed by the kinds of
 * their values; values that do not fit their column's type are quarantined by `conform`.
 */
export async function stageJson(ctx: StageContext, file: string, format: 'json' | 'ndjson'): Promise<void> {
  const { connection } = ctx;
  const raw = `${ctx.stage}_raw`;
  const stager = await TextStager.create(connection, raw, ['__raw']);
  try {
    await (format === 'ndjson' ? stageLines(ctx, file, stager) : stageArray(file, stager));
  } finally {
    stager.close();
  }
  const parsed = `${ctx.stage}_parsed`;
  const split = `
    INSERT INTO ${ctx.quarantine}
      SELECT __record, __raw, 'INVALID_JSON',
             CASE WHEN NOT json_valid(__raw) THEN 'not valid JSON'
                  WHEN json_type(__raw) <> 'OBJECT' THEN format('a JSON {} where an object was expected', lower(json_type(__raw)))
                  ELSE 'an object with a repeated key' END
      FROM ${raw}
      WHERE NOT json_valid(__raw) OR json_type(__raw) <> 'OBJECT' OR TRY_CAST(CAST(__raw AS JSON) AS MAP(VARCHAR, JSON)) IS NULL;
    CREATE TEMP TABLE ${parsed} AS
      SELECT __record, __raw, CAST(CAST(__raw AS JSON) AS MAP(VARCHAR, JSON)) AS __map FROM ${raw}
      WHERE json_valid(__raw) AND json_type(__raw) = 'OBJECT' AND TRY_CAST(CAST(__raw AS JSON) AS MAP(VARCHAR, JSON)) IS NOT NULL;
    DROP TABLE ${raw};`;
  await ctx.withProgress(() => wrapSql(split, connection.run(split)));

  const kindsSql = `
    SELECT e.key AS key, json_type(e.value) AS kind, count(*) AS n, min(__record * 100000 + pos) AS first
    FROM (SELECT __record, unnest(map_entries(__map)) AS e, generate_subscripts(map_entries(__map), 1) AS pos FROM ${parsed})
    GROUP BY ALL ORDER BY key`;
  const keys = new Map<string, KeyKinds & { first: number }>();
  for (const row of toJsonRows(await wrapSql(kindsSql, connection.runAndReadAll(kindsSql)))) {
    const key = asText(row.key);
    const entry = keys.get(key) ?? { key, kinds: {}, first: Number.POSITIVE_INFINITY };
    entry.kinds[asText(row.kind)] = Number(row.n);
    entry.first = Math.min(entry.first, Number(row.first));
    keys.set(key, entry);
  }
  const ordered = [...keys.values()].sort((a, b) => a.first - b.first);
  ctx.checkColumns(ordered.map((k) => k.key));

  const extracts = ordered.map((k) => `__map[${literal(k.key)}]->>'$' AS ${ident(k.key)}`);
  const relation = `(SELECT __record, __raw${extracts.map((e) => `, ${e}`).join('')} FROM ${parsed})`;
  const types = Object.fromEntries(ordered.map((k) => [k.key, ctx.types[k.key] ?? typeFromKinds(k.kinds)]));
  const text = ordered.filter((k) => types[k.key] === 'TEXT').map((k) => k.key);
  const temporal = await inferTextColumns(connection, relation, text, TEMPORAL_CANDIDATES);
  await ctx.withProgress(() =>
    conform(connection, {
      relation,
      columns: ordered.map((k) => ({
        name: k.key,
        type: types[k.key] === 'TEXT' ? (temporal[k.key] ?? 'VARCHAR') : types[k.key],
      })),
      rawExpr: '__raw',
      into: ctx.stage,
      quarantine: ctx.quarantine,
    }),
  );
  await connection.run(`DROP TABLE ${parsed}`);
}
