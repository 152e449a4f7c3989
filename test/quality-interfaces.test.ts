import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../src/core/logger.js';
import { openPlatform, type Platform } from '../src/platform.js';
import { buildServer } from '../src/server/app.js';
import { ingest } from '../src/warehouse/ingest/ingest.js';
import { adminAuth, CHURN_CSV, ROOT, tempDir } from './support.js';

const run = promisify(execFile);
const CAIRN = path.join(ROOT, 'bin', 'cairn.js');

async function cairn(home: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CAIRN, '--home', home, ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('quality on the command line', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'ws');
  after(() => tmp.remove());
  before(async () => {
    assert.equal((await cairn(home, 'ingest', CHURN_CSV, '--table', 'customers', '--json')).code, 0);
  });

  test('cairn check --json prints the contract, one result per rule in file order, exit 3 on failure', async () => {
    const rules = path.join(tmp.dir, 'rules.yaml');
    writeFileSync(
      rules,
      [
        'table: customers',
        'rules:',
        '  - { check: not_null, column: TotalCharges, severity: error }',
        '  - { check: range, column: tenure, min: 0, max: 120 }',
        '  - { check: unique, columns: [customerID] }',
        "  - { check: in_set, column: Contract, values: ['Month-to-month', 'One year'] }",
        "  - { check: regex, column: customerID, pattern: '^[0-9]{4}-[A-Z]{5}$' }",
        '  - { check: sql, name: total_covers_month, predicate: "TotalCharges >= MonthlyCharges" }',
      ].join('\n'),
    );
    const result = await cairn(home, 'check', 'customers', '--rules', rules, '--json');
    assert.equal(result.code, 3, result.stderr);
    const body = JSON.parse(result.stdout) as {
      table: string;
      passed: boolean;
      results: Record<string, unknown>[];
    };
    assert.deepEqual(Object.keys(body).slice(0, 3), ['table', 'passed', 'results']);
    assert.equal(body.passed, false);
    assert.deepEqual(
      body.results.map((r) => [
        r.check,
        r.column ?? r.columns,
        r.severity,
        r.passed,
        r.failing,
        (r.sample as unknown[]).length,
      ]),
      [
        ['not_null', 'TotalCharges', 'error', false, 11, 5],
        ['range', 'tenure', 'error', true, 0, 0],
        ['unique', ['customerID'], 'error', true, 0, 0],
        ['in_set', 'Contract', 'error', false, 1695, 5],
        ['regex', 'customerID', 'error', true, 0, 0],
        ['sql', undefined, 'error', true, 0, 0],
      ],
    );
  });

  test('cairn profile --json, rules suggest/save/show, dedup and report', async () => {
    const profile = JSON.parse((await cairn(home, 'profile', 'customers', '--json')).stdout) as {
      table: string;
      rows: number;
      columns: {
        name: string;
        type: string;
        nulls: number;
        null_rate: number;
        distinct: number;
        mean: number | null;
      }[];
    };
    assert.deepEqual(Object.keys(profile).slice(0, 1), ['id']);
    assert.equal(profile.rows, 7043);
    const total = profile.columns.find((c) => c.name === 'TotalCharges');
    assert.deepEqual([total?.type, total?.nulls, total?.distinct], ['DOUBLE', 11, 6530]);
    for (const key of ['name', 'type', 'nulls', 'null_rate', 'distinct', 'min', 'max', 'mean'])
      assert.ok(key in (total ?? {}));

    const compared = JSON.parse(
      (await cairn(home, 'profile', 'customers', '--compare', '--json')).stdout,
    ) as {
      before: { rows: number };
      columns: { name: string; status: string; top_psi: number | null }[];
    };
    assert.equal(compared.before.rows, 7043);
    assert.ok(compared.columns.every((c) => c.status === 'same type'));
    assert.equal(compared.columns.find((c) => c.name === 'Contract')?.top_psi, 0);

    const suggested = path.join(tmp.dir, 'suggested.yaml');
    assert.equal((await cairn(home, 'rules', 'suggest', 'customers', '--out', suggested)).code, 0);
    assert.match(readFileSync(suggested, 'utf8'), /check: unique/);
    const saved = await cairn(
      home,
      'rules',
      'save',
      'customers',
      suggested,
      '--on-ingest',
      'block',
      '--schedule',
      '0 6 * * *',
      '--json',
    );
    assert.equal(saved.code, 0, saved.stderr);
    const stored = JSON.parse(saved.stdout) as { policy: string; schedule: string; next_run: string };
    assert.deepEqual([stored.policy, stored.schedule], ['block', '0 6 * * *']);
    assert.match(stored.next_run, /T06:00:00/);
    assert.equal((await cairn(home, 'check', 'customers', '--json')).code, 0);

    const dedup = JSON.parse(
      (
        await cairn(
          home,
          'dedup',
          'customers',
          '--key',
          'gender,Contract',
          '--out',
          'one_per_segment',
          '--json',
        )
      ).stdout,
    ) as {
      clusters: number;
      duplicates: number;
      output: { rows: number };
    };
    assert.deepEqual([dedup.clusters, dedup.duplicates, dedup.output.rows], [6, 7037, 6]);

    const html = path.join(tmp.dir, 'report.html');
    assert.equal((await cairn(home, 'report', 'customers', '--out', html)).code, 0);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<svg/);
    assert.doesNotMatch(page, /<script|https?:\/\/(?!www\.w3)/);

    const bad = await cairn(
      home,
      'check',
      'customers',
      '--rules',
      suggested.replace('.yaml', '.missing'),
      '--json',
    );
    assert.equal(bad.code, 1);
    assert.equal((JSON.parse(bad.stderr) as { error: { code: string } }).error.code, 'INVALID_ARGUMENT');
  });
});

