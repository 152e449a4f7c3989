import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { CairnError, type ErrorCode } from '../src/core/errors.js';
import { ingest } from '../src/warehouse/ingest/ingest.js';
import { runQuery } from '../src/warehouse/query.js';
import { CHURN_CSV, tempWorkspace } from './support.js';

// Real servers, real data: the telco churn file is loaded into PostgreSQL and MariaDB, ingested back
// through `ingest`, and compared row by row with what the servers hold.
const PG_URL = process.env.CAIRN_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
const MYSQL_URL = process.env.CAIRN_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const SHARED_CHURN_CSV = '/work/shared/datasets/churn/telco_customer_churn.csv';
const BATCH = 1000;
const SECRET = 'Sh0uld-never-leak';

const RUN = `cairn_it_${process.pid}_${Date.now().toString(36)}`;
const PG_CHURN = `${RUN}_churn`;
const PG_UPSERT = `${RUN}_upsert`;
const MY_CHURN = `${RUN}_churn`;
const MY_ZERO_DATES = `${RUN}_zero_dates`;
const MY_BITS = `${RUN}_bits`;

type Kind = 'text' | 'integer' | 'decimal' | 'boolean' | 'date' | 'timestamp' | 'json';
type Row = Record<string, unknown>;

const EXTRA_KINDS: Record<string, Kind> = {
  SeniorCitizen: 'boolean',
  tenure: 'integer',
  MonthlyCharges: 'decimal',
  TotalCharges: 'decimal',
  signup_date: 'date',
  last_seen: 'timestamp',
  profile: 'json',
};

const PG_TYPES: Record<Kind, string> = {
  text: 'text',
  integer: 'integer',
  decimal: 'numeric(10,2)',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
  json: 'jsonb',
};
const MYSQL_TYPES: Record<Kind, string> = {
  text: 'varchar(64)',
  integer: 'int',
  decimal: 'decimal(10,2)',
  boolean: 'tinyint(1)',
  date: 'date',
  timestamp: 'datetime',
  json: 'json',
};

let columns: string[] = [];
let kinds: Record<string, Kind> = {};
let fixture: unknown[][] = [];
let pgClient: pg.Client;
let my: mysql.Connection;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;

