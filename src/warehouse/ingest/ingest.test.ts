import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CHURN_CSV, tempWorkspace } from '../../../test/support.js';
import type { CairnError } from '../../core/errors.js';
import { describeTable } from '../catalog.js';
import { exportTable } from '../export.js';
import { runQuery } from '../query.js';
import { asText } from '../values.js';
import { ingest } from './ingest.js';

type Ws = Awaited<ReturnType<typeof tempWorkspace>>;
let ws: Ws;
before(async () => {
  ws = await tempWorkspace();
});
after(() => ws.dispose());

async function rowsOf(sql: string) {
  return (await runQuery(ws.db, sql)).rows;
}

async function count(sql: string): Promise<number> {
  const [row] = await rowsOf(sql);
  return Number(Object.values(row)[0]);
}

/** Rows in one table and not the other, both ways; 0 means the tables hold the same multiset of rows. */
async function difference(a: string, b: string): Promise<number> {
  return count(
    `SELECT (SELECT count(*) FROM (SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b})) +
            (SELECT count(*) FROM (SELECT * FROM ${b} EXCEPT ALL SELECT * FROM ${a}))`,
  );
}

describe('CSV', () => {
  test('the churn file loads whole with the expected types', async () => {
    const report = await ingest(ws.db, { source: CHURN_CSV, table: 'churn' });
    assert.deepEqual([report.read, report.accepted, report.quarantined], [7043, 7043, 0]);
    const types = Object.fromEntries(
      (await describeTable(ws.db, 'churn')).columns.map((c) => [c.name, c.type]),
    );
    assert.equal(types.customerID, 'VARCHAR');
    assert.equal(types.SeniorCitizen, 'BIGINT');
    assert.equal(types.tenure, 'BIGINT');
    assert.equal(types.Partner, 'BOOLEAN');
    assert.equal(types.MonthlyCharges, 'DOUBLE');
    // TotalCharges holds 11 blank values: they are NULLs, not a reason to make the column text.
    assert.equal(types.TotalCharges, 'DOUBLE');
    assert.equal(await count('SELECT count(*) FROM churn WHERE TotalCharges IS NULL'), 11);
    assert.equal(await count('SELECT count(*) FROM churn WHERE Churn'), 1869);
  });

  test('planted bad rows are quarantined with line, text and reason; nothing else is', async () => {
    const lines = readFileSync(CHURN_CSV, 'latin1').split('\n').filter(Boolean);
    const fields = (i: number) => lines[i].split(',');
    const wrongType = fields(10)
      .map((f, i) => (i === 0 ? 'PLANT-0001' : i === 5 ? 'abc' : f))
      .join(',');
    const tooFew = fields(20)
      .slice(0, -1)
      .map((f, i) => (i === 0 ? 'PLANT-0002' : f))
      .join(',');
    const tooMany = [...fields(30).map((f, i) => (i === 0 ? 'PLANT-0003' : f)), 'extra'].join(',');
    const badBytes = `PLANT-\xff\xfe04,${fields(40).slice(1).join(',')}`;
    const planted = [...lines];
    planted.splice(5003, 0, badBytes);
    planted.splice(1002, 0, tooMany);
    planted.splice(501, 0, tooFew);
    planted.splice(101, 0, wrongType);
    const file = path.join(ws.dir, 'churn_bad.csv');
    writeFileSync(file, Buffer.from(`${planted.join('\n')}\n`, 'latin1'));

    const report = await ingest(ws.db, { source: file, table: 'churn_bad' });
    assert.deepEqual([report.read, report.accepted, report.quarantined], [7047, 7043, 4]);
    assert.equal(report.quarantineTable, 'churn_bad__quarantine');
    const types = Object.fromEntries(
      (await describeTable(ws.db, 'churn_bad')).columns.map((c) => [c.name, c.type]),
    );
    assert.equal(types.tenure, 'BIGINT', 'one stray value does not turn a numeric column into text');
    const lineOf = (text: string) => planted.indexOf(text) + 1;
    const rejected = await rowsOf(
      'SELECT record, error, reason, raw FROM churn_bad__quarantine ORDER BY record',
    );
    assert.deepEqual(
      rejected.map((r) => [r.record, r.error]),
      [
        [lineOf(wrongType), 'CAST'],
        [lineOf(tooFew), 'MISSING_COLUMNS'],
        [lineOf(tooMany), 'TOO_MANY_COLUMNS'],
        [lineOf(badBytes), 'INVALID_ENCODING'],
      ],
    );
    assert.equal(rejected[0].reason, "column 'tenure' holds 'abc'; expected BIGINT");
    assert.equal(rejected[0].raw, wrongType);
    assert.match(asText(rejected[1].reason), /Expected Number of Columns: 21 Found: 20/);
    assert.equal(rejected[2].raw, tooMany);
    assert.equal(await count("SELECT count(*) FROM churn_bad WHERE customerID LIKE 'PLANT%'"), 0);
    assert.equal(await difference('churn', 'churn_bad'), 0);
  });

  test('type overrides, a schema file and a headerless file', async () => {
    const file = path.join(ws.dir, 'headerless.tsv');
    writeFileSync(file, '1\t2020-01-05\t3.5\n2\t2021-02-06\t\n3\t2022-03-07\tx\n');
    const schema = path.join(ws.dir, 'schema.yaml');
    writeFileSync(schema, 'header: false\ncolumns:\n  id: INTEGER\n  day: DATE\n  score: DOUBLE\n');
    const { ingestRequestFields } = await import('./options.js');
    const report = await ingest(ws.db, { ...ingestRequestFields({ schema }), source: file, table: 'typed' });
    assert.deepEqual([report.read, report.accepted, report.quarantined], [3, 2, 1]);
    const schemaOut = await describeTable(ws.db, 'typed');
    assert.deepEqual(
      schemaOut.columns.map((c) => `${c.name}:${c.type}`),
      ['id:INTEGER', 'day:DATE', 'score:DOUBLE'],
    );
    const [rejected] = await rowsOf('SELECT record, reason FROM typed__quarantine');
    assert.deepEqual(rejected, { record: 3, reason: "column 'score' holds 'x'; expected DOUBLE" });
  });

  test('gzip-compressed CSV', async () => {
    const file = path.join(ws.dir, 'churn.csv.gz');
    writeFileSync(file, gzipSync(readFileSync(CHURN_CSV)));
    const report = await ingest(ws.db, { source: file, table: 'churn_gz' });
    assert.equal(report.accepted, 7043);
    assert.equal(await difference('churn', 'churn_gz'), 0);
  });
});