describe('quality over HTTP', () => {
  const tmp = tempDir();
  let platform: Platform;
  let app: FastifyInstance;
  let base: string;
  let auth: Record<string, string>;
  before(async () => {
    platform = await openPlatform({ home: path.join(tmp.dir, 'ws'), logger: silentLogger });
    await ingest(platform.db, { source: CHURN_CSV, table: 'churn' });
    app = await buildServer(platform, { logger: false });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    auth = await adminAuth(platform);
  });
  after(async () => {
    await app.close();
    platform.close();
    tmp.remove();
  });

  interface Body {
    rows: number;
    columns: { name: string; top: unknown[] }[];
    profiles: unknown[];
    results: { failing: number; passed: boolean }[];
    policy: string;
    passed: boolean;
    runs: unknown[];
    rules: unknown[];
    clusters: number;
    sample: { size: number }[];
    removed: boolean;
    text: string;
    error: { code: string; message: string };
    paths: Record<string, unknown>;
  }
  /** A response, read loosely: each test asserts the fields it relies on. */
  async function call(method: string, url: string, body?: unknown) {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      type,
      body: (type.includes('json') ? JSON.parse(text) : { text }) as Body,
    };
  }

  test('profile, check with inline rules, saved rules, history, suggest, dedup and report', async () => {
    const profile = await call('GET', '/v1/tables/churn/profile');
    assert.equal(profile.status, 200);
    assert.equal(profile.body.rows, 7043);
    assert.equal(profile.body.columns.find((c) => c.name === 'gender')?.top.length, 2);
    assert.equal((await call('GET', '/v1/tables/churn/profiles')).body.profiles.length, 1);
    const compare = await call('GET', '/v1/tables/churn/profile/compare');
    assert.deepEqual([compare.status, compare.body.columns.length], [200, 21]);

    const check = await call('POST', '/v1/tables/churn/check', {
      rules: [
        { check: 'not_null', column: 'TotalCharges' },
        { check: 'row_count', min: 7043, max: 7043 },
      ],
    });
    assert.equal(check.status, 200);
    assert.deepEqual(
      check.body.results.map((r) => [r.failing, r.passed]),
      [
        [11, false],
        [0, true],
      ],
    );

    const put = await call('PUT', '/v1/tables/churn/rules', {
      on_ingest: 'quarantine',
      rules: [{ check: 'unique', column: 'customerID' }],
    });
    assert.equal(put.status, 200);
    assert.equal((await call('GET', '/v1/tables/churn/rules')).body.policy, 'quarantine');
    assert.equal((await call('POST', '/v1/tables/churn/check')).body.passed, true);
    assert.equal((await call('GET', '/v1/tables/churn/checks')).body.runs.length, 2);
    assert.ok((await call('GET', '/v1/tables/churn/rules/suggest')).body.rules.length > 10);

    const dedup = await call('POST', '/v1/tables/churn/dedup', { key: ['Contract'], limit: 1 });
    assert.deepEqual([dedup.status, dedup.body.clusters, dedup.body.sample[0].size], [200, 3, 3875]);

    const report = await call('GET', '/v1/tables/churn/report');
    assert.equal(report.status, 200);
    assert.match(report.type, /text\/html/);
    assert.match(report.body.text, /Data quality: churn/);
    assert.equal((await call('DELETE', '/v1/tables/churn/rules')).body.removed, true);
  });

  test('bad requests get 4xx with a message, and every route is in the OpenAPI document', async () => {
    const unknown = await call('POST', '/v1/tables/churn/check', {
      rules: [{ check: 'range', column: 'tenure' }],
    });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /range needs min, max or both/);
    const column = await call('POST', '/v1/tables/churn/check', {
      rules: [{ check: 'not_null', column: 'nope' }],
    });
    assert.deepEqual([column.status, column.body.error.code], [400, 'INVALID_ARGUMENT']);
    assert.equal((await call('GET', '/v1/tables/missing/profile')).status, 404);
    assert.equal((await call('GET', '/v1/tables/churn/rules')).status, 404);
    const openapi = await call('GET', '/openapi.json');
    for (const route of [
      '/v1/tables/{name}/profile',
      '/v1/tables/{name}/check',
      '/v1/tables/{name}/rules',
      '/v1/tables/{name}/dedup',
      '/v1/tables/{name}/report',
      '/v1/quality/run-due',
    ]) {
      assert.ok(route in openapi.body.paths, route);
    }
  });
});
