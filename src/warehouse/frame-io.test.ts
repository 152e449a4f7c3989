import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError } from '../core/errors.js';
import { column, isValid, stringAt, type Column, type Frame, type StringColumn } from '../core/frame.js';
import { Database } from './database.js';
import { readFrame, writeFrame } from './frame-io.js';
import { STAGE_PREFIX } from './ingest/stage.js';

const CHURN_CSV = fileURLToPath(new URL('../../data/telco_customer_churn.csv', import.meta.url));

let dir: string;
let db: Database;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-frame-'));
  db = await Database.open(join(dir, 'frame.duckdb'));
  await db.run(`CREATE TABLE churn AS SELECT * FROM read_csv('${CHURN_CSV}', nullstr=['',' '])`);
  // Every Frame kind, nulls in every column (row 0 is null everywhere), more rows than one chunk.
  await db.run(`
    CREATE TABLE kinds AS SELECT
      i AS id,
      CASE WHEN i % 7 = 0 THEN NULL ELSE i % 2 = 0 END AS b,
      CASE WHEN i % 11 = 0 THEN NULL ELSE (i - 50000)::INTEGER END AS i32,
      CASE WHEN i % 13 = 0 THEN NULL WHEN i = 1 THEN -9223372036854775808 WHEN i = 2 THEN 9223372036854775807
           ELSE (i - 50000) * 1000000007 END::BIGINT AS i64,
      CASE WHEN i % 17 = 0 THEN NULL ELSE ((i - 50000) / 3.0)::FLOAT END AS f32,
      CASE WHEN i % 19 = 0 THEN NULL WHEN i = 3 THEN 'infinity' WHEN i = 4 THEN -1e308 WHEN i = 5 THEN 5e-324
           WHEN i = 7 THEN 'nan' ELSE (i - 50000) / 7.0 END::DOUBLE AS f64,
      CASE WHEN i % 23 = 0 THEN NULL WHEN i % 23 = 1 THEN '' WHEN i = 6 THEN 'é ünïcödé ✓ 🚀'
           WHEN i = 8 THEN 'nul' || chr(0) || 'inside' ELSE 'value ' || (i % 1000) || repeat('x', i % 20) END AS s,
      CASE WHEN i % 29 = 0 THEN NULL ELSE DATE '1900-01-01' + (i % 60000)::INTEGER END AS d,
      CASE WHEN i % 31 = 0 THEN NULL
           ELSE TIMESTAMP '1965-03-04 05:06:07.123456' + to_microseconds(i * 987654321) END AS ts
    FROM range(100003) r(i)`);
});