describe('JSON, NDJSON and Parquet', () => {
  for (const ext of ['ndjson', 'json', 'parquet', 'ndjson.gz']) {
    test(`a ${ext} export of churn ingests back to the same rows and types`, async () => {
      const file = path.join(ws.dir, `churn_out.${ext}`);
      await exportTable(ws.db, 'churn', file);
      const table = `churn_${ext.replace('.', '_')}`;
      const report = await ingest(ws.db, { source: file, table });
      assert.deepEqual([report.read, report.accepted, report.quarantined], [7043, 7043, 0]);
      assert.equal(await difference('churn', table), 0);
      const original = (await describeTable(ws.db, 'churn')).columns.map((c) => c.type);
      assert.deepEqual(
        (await describeTable(ws.db, table)).columns.map((c) => c.type),
        original,
      );
    });
  }

  test('NDJSON records that are not objects or do not fit their column are quarantined', async () => {
    const good = (
      await rowsOf(
        'SELECT customerID, tenure, MonthlyCharges, Churn FROM churn ORDER BY customerID LIMIT 500',
      )
    ).map((r) => JSON.stringify(r));
    const lines = [...good];
    lines.splice(10, 0, '{"customerID": "X1", "tenure": "twelve", "MonthlyCharges": 1.5, "Churn": false}');
    lines.splice(20, 0, '{"customerID": "X2", "tenure": 3, ');
    lines.splice(30, 0, '[1, 2, 3]');
    lines.splice(40, 0, '');
    const file = path.join(ws.dir, 'planted.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const report = await ingest(ws.db, { source: file, table: 'planted' });
    assert.deepEqual([report.read, report.accepted, report.quarantined], [503, 500, 3]);
    const rejected = await rowsOf('SELECT record, error, reason FROM planted__quarantine ORDER BY record');
    assert.deepEqual(rejected, [
      { record: 11, error: 'CAST', reason: "column 'tenure' holds 'twelve'; expected BIGINT" },
      { record: 21, error: 'INVALID_JSON', reason: 'not valid JSON' },
      { record: 31, error: 'INVALID_JSON', reason: 'a JSON array where an object was expected' },
    ]);
  });

  test('JSON strings holding dates and timestamps get those types, and junk after a date is refused', async () => {
    const records = Array.from({ length: 300 }, (_, i) => ({
      day: `2024-03-${String((i % 28) + 1).padStart(2, '0')}`,
      at: `2024-03-${String((i % 28) + 1).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00`,
    }));
    records[7] = { day: '2024-03-15 junk', at: '2024-03-15 10:00:00' };
    const file = path.join(ws.dir, 'temporal.ndjson');
    writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n'));
    const report = await ingest(ws.db, { source: file, table: 'temporal' });
    assert.deepEqual([report.accepted, report.quarantined], [299, 1]);
    const types = (await describeTable(ws.db, 'temporal')).columns.map((c) => `${c.name}:${c.type}`);
    assert.deepEqual(types, ['day:DATE', 'at:TIMESTAMP']);
    const [row] = await rowsOf(
      `SELECT CAST("at" AS VARCHAR) AS t FROM temporal WHERE day = DATE '2024-03-02'`,
    );
    assert.equal(row.t, '2024-03-02 10:01:00');
  });
});

describe('modes', () => {
  test('append adds rows; upsert replaces by key and inserts new keys', async () => {
    const before = await count('SELECT count(*) FROM churn');
    await ingest(ws.db, { source: CHURN_CSV, table: 'churn_modes' });
    const report = await ingest(ws.db, { source: CHURN_CSV, table: 'churn_modes', mode: 'append' });
    assert.equal(report.accepted, before);
    assert.equal(await count('SELECT count(*) FROM churn_modes'), 2 * before);

    const changes = path.join(ws.dir, 'changes.ndjson');
    writeFileSync(
      changes,
      [
        { customerID: '7590-VHVEG', tenure: 99, Churn: true },
        { customerID: 'NEW-0001', tenure: 1, Churn: false },
        { customerID: null, tenure: 5, Churn: false },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    await ingest(ws.db, { source: CHURN_CSV, table: 'churn_keyed' });
    const upsert = await ingest(ws.db, {
      source: changes,
      table: 'churn_keyed',
      mode: 'upsert',
      key: ['customerID'],
    });
    assert.deepEqual([upsert.read, upsert.accepted, upsert.quarantined], [3, 2, 1]);
    assert.equal(await count('SELECT count(*) FROM churn_keyed'), before + 1);
    const [updated] = await rowsOf(
      "SELECT tenure, Churn, gender FROM churn_keyed WHERE customerID = '7590-VHVEG'",
    );
    assert.deepEqual(updated, { tenure: 99, Churn: true, gender: null });
    const [missing] = await rowsOf('SELECT error FROM churn_keyed__quarantine');
    assert.equal(missing.error, 'MISSING_KEY');
  });

  test('a failed replace leaves the table as it was', async () => {
    const broken = path.join(ws.dir, 'broken.parquet');
    writeFileSync(broken, 'this is not parquet');
    const rows = await count('SELECT count(*) FROM churn');
    await assert.rejects(
      ingest(ws.db, { source: broken, table: 'churn' }),
      (e: CairnError) => e.code === 'SOURCE_ERROR',
    );
    assert.equal(await count('SELECT count(*) FROM churn'), rows);
    assert.equal(
      await count("SELECT count(*) FROM duckdb_tables() WHERE starts_with(table_name, '__cairn_stage')"),
      0,
    );
  });

  test('bad requests get typed errors naming the problem', async () => {
    await assert.rejects(
      ingest(ws.db, { source: CHURN_CSV, table: 'x-y' }),
      /table name 'x-y' is not allowed/,
    );
    await assert.rejects(
      ingest(ws.db, { source: CHURN_CSV, table: 'x', mode: 'upsert' }),
      /upsert needs the key/,
    );
    await assert.rejects(
      ingest(ws.db, { source: CHURN_CSV, table: 'x', mode: 'upsert', key: ['nope'] }),
      /upsert key column\(s\) 'nope' not found/,
    );
    await assert.rejects(ingest(ws.db, { source: '/no/such/file.csv', table: 'x' }), /does not exist/);
    await assert.rejects(
      ingest(ws.db, { source: CHURN_CSV, table: 'x', types: { tenure: 'INTEGR' } }),
      /type 'INTEGR'/,
    );
  });
});