const pgIdent = (name: string): string => `"${name}"`;
const myIdent = (name: string): string => `\`${name}\``;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function sqlDate(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function sqlTimestamp(d: Date): string {
  return `${sqlDate(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** The churn file plus a date, a timestamp and a JSON column derived from it; blanks become NULL. */
function loadChurn(): void {
  if (!existsSync(CHURN_CSV)) copyFileSync(SHARED_CHURN_CSV, CHURN_CSV);
  const [header, ...lines] = readFileSync(CHURN_CSV, 'utf8').trim().split(/\r?\n/);
  const csvColumns = header.split(',');
  columns = [...csvColumns, 'signup_date', 'last_seen', 'profile'];
  kinds = Object.fromEntries(columns.map((c) => [c, EXTRA_KINDS[c] ?? 'text']));
  fixture = lines.map((line, i) => {
    const fields = line.split(',');
    assert.equal(fields.length, csvColumns.length, `line ${i + 2} of ${CHURN_CSV}`);
    const r = Object.fromEntries(csvColumns.map((c, j) => [c, fields[j].trim() === '' ? null : fields[j]]));
    const tenure = Number(r.tenure);
    const services = ['PhoneService', 'OnlineSecurity', 'OnlineBackup', 'StreamingTV'].filter(
      (s) => r[s] === 'Yes',
    );
    const profile = {
      contract: r.Contract,
      payment: r.PaymentMethod,
      services,
      monthly: Number(r.MonthlyCharges),
      paperless: r.PaperlessBilling === 'Yes',
      ...(i % 7 === 0 ? { note: 'zoë ✓ "quoted" \\ back' } : {}),
    };
    const values: Record<string, unknown> = {
      ...r,
      SeniorCitizen: r.SeniorCitizen === '1',
      tenure,
      signup_date: tenure === 0 ? null : sqlDate(new Date(Date.UTC(2024, 11 - tenure, 1 + (i % 28)))),
      last_seen: sqlTimestamp(new Date(Date.UTC(2024, 0, 1) + i * 3_607_000)),
      profile: i % 50 === 0 ? null : JSON.stringify(profile),
    };
    return columns.map((c) => values[c] ?? null);
  });
}

function sortedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Row).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortedJson(v)]));
  }
  return value;
}

/** One value in a form every driver and DuckDB agree on. */
function canonical(value: unknown, kind: Kind): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'integer':
      return Number(value);
    case 'decimal':
      return Number(value).toFixed(2);
    case 'boolean':
      return typeof value === 'boolean' ? value : Number(value) !== 0;
    case 'date':
    case 'timestamp':
    case 'text':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'json':
      return sortedJson(typeof value === 'string' ? JSON.parse(value) : value);
  }
}

/** Rows as canonical JSON lines, sorted by customerID (in JS, so no collation differs). */
function canonicalRows(rows: Row[], rowKinds: Record<string, Kind>): string[] {
  const names = Object.keys(rowKinds);
  return rows
    .map(
      (row) =>
        [String(row.customerID), JSON.stringify(names.map((n) => canonical(row[n], rowKinds[n])))] as const,
    )
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, line]) => line);
}

function assertSameRows(actual: Row[], expected: Row[], rowKinds: Record<string, Kind> = kinds): void {
  assert.equal(actual.length, expected.length, 'row count');
  const a = canonicalRows(actual, rowKinds);
  const e = canonicalRows(expected, rowKinds);
  // The first differing row, not a diff of thousands of lines.
  const i = a.findIndex((line, j) => line !== e[j]);
  assert.equal(i === -1 ? null : a[i], i === -1 ? null : e[i], `row ${i} (sorted by customerID) differs`);
}

/** The source's rows through the pg driver's own parsing; dates and timestamps kept as text. */
async function pgRows(sql: string): Promise<Row[]> {
  const raw = (value: string): string => value;
  const result = await pgClient.query<Row>({
    text: sql,
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === 1082 || oid === 1114
          ? raw
          : (pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown),
    },
  });
  return result.rows;
}

async function myRows(sql: string): Promise<Row[]> {
  const [rows] = await my.query<RowDataPacket[]>(sql);
  return rows;
}

async function duckRows(table: string): Promise<Row[]> {
  return (await runQuery(ws.db, `SELECT * FROM "${table}"`)).rows;
}

async function duckTypes(table: string): Promise<Record<string, string>> {
  const { rows } = await runQuery(
    ws.db,
    `SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = '${table}' ORDER BY column_index`,
  );
  return Object.fromEntries(rows.map((r) => [r.column_name as string, r.data_type as string]));
}

async function rejectsWith(pending: Promise<unknown>, code: ErrorCode): Promise<CairnError> {
  try {
    await pending;
  } catch (error) {
    assert.ok(error instanceof CairnError, `expected a CairnError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a CairnError with code ${code}`);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function withPassword(url: string, port?: number): string {
  const parsed = new URL(url);
  parsed.password = SECRET;
  if (port !== undefined) parsed.port = String(port);
  return parsed.toString();
}

async function createPgTable(table: string, rows: unknown[][]): Promise<void> {
  const definitions = columns.map((c) => `${pgIdent(c)} ${PG_TYPES[kinds[c]]}`);
  await pgClient.query(
    `CREATE TABLE ${pgIdent(table)} (${definitions.join(', ')}, PRIMARY KEY ("customerID"))`,
  );
  const width = columns.length;
  for (let start = 0; start < rows.length; start += 500) {
    const chunk = rows.slice(start, start + 500);
    const tuples = chunk.map((_, r) => `(${columns.map((__, c) => `$${r * width + c + 1}`).join(', ')})`);
    await pgClient.query(
      `INSERT INTO ${pgIdent(table)} (${columns.map(pgIdent).join(', ')}) VALUES ${tuples.join(', ')}`,
      chunk.flat(),
    );
  }
}

async function createMysqlTable(table: string, rows: unknown[][]): Promise<void> {
  const definitions = columns.map((c) => `${myIdent(c)} ${MYSQL_TYPES[kinds[c]]}`);
  await my.query(`CREATE TABLE ${myIdent(table)} (${definitions.join(', ')}, PRIMARY KEY (customerID))`);
  for (let start = 0; start < rows.length; start += 1000) {
    await my.query(`INSERT INTO ${myIdent(table)} (${columns.map(myIdent).join(', ')}) VALUES ?`, [
      rows.slice(start, start + 1000),
    ]);
  }
}

before(async () => {
  loadChurn();
  pgClient = new pg.Client({ connectionString: PG_URL });
  await pgClient.connect();
  my = await mysql.createConnection({ uri: MYSQL_URL, dateStrings: true });
  await createPgTable(PG_CHURN, fixture);
  await createMysqlTable(MY_CHURN, fixture);
  ws = await tempWorkspace();
});

after(async () => {
  ws?.dispose();
  await pgClient?.query(`DROP TABLE IF EXISTS ${pgIdent(PG_CHURN)}, ${pgIdent(PG_UPSERT)}`);
  await pgClient?.end();
  await my?.query(
    `DROP TABLE IF EXISTS ${myIdent(MY_CHURN)}, ${myIdent(MY_ZERO_DATES)}, ${myIdent(MY_BITS)}`,
  );
  await my?.end();
});

void test('PostgreSQL table: every row and value arrives, typed by the source columns', async () => {
  const report = await ingest(ws.db, {
    source: PG_URL,
    table: 'pg_churn',
    sourceTable: PG_CHURN,
    batchSize: BATCH,
  });
  assert.deepEqual(
    {
      read: report.read,
      accepted: report.accepted,
      quarantined: report.quarantined,
      table: report.quarantineTable,
    },
    { read: fixture.length, accepted: fixture.length, quarantined: 0, table: null },
  );
  assert.equal(report.format, 'postgres');
  assertSameRows(await duckRows('pg_churn'), await pgRows(`SELECT * FROM ${pgIdent(PG_CHURN)}`));
  const types = await duckTypes('pg_churn');
  assert.deepEqual(Object.keys(types), columns);
  assert.deepEqual(
    {
      customerID: types.customerID,
      SeniorCitizen: types.SeniorCitizen,
      tenure: types.tenure,
      MonthlyCharges: types.MonthlyCharges,
      TotalCharges: types.TotalCharges,
      signup_date: types.signup_date,
      last_seen: types.last_seen,
      profile: types.profile,
    },
    {
      customerID: 'VARCHAR',
      SeniorCitizen: 'BOOLEAN',
      tenure: 'INTEGER',
      MonthlyCharges: 'DECIMAL(10,2)',
      TotalCharges: 'DECIMAL(10,2)',
      signup_date: 'DATE',
      last_seen: 'TIMESTAMP',
      profile: 'JSON',
    },
  );
  const { rows } = await runQuery(
    ws.db,
    `SELECT count(*) FILTER (WHERE "TotalCharges" IS NULL) AS total, count(*) FILTER (WHERE profile IS NULL) AS profile,
       count(*) FILTER (WHERE signup_date IS NULL) AS signup FROM pg_churn`,
  );
  const [nulls] = await pgRows(
    `SELECT count(*) FILTER (WHERE "TotalCharges" IS NULL)::int AS total, count(*) FILTER (WHERE profile IS NULL)::int AS profile,
       count(*) FILTER (WHERE signup_date IS NULL)::int AS signup FROM ${pgIdent(PG_CHURN)}`,
  );
  assert.deepEqual(rows[0], nulls);
  assert.ok(Number(rows[0].total) > 0 && Number(rows[0].profile) > 0);
});

void test('PostgreSQL query: computed columns, and a result that is an exact multiple of the batch size', async () => {
  const sql = `SELECT "customerID", tenure, "TotalCharges", signup_date, profile->>'contract' AS contract,
      (profile->'paperless')::boolean AS paperless
    FROM ${pgIdent(PG_CHURN)} WHERE tenure >= 6 ORDER BY "customerID" LIMIT ${3 * BATCH}`;
  const report = await ingest(ws.db, { source: PG_URL, table: 'pg_query', query: sql, batchSize: BATCH });
  assert.equal(report.accepted, 3 * BATCH);
  const queryKinds: Record<string, Kind> = {
    customerID: 'text',
    tenure: 'integer',
    TotalCharges: 'decimal',
    signup_date: 'date',
    contract: 'text',
    paperless: 'boolean',
  };
  assertSameRows(await duckRows('pg_query'), await pgRows(sql), queryKinds);
  assert.deepEqual(await duckTypes('pg_query'), {
    customerID: 'VARCHAR',
    tenure: 'INTEGER',
    TotalCharges: 'DECIMAL(10,2)',
    signup_date: 'DATE',
    contract: 'VARCHAR',
    paperless: 'BOOLEAN',
  });
});

void test('PostgreSQL query: a value DuckDB cannot hold is quarantined with its column named', async () => {
  // numeric(10,2) admits NaN; DECIMAL(10,2) does not.
  const sql = `SELECT "customerID", CASE WHEN tenure = 0 THEN 'NaN' ELSE "TotalCharges" END::numeric(10,2) AS total
    FROM ${pgIdent(PG_CHURN)}`;
  const report = await ingest(ws.db, { source: PG_URL, table: 'pg_nan', query: sql, batchSize: BATCH });
  const [source] = await pgRows(
    `SELECT count(*) FILTER (WHERE tenure = 0)::int AS nan FROM ${pgIdent(PG_CHURN)}`,
  );
  assert.equal(report.quarantined, source.nan);
  assert.equal(report.accepted + report.quarantined, fixture.length);
  assert.equal(report.quarantineTable, 'pg_nan__quarantine');
  const { rows } = await runQuery(ws.db, 'SELECT DISTINCT error, reason FROM pg_nan__quarantine');
  assert.deepEqual(rows, [{ error: 'CAST', reason: "column 'total' holds 'NaN'; expected DECIMAL(10,2)" }]);
});

void test("PostgreSQL dates do not depend on the session's DateStyle, and keep their era", async () => {
  const url = new URL(PG_URL);
  url.searchParams.set('options', '-c DateStyle=German -c IntervalStyle=sql_standard');
  const sql = `SELECT "customerID", signup_date, last_seen, make_date(-44, 3, 15) AS ides,
      make_timestamp(-44, 3, 15, 12, 0, 0) AS ides_noon FROM ${pgIdent(PG_CHURN)}`;
  const report = await ingest(ws.db, {
    source: url.toString(),
    table: 'pg_dates',
    query: sql,
    batchSize: BATCH,
  });
  assert.equal(report.accepted, fixture.length);
  const dateKinds: Record<string, Kind> = { customerID: 'text', signup_date: 'date', last_seen: 'timestamp' };
  assertSameRows(await duckRows('pg_dates'), await pgRows(sql), dateKinds);
  const { rows } = await runQuery(
    ws.db,
    'SELECT DISTINCT CAST(ides AS VARCHAR) AS ides, CAST(ides_noon AS VARCHAR) AS noon FROM pg_dates',
  );
  assert.deepEqual(rows, [{ ides: '0044-03-15 (BC)', noon: '0044-03-15 (BC) 12:00:00' }]);
});

void test('MariaDB table: every row and value arrives, typed by the source columns', async () => {
  const report = await ingest(ws.db, {
    source: MYSQL_URL,
    table: 'my_churn',
    sourceTable: MY_CHURN,
    batchSize: BATCH,
  });
  assert.equal(report.format, 'mysql');
  assert.deepEqual(
    { read: report.read, accepted: report.accepted, quarantined: report.quarantined },
    { read: fixture.length, accepted: fixture.length, quarantined: 0 },
  );
  assertSameRows(await duckRows('my_churn'), await myRows(`SELECT * FROM ${myIdent(MY_CHURN)}`));
  const types = await duckTypes('my_churn');
  assert.deepEqual(Object.keys(types), columns);
  assert.deepEqual(
    {
      customerID: types.customerID,
      SeniorCitizen: types.SeniorCitizen,
      tenure: types.tenure,
      MonthlyCharges: types.MonthlyCharges,
      signup_date: types.signup_date,
      last_seen: types.last_seen,
      profile: types.profile,
    },
    {
      customerID: 'VARCHAR',
      SeniorCitizen: 'TINYINT',
      tenure: 'INTEGER',
      MonthlyCharges: 'DECIMAL(10,2)',
      signup_date: 'DATE',
      last_seen: 'TIMESTAMP',
      profile: 'JSON',
    },
  );
});

void test('MariaDB query: rows arrive whole across batches', async () => {
  const sql = `SELECT customerID, tenure, MonthlyCharges * 2 AS doubled, last_seen,
      JSON_VALUE(profile, '$.payment') AS payment
    FROM ${myIdent(MY_CHURN)} WHERE tenure >= 6 ORDER BY customerID LIMIT ${3 * BATCH}`;
  const report = await ingest(ws.db, { source: MYSQL_URL, table: 'my_query', query: sql, batchSize: BATCH });
  assert.equal(report.accepted, 3 * BATCH);
  const queryKinds: Record<string, Kind> = {
    customerID: 'text',
    tenure: 'integer',
    doubled: 'decimal',
    last_seen: 'timestamp',
    payment: 'text',
  };
  assertSameRows(await duckRows('my_query'), await myRows(sql), queryKinds);
  const types = await duckTypes('my_query');
  assert.equal(types.tenure, 'INTEGER');
  assert.match(types.doubled, /^DECIMAL\(\d+,2\)$/);
  assert.equal(types.last_seen, 'TIMESTAMP');
});

void test('MariaDB zero dates are quarantined with the column named; read = accepted + quarantined', async () => {
  await my.query(`CREATE TABLE ${myIdent(MY_ZERO_DATES)} LIKE ${myIdent(MY_CHURN)}`);
  await my.query(`INSERT INTO ${myIdent(MY_ZERO_DATES)} SELECT * FROM ${myIdent(MY_CHURN)}`);
  // Legacy MySQL data: zero dates only get in with the strict modes off.
  await my.query("SET SESSION sql_mode = ''");
  await my.query(`UPDATE ${myIdent(MY_ZERO_DATES)} SET signup_date = '0000-00-00' WHERE tenure = 0`);
  await my.query(`UPDATE ${myIdent(MY_ZERO_DATES)} SET last_seen = '0000-00-00 00:00:00' WHERE tenure = 72`);
  await my.query('SET SESSION sql_mode = DEFAULT');
  const [counts] = await myRows(
    `SELECT count(*) AS total, CAST(SUM(tenure = 0) AS INT) AS zero_signup, CAST(SUM(tenure = 72) AS INT) AS zero_seen
     FROM ${myIdent(MY_ZERO_DATES)}`,
  );
  const total = Number(counts.total);
  const zeroSignup = Number(counts.zero_signup);
  const zeroSeen = Number(counts.zero_seen);
  assert.ok(zeroSignup > 0 && zeroSeen > 0);

  const report = await ingest(ws.db, {
    source: MYSQL_URL,
    table: 'my_dates',
    sourceTable: MY_ZERO_DATES,
    batchSize: BATCH,
  });
  assert.equal(report.quarantined, zeroSignup + zeroSeen);
  assert.equal(report.accepted + report.quarantined, total);
  assert.equal(report.read, total);
  assert.equal(report.quarantineTable, 'my_dates__quarantine');

  const { rows: reasons } = await runQuery(
    ws.db,
    'SELECT reason, count(*) AS n FROM my_dates__quarantine GROUP BY reason ORDER BY reason',
  );
  assert.deepEqual(reasons, [
    { reason: "column 'last_seen' holds '0000-00-00 00:00:00'; expected TIMESTAMP", n: zeroSeen },
    { reason: "column 'signup_date' holds '0000-00-00'; expected DATE", n: zeroSignup },
  ]);
  const { rows: quarantined } = await runQuery(ws.db, 'SELECT raw FROM my_dates__quarantine');
  const ids = quarantined.map((r) => (JSON.parse(r.raw as string) as Row).customerID).sort();
  const expectedIds = (
    await myRows(
      `SELECT customerID FROM ${myIdent(MY_ZERO_DATES)} WHERE tenure IN (0, 72) ORDER BY customerID`,
    )
  ).map((r) => r.customerID);
  assert.deepEqual(ids, expectedIds);
  assertSameRows(
    await duckRows('my_dates'),
    await myRows(`SELECT * FROM ${myIdent(MY_ZERO_DATES)} WHERE tenure NOT IN (0, 72)`),
  );
});

void test('MariaDB BIT columns arrive as numbers and booleans, not raw bytes', async () => {
  await my.query(
    `CREATE TABLE ${myIdent(MY_BITS)} (customerID varchar(20) PRIMARY KEY, paperless bit(1), tenure bit(7))
     SELECT customerID, PaperlessBilling = 'Yes' AS paperless, tenure FROM ${myIdent(MY_CHURN)}`,
  );
  await ingest(ws.db, { source: MYSQL_URL, table: 'my_bits', sourceTable: MY_BITS, batchSize: BATCH });
  assert.deepEqual(await duckTypes('my_bits'), {
    customerID: 'VARCHAR',
    paperless: 'BOOLEAN',
    tenure: 'UBIGINT',
  });
  assertSameRows(
    await duckRows('my_bits'),
    await myRows(
      `SELECT customerID, paperless + 0 AS paperless, tenure + 0 AS tenure FROM ${myIdent(MY_BITS)}`,
    ),
    { customerID: 'text', paperless: 'boolean', tenure: 'integer' },
  );
});

void test('PostgreSQL append: two queries add up to the whole source table', async () => {
  const table = pgIdent(PG_CHURN);
  const first = await ingest(ws.db, {
    source: PG_URL,
    table: 'pg_append',
    query: `SELECT * FROM ${table} WHERE tenure < 24`,
    batchSize: BATCH,
  });
  const second = await ingest(ws.db, {
    source: PG_URL,
    table: 'pg_append',
    query: `SELECT * FROM ${table} WHERE tenure >= 24`,
    mode: 'append',
    batchSize: BATCH,
  });
  assert.equal(second.mode, 'append');
  assert.equal(first.accepted + second.accepted, fixture.length);
  assertSameRows(await duckRows('pg_append'), await pgRows(`SELECT * FROM ${table}`));
  assert.deepEqual(await duckTypes('pg_append'), await duckTypes('pg_churn'));
});

void test('PostgreSQL upsert: changed rows replace theirs, new rows are added, the rest stay', async (t) => {
  const table = pgIdent(PG_UPSERT);
  await pgClient.query(`CREATE TABLE ${table} AS SELECT * FROM ${pgIdent(PG_CHURN)}`);
  // A workspace of its own: a DuckDB internal error invalidates the whole database, not one test.
  const own = await tempWorkspace();
  t.after(() => own.dispose());
  await ingest(own.db, { source: PG_URL, table: 'pg_upsert', sourceTable: PG_UPSERT, batchSize: BATCH });

  await pgClient.query(
    `UPDATE ${table} SET "MonthlyCharges" = "MonthlyCharges" + 5, "Churn" = 'Yes',
       profile = jsonb_set(coalesce(profile, '{}'), '{upgraded}', 'true') WHERE tenure = 1`,
  );
  await pgClient.query(
    `INSERT INTO ${table} SELECT 'NEW-' || lpad(n::text, 5, '0'), gender, "SeniorCitizen", "Partner", "Dependents", 0,
       "PhoneService", "MultipleLines", "InternetService", "OnlineSecurity", "OnlineBackup", "DeviceProtection",
       "TechSupport", "StreamingTV", "StreamingMovies", "Contract", "PaperlessBilling", "PaymentMethod", 10.5, NULL,
       'No', NULL, TIMESTAMP '2025-01-02 03:04:05', NULL
     FROM ${pgIdent(PG_CHURN)}, generate_series(1, 3) AS n WHERE "customerID" = '7590-VHVEG'`,
  );
  const [changed] = await pgRows(`SELECT count(*)::int AS n FROM ${table} WHERE tenure = 1`);
  const report = await ingest(own.db, {
    source: PG_URL,
    table: 'pg_upsert',
    query: `SELECT * FROM ${table} WHERE tenure = 1 OR "customerID" LIKE 'NEW-%'`,
    mode: 'upsert',
    key: ['customerID'],
    batchSize: BATCH,
  });
  assert.equal(report.mode, 'upsert');
  assert.equal(report.accepted, Number(changed.n) + 3);
  assert.equal(report.quarantined, 0);

  const upserted = (await runQuery(own.db, 'SELECT * FROM pg_upsert')).rows;
  assert.equal(upserted.length, fixture.length + 3);
  assertSameRows(upserted, await pgRows(`SELECT * FROM ${table}`));
  const { rows } = await runQuery(
    own.db,
    `SELECT "MonthlyCharges", "Churn", profile FROM pg_upsert WHERE "customerID" = '7590-VHVEG'`,
  );
  assert.equal(rows[0].MonthlyCharges, 34.85);
  assert.equal(rows[0].Churn, 'Yes');
  assert.equal((JSON.parse(rows[0].profile as string) as Row).upgraded, true);
});

void test('a refused connection or a wrong password is a SOURCE_ERROR that does not show the password', async () => {
  const port = await closedPort();
  const failures = [
    withPassword(PG_URL, port),
    withPassword(`postgres://no_such_role_${RUN}@127.0.0.1:5432/test`),
    withPassword(MYSQL_URL, port),
    withPassword(MYSQL_URL),
  ];
  for (const source of failures) {
    const error = await rejectsWith(
      ingest(ws.db, { source, table: 'pg_churn', sourceTable: PG_CHURN }),
      'SOURCE_ERROR',
    );
    assert.ok(!error.message.includes(SECRET), `the password shows in: ${error.message}`);
    assert.match(error.message, /cannot connect to .*:\*\*\*@127\.0\.0\.1/);
  }
  // A failed ingest leaves the table as it was.
  const { rows } = await runQuery(ws.db, 'SELECT count(*) AS n FROM pg_churn');
  assert.equal(rows[0].n, fixture.length);
});

