import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CHURN_CSV, ROOT, tempDir } from './support.js';

const run = promisify(execFile);
const CAIRN = path.join(ROOT, 'bin', 'cairn.js');

interface ErrorDocument {
  error: { code: string; message: string };
}

const errorOf = (stderr: string) => (JSON.parse(stderr) as ErrorDocument).error;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function cairn(home: string, ...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CAIRN, '--home', home, ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs a command that promises exactly one JSON document on stdout and returns it. */
async function cairnJson<T = Record<string, unknown>>(home: string, ...args: string[]): Promise<T> {
  const result = await cairn(home, ...args, '--json');
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

describe('the cairn binary', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'ws');
  after(() => tmp.remove());

  before(async () => {
    const report = await cairnJson(home, 'ingest', CHURN_CSV, '--table', 'churn');
    assert.deepEqual(
      { table: report.table, read: report.read, accepted: report.accepted, quarantined: report.quarantined },
      { table: 'churn', read: 7043, accepted: 7043, quarantined: 0 },
    );
  });

  test('creates the workspace with one DuckDB file and an artifacts folder', () => {
    assert.ok(existsSync(path.join(home, 'warehouse.duckdb')));
    assert.ok(existsSync(path.join(home, 'artifacts')));
  });

  test('tables, schema and query print the promised JSON', async () => {
    assert.deepEqual(await cairnJson(home, 'tables'), { tables: [{ name: 'churn', rows: 7043 }] });
    const schema = await cairnJson<{ rows: number; columns: { name: string; type: string }[] }>(
      home,
      'schema',
      'churn',
    );
    assert.equal(schema.rows, 7043);
    assert.equal(schema.columns.find((c) => c.name === 'MonthlyCharges')?.type, 'DOUBLE');
    const query = await cairnJson<{ columns: string[]; rows: Record<string, unknown>[] }>(
      home,
      'query',
      'SELECT Contract, count(*) AS n FROM churn GROUP BY Contract ORDER BY n DESC',
    );
    assert.deepEqual(query.columns, ['Contract', 'n']);
    assert.deepEqual(query.rows, [
      { Contract: 'Month-to-month', n: 3875 },
      { Contract: 'Two year', n: 1695 },
      { Contract: 'One year', n: 1473 },
    ]);
  });

  test('query prints a table on a terminal and CSV on request', async () => {
    const table = await cairn(home, 'query', 'SELECT gender, count(*) AS n FROM churn GROUP BY 1 ORDER BY 1');
    assert.equal(table.code, 0);
    assert.match(table.stdout, /Female\s+3488/);
    assert.match(table.stdout, /2 rows/);
    const csv = await cairn(
      home,
      'query',
      'SELECT gender, count(*) AS n FROM churn GROUP BY 1 ORDER BY 1',
      '--format',
      'csv',
    );
    assert.equal(csv.stdout, 'gender,n\nFemale,3488\nMale,3555\n');
  });

  test('queries are read-only unless --write', async () => {
    const refused = await cairn(home, 'query', 'DELETE FROM churn', '--json');
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.equal(errorOf(refused.stderr).code, 'READ_ONLY');
    const allowed = await cairn(
      home,
      'query',
      'CREATE TABLE seniors AS SELECT * FROM churn WHERE SeniorCitizen = 1',
      '--write',
    );
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(
      (await cairnJson<{ rows: { n: number }[] }>(home, 'query', 'SELECT count(*) AS n FROM seniors')).rows[0]
        .n,
      1142,
    );
  });

  test('export writes each format and the file ingests back', async () => {
    for (const ext of ['csv', 'json', 'ndjson', 'parquet', 'csv.gz']) {
      const file = path.join(tmp.dir, `churn.${ext}`);
      const exported = await cairnJson(home, 'export', 'churn', '--to', file);
      assert.equal(exported.rows, 7043);
      const back = await cairnJson(home, 'ingest', file, '--table', 'back');
      assert.equal(back.accepted, 7043, ext);
    }
  });

  test('errors go to stderr with a non-zero exit and a code', async () => {
    const missing = await cairn(home, 'schema', 'nope');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /\[NOT_FOUND\] table 'nope' does not exist/);
    const badSql = await cairn(home, 'query', 'SELEC 1', '--json');
    assert.equal(errorOf(badSql.stderr).code, 'SQL_ERROR');
    const badFile = await cairn(home, 'ingest', '/no/such.csv', '--table', 't', '--json');
    assert.equal(errorOf(badFile.stderr).code, 'SOURCE_ERROR');
    const usage = await cairn(home, 'ingest', CHURN_CSV);
    assert.notEqual(usage.code, 0);
    assert.match(usage.stderr, /--table/);
  });

  test('a second process gets a clear error while the workspace is held', async () => {
    const server = spawn(process.execPath, [CAIRN, '--home', home, 'serve', '--port', '0', '--json'], {
      cwd: ROOT,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout.once('data', () => resolve());
        server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      });
      const locked = await cairn(home, 'tables', '--json');
      assert.equal(locked.code, 1);
      const error = errorOf(locked.stderr);
      assert.equal(error.code, 'WORKSPACE_LOCKED');
      assert.match(error.message, /in use by another process \(pid \d+\)/);
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
    assert.equal(
      (await cairn(home, 'tables', '--json')).code,
      0,
      'the workspace is usable again after the server stops',
    );
  });
});