after(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function count(sql: string): Promise<number> {
  const [row] = await db.rows(sql);
  return Number(Object.values(row ?? {})[0]);
}

async function schema(table: string): Promise<string[]> {
  const rows = await db.rows(`DESCRIBE ${table}`);
  return rows.map((r) => `${r.column_name as string} ${r.column_type as string}`);
}

/** Same schema and the same multiset of rows, NULLs and NaNs included. */
async function assertSameRows(a: string, b: string): Promise<void> {
  assert.equal(await count(`SELECT count(*) FROM ${b}`), await count(`SELECT count(*) FROM ${a}`));
  assert.equal(await count(`SELECT count(*) FROM (SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b})`), 0);
  assert.equal(await count(`SELECT count(*) FROM (SELECT * FROM ${b} EXCEPT ALL SELECT * FROM ${a})`), 0);
}

function nulls(col: Column): number {
  let k = 0;
  for (let i = 0; i < col.length; i++) if (!isValid(col, i)) k++;
  return k;
}

function strings(frame: Frame, name: string): StringColumn {
  const col = column(frame, name);
  assert.equal(col.kind, 'string');
  return col;
}

test('the churn table goes DuckDB → Frame → DuckDB exactly', async () => {
  const frame = await readFrame(db, 'SELECT * FROM churn');
  assert.equal(frame.rows, 7043);
  assert.equal(column(frame, 'customerID').kind, 'string');
  assert.equal(column(frame, 'tenure').kind, 'int64');
  assert.equal(column(frame, 'Churn').kind, 'bool');
  const total = column(frame, 'TotalCharges');
  assert.equal(total.kind, 'float64');
  assert.equal(nulls(total), await count('SELECT count(*) FROM churn WHERE TotalCharges IS NULL'));
  assert.equal(nulls(total), 11);
  assert.equal(strings(frame, 'Contract').dictionary.length, 3);

  await writeFrame(db, 'churn_back', frame);
  assert.deepEqual(await schema('churn_back'), await schema('churn'));
  await assertSameRows('churn', 'churn_back');
});

test('every kind round-trips exactly over 100,003 rows, nulls and extremes included', async () => {
  const frame = await readFrame(db, 'SELECT * FROM kinds ORDER BY id');
  assert.equal(frame.rows, 100003);
  assert.deepEqual(
    frame.columns.map((c) => c.kind),
    ['int64', 'bool', 'int32', 'int64', 'float32', 'float64', 'string', 'date', 'timestamp'],
  );
  for (const col of frame.columns.slice(1)) {
    assert.equal(isValid(col, 0), false, `${col.name} row 0`);
    assert.ok(nulls(col) > 3000, col.name);
  }
  const i64 = column(frame, 'i64');
  assert.ok(i64.kind === 'int64');
  assert.equal(i64.values[1], -9223372036854775808n);
  assert.equal(i64.values[2], 9223372036854775807n);
  assert.equal(i64.values[0], 0n, 'a null slot is zeroed');
  const i32 = column(frame, 'i32');
  assert.ok(i32.kind === 'int32');
  assert.equal(i32.values[100002], 50002);
  assert.equal(i32.values[1], -49999);
  const f64 = column(frame, 'f64');
  assert.ok(f64.kind === 'float64');
  assert.deepEqual([...f64.values.subarray(3, 8)], [Infinity, -1e308, 5e-324, (6 - 50000) / 7, NaN]);

  const s = strings(frame, 's');
  assert.equal(stringAt(s, 23), null);
  assert.equal(stringAt(s, 24), '');
  assert.equal(stringAt(s, 6), 'é ünïcödé ✓ 🚀');
  assert.equal(stringAt(s, 8), 'nul\0inside');
  assert.equal(stringAt(s, 100002), `value 2${'x'.repeat(100002 % 20)}`);

  const d = column(frame, 'd');
  assert.ok(d.kind === 'date');
  assert.equal(d.values[1], -25566, '1900-01-02 is 25,566 days before 1970');
  const ts = column(frame, 'ts');
  assert.ok(ts.kind === 'timestamp');
  const [micros] = await db.rows('SELECT epoch_us(ts)::VARCHAR AS us FROM kinds WHERE id = 77777');
  assert.equal(ts.values[77777], BigInt(micros?.us as string));
  assert.equal(
    ts.values[1] % 1_000_000n,
    -876_544n + 987_654_321n - 987_000_000n,
    'microseconds before 1970 kept',
  );

  await writeFrame(db, 'kinds_back', frame);
  assert.deepEqual(await schema('kinds_back'), await schema('kinds'));
  await assertSameRows('kinds', 'kinds_back');
});

test('chunks of any size are stitched together, nulls included', async () => {
  // A filter makes DuckDB stream chunks whose sizes are not multiples of 8 or 2048.
  const sql = 'SELECT * FROM kinds WHERE id % 3 <> 0 AND id % 1000 < 997';
  const frame = await readFrame(db, sql);
  assert.equal(frame.rows, await count(`SELECT count(*) FROM (${sql})`));
  await writeFrame(db, 'filtered_back', frame);
  await db.run(`CREATE TABLE filtered AS ${sql}`);
  await assertSameRows('filtered', 'filtered_back');
});

test('narrow integer types widen to int32', async () => {
  const frame = await readFrame(
    db,
    `SELECT (i % 256 - 128)::TINYINT a, (i % 256)::UTINYINT b, (i * 13 % 65536 - 32768)::SMALLINT c,
            (i * 13 % 65536)::USMALLINT d, CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 100)::TINYINT END AS e
     FROM range(5000) r(i) WHERE i < 100 OR i > 4900`,
  );
  assert.equal(frame.rows, 199);
  for (const col of frame.columns) assert.equal(col.kind, 'int32');
  const [a, b, c, dcol, e] = frame.columns.map((col) => (col.kind === 'int32' ? [...col.values] : []));
  const ids = [
    ...Array.from({ length: 100 }, (_, i) => i),
    ...Array.from({ length: 99 }, (_, i) => 4901 + i),
  ];
  assert.deepEqual(
    a,
    ids.map((i) => (i % 256) - 128),
  );
  assert.deepEqual(
    b,
    ids.map((i) => i % 256),
  );
  assert.deepEqual(
    c,
    ids.map((i) => ((i * 13) % 65536) - 32768),
  );
  assert.deepEqual(
    dcol,
    ids.map((i) => (i * 13) % 65536),
  );
  assert.deepEqual(
    e,
    ids.map((i) => (i % 5 === 0 ? 0 : i % 100)),
  );
  assert.equal(nulls(frame.columns[4]), ids.filter((i) => i % 5 === 0).length);
});

test('types without a Frame kind are cast in SQL first', async () => {
  const frame = await readFrame(
    db,
    `SELECT 12.25::DECIMAL(10,2) AS dec, (2::HUGEINT ** 70)::HUGEINT AS huge, 4000000000::UINTEGER AS u32,
            18000000000000000000::UBIGINT AS u64, TIMESTAMPTZ '1960-01-01 00:00:00.123456+05' AS tz,
            TIMESTAMP_MS '2024-02-03 04:05:06.789' AS ms, 'b'::ENUM('a', 'b') AS e, [1, 2] AS l,
            1 AS dup, 2 AS dup, NULL::DECIMAL(4,1) AS nd; -- a trailing comment`,
  );
  const kinds = Object.fromEntries(frame.columns.map((c) => [c.name, c.kind]));
  assert.deepEqual(kinds, {
    dec: 'float64',
    huge: 'float64',
    u32: 'int64',
    u64: 'float64',
    tz: 'timestamp',
    ms: 'timestamp',
    e: 'string',
    l: 'string',
    dup: 'int32',
    nd: 'float64',
  });
  assert.equal(frame.columns.length, 11);
  const value = (name: string): unknown => {
    const col = column(frame, name);
    return col.kind === 'string' ? stringAt(col, 0) : col.values[0];
  };
  assert.equal(value('dec'), 12.25);
  assert.equal(value('huge'), 2 ** 70);
  assert.equal(value('u32'), 4000000000n);
  assert.equal(value('u64'), 18000000000000000000);
  assert.equal(value('tz'), BigInt(Date.UTC(1959, 11, 31, 19)) * 1000n + 123456n);
  assert.equal(value('ms'), BigInt(Date.UTC(2024, 1, 3, 4, 5, 6, 789)) * 1000n);
  assert.equal(value('e'), 'b');
  assert.equal(value('l'), '[1, 2]');
  assert.equal(isValid(column(frame, 'nd'), 0), false);
});

test('an empty result gives typed empty columns, and writes an empty table', async () => {
  const frame = await readFrame(db, 'SELECT * FROM kinds WHERE false');
  assert.equal(frame.rows, 0);
  assert.equal(frame.columns.length, 9);
  assert.ok(frame.columns.every((c) => c.length === 0 && c.valid === null));
  await writeFrame(db, 'kinds_empty', frame);
  assert.deepEqual(await schema('kinds_empty'), await schema('kinds'));
  assert.equal(await count('SELECT count(*) FROM kinds_empty'), 0);
});

test('a 1,000,000 × 20 numeric result loads with the right values', async () => {
  const columns = Array.from({ length: 20 }, (_, k) => `i * ${k + 1} + 0.5 AS c${k}`).join(', ');
  const frame = await readFrame(db, `SELECT ${columns} FROM range(1000000) r(i)`);
  assert.equal(frame.rows, 1_000_000);
  assert.equal(frame.columns.length, 20);
  for (const [k, col] of frame.columns.entries()) {
    assert.ok(col.kind === 'float64' && col.valid === null && col.values.length === 1_000_000);
    for (const i of [0, 2047, 2048, 524_288, 999_999]) assert.equal(col.values[i], i * (k + 1) + 0.5);
  }
});

test('append adds rows by column name and creates a missing table', async () => {
  const frame = await readFrame(db, 'SELECT customerID, tenure, TotalCharges FROM churn');
  await writeFrame(db, 'appended', frame, { mode: 'append' });
  await db.run(
    'CREATE TABLE reordered (TotalCharges DOUBLE, customerID VARCHAR, tenure BIGINT, note VARCHAR)',
  );
  await writeFrame(db, 'reordered', frame, { mode: 'append' });
  await writeFrame(db, 'reordered', frame, { mode: 'append' });
  assert.equal(await count('SELECT count(*) FROM appended'), 7043);
  assert.equal(await count('SELECT count(*) FROM reordered'), 2 * 7043);
  assert.equal(await count('SELECT count(*) FROM reordered WHERE note IS NOT NULL'), 0);
  const doubled =
    'SELECT customerID, tenure, TotalCharges FROM churn UNION ALL SELECT customerID, tenure, TotalCharges FROM churn';
  await db.run(`CREATE TABLE doubled AS ${doubled}`);
  await db.run('CREATE TABLE reordered_cols AS SELECT customerID, tenure, TotalCharges FROM reordered');
  await assertSameRows('doubled', 'reordered_cols');
});

test('append refuses a column the table lacks and leaves the table as it was', async () => {
  const frame = await readFrame(db, 'SELECT customerID, gender FROM churn');
  await assert.rejects(
    writeFrame(db, 'appended', frame, { mode: 'append' }),
    (error: unknown) =>
      error instanceof CairnError &&
      error.code === 'INVALID_ARGUMENT' &&
      error.message ===
        "cannot append to table 'appended': it has no column 'gender' (its columns are customerID, tenure, TotalCharges)",
  );
  assert.equal(await count('SELECT count(*) FROM appended'), 7043);
});

test('replace swaps the whole table or nothing, and leaves no staging table', async () => {
  await db.run('CREATE TABLE target AS SELECT 1 AS old');
  const small = await readFrame(db, 'SELECT id, s FROM kinds WHERE id < 5000');
  const bad: Frame = {
    rows: small.rows,
    columns: small.columns.map((c) =>
      c.kind === 'string' ? { ...c, codes: c.codes.map((x, i) => (i === 4100 ? 99999 : x)) } : c,
    ),
  };
  await assert.rejects(
    writeFrame(db, 'target', bad),
    (error: unknown) =>
      error instanceof CairnError &&
      error.code === 'INVALID_ARGUMENT' &&
      /^column 's' has code 99999 at row 4100, outside its dictionary of \d+ strings/.test(error.message),
  );
  assert.deepEqual(await schema('target'), ['old INTEGER']);
  await writeFrame(db, 'target', small);
  assert.deepEqual(await schema('target'), ['id BIGINT', 's VARCHAR']);
  assert.equal(await count('SELECT count(*) FROM target'), 5000);
  assert.equal(
    await count(`SELECT count(*) FROM duckdb_tables() WHERE starts_with(table_name, '${STAGE_PREFIX}')`),
    0,
  );
});

test('bool values other than 0 and 1 are written as true', async () => {
  const frame: Frame = {
    rows: 3,
    columns: [{ name: 'flag', kind: 'bool', length: 3, valid: null, values: Uint8Array.of(0, 1, 7) }],
  };
  await writeFrame(db, 'flags', frame);
  assert.equal(await count('SELECT count(*) FROM flags WHERE flag = true'), 2);
});

test('bad input gets typed errors', async () => {
  const frame = await readFrame(db, 'SELECT 1 AS a');
  await assert.rejects(
    writeFrame(db, 'bad name', frame),
    (e: unknown) => e instanceof CairnError && e.code === 'INVALID_NAME',
  );
  const twice: Frame = { rows: 1, columns: [frame.columns[0], { ...frame.columns[0], name: 'A' }] };
  await assert.rejects(writeFrame(db, 'twice', twice), /two columns named 'A'/);
  await assert.rejects(writeFrame(db, 'none', { rows: 0, columns: [] }), /a frame with no columns/);
  await assert.rejects(
    writeFrame(db, 'short', { rows: 2, columns: frame.columns }),
    /column 'a' has length 1 but the frame has 2 rows/,
  );
  await assert.rejects(
    readFrame(db, 'SELECT nope FROM churn'),
    (e: unknown) => e instanceof CairnError && e.code === 'SQL_ERROR',
  );
});