void test('a bad query is a SOURCE_ERROR naming what the database rejected', async () => {
  for (const source of [PG_URL, MYSQL_URL]) {
    const error = await rejectsWith(
      ingest(ws.db, { source, table: 'bad', query: `SELECT no_such_column FROM ${RUN}_churn` }),
      'SOURCE_ERROR',
    );
    assert.match(error.message, /no_such_column/);
  }
});

void test('a query cannot change the source, and one without a result set is refused', async () => {
  const refused = [
    { source: PG_URL, query: `DELETE FROM ${pgIdent(PG_CHURN)}` },
    { source: PG_URL, query: `SELECT 1; COMMIT; DELETE FROM ${pgIdent(PG_CHURN)}` },
    { source: MYSQL_URL, query: `SELECT 1; DELETE FROM ${myIdent(MY_CHURN)}` },
    { source: MYSQL_URL, query: `DELETE FROM ${myIdent(MY_CHURN)}` },
    { source: MYSQL_URL, query: `DROP TABLE ${myIdent(MY_CHURN)}` },
    { source: MYSQL_URL, query: 'DO 1' },
  ];
  for (const { source, query } of refused) {
    const error = await rejectsWith(ingest(ws.db, { source, table: 'changed', query }), 'SOURCE_ERROR');
    assert.match(error.message, /read-only|READ ONLY|syntax|no columns|multiple commands/, error.message);
  }
  const [pgCount] = await pgRows(`SELECT count(*)::int AS n FROM ${pgIdent(PG_CHURN)}`);
  const [myCount] = await myRows(`SELECT count(*) AS n FROM ${myIdent(MY_CHURN)}`);
  assert.deepEqual([pgCount.n, myCount.n], [fixture.length, fixture.length]);
});

void test('query and sourceTable together, or a batch size below one row, are an INVALID_ARGUMENT', async () => {
  for (const source of [PG_URL, MYSQL_URL]) {
    const error = await rejectsWith(
      ingest(ws.db, { source, table: 'both', query: 'SELECT 1', sourceTable: `${RUN}_churn` }),
      'INVALID_ARGUMENT',
    );
    assert.match(error.message, /either --query or --source-table/);
    for (const batchSize of [0, 2.5]) {
      await rejectsWith(
        ingest(ws.db, { source, table: 'batch', query: 'SELECT 1', batchSize }),
        'INVALID_ARGUMENT',
      );
    }
  }
});
