import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/server/app.js';
import { adminAuth, DATA, ROOT, tempDir, tempPlatform } from './support.js';

const run = promisify(execFile);
const CAIRN = path.join(ROOT, 'bin', 'cairn.js');

const VIEW = `name: user_txn
entity: customer_id
timestamp: ts
source: { table: invoices }
ttl: 90d
features:
  - { name: amount_sum_7d, column: amount, agg: sum, window: 7d }
  - { name: txn_count_30d, agg: count, window: 30d }
  - { name: last_amount, column: amount, agg: last }
`;

test('cairn features apply | list | training-set | materialize | get, all with --json', async () => {
  const { dir, remove } = tempDir();
  try {
    const home = path.join(dir, 'ws');
    const cairn = async (...args: string[]) =>
      JSON.parse((await run(process.execPath, [CAIRN, '--home', home, ...args, '--json'])).stdout) as Record<
        string,
        unknown
      >;
    await cairn(
      'ingest',
      path.join(DATA, 'online_retail_invoices.csv'),
      '--table',
      'invoices',
      '--types',
      'customer_id=VARCHAR',
    );
    writeFileSync(path.join(dir, 'view.yaml'), VIEW);
    assert.deepEqual(await cairn('features', 'apply', path.join(dir, 'view.yaml')), {
      name: 'user_txn',
      replaced: false,
      features: ['amount_sum_7d', 'txn_count_30d', 'last_amount'],
    });
    const list = (await cairn('features', 'list')) as { views: { name: string }[] };
    assert.deepEqual(
      list.views.map((v) => v.name),
      ['user_txn'],
    );
    writeFileSync(
      path.join(dir, 'labels.csv'),
      'customer_id,ts,label\n17850,2010-12-01 08:30:00,1\n17850,2010-12-01 08:00:00,0\nnobody,2011-01-01 00:00:00,0\n',
    );
    const out = path.join(dir, 'train.csv');
    const report = await cairn(
      'features',
      'training-set',
      '--view',
      'user_txn',
      '--labels',
      path.join(dir, 'labels.csv'),
      '--out',
      out,
    );
    assert.equal(report.rows, 3);
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'customer_id,ts,label,amount_sum_7d,txn_count_30d,last_amount');
    assert.equal(lines[1], '17850,2010-12-01 08:30:00,1,51.78,2,11.1');
    assert.equal(lines[2], '17850,2010-12-01 08:00:00,0,0.0,0,');
    assert.equal(lines[3], 'nobody,2011-01-01 00:00:00,0,0.0,0,');
    const materialized = await cairn(
      'features',
      'materialize',
      'user_txn',
      '--as-of',
      '2011-12-10T00:00:00Z',
    );
    assert.equal(materialized.table, 'features_user_txn');
    await assert.rejects(
      run(process.execPath, [
        CAIRN,
        '--home',
        home,
        'features',
        'apply',
        path.join(dir, 'labels.csv'),
        '--json',
      ]),
      (error: { stderr: string }) => /INVALID_ARGUMENT/.test(error.stderr),
    );
  } finally {
    remove();
  }
});

let platform: Awaited<ReturnType<typeof tempPlatform>>;
let app: FastifyInstance;
let headers: Record<string, string>;
before(async () => {
  platform = await tempPlatform();
  const { ingest } = await import('../src/warehouse/ingest/ingest.js');
  const { toFeatureView } = await import('../src/features/views/feature-view.js');
  const { parse } = await import('yaml');
  await ingest(platform.db, {
    source: path.join(DATA, 'online_retail_invoices.csv'),
    table: 'invoices',
    types: { customer_id: 'VARCHAR' },
  });
  await platform.features.apply(toFeatureView(parse(VIEW)));
  await platform.features.materialize('user_txn', new Date('2010-12-01T08:30:00Z'));
  app = await buildServer(platform, { logger: false });
  headers = await adminAuth(platform);
});
after(async () => {
  await app.close();
  platform.dispose();
});

test('GET /v1/features/:view/:entity and the batch lookup serve the online store', async () => {
  const one = await app.inject({ headers, method: 'GET', url: '/v1/features/user_txn/17850' });
  assert.equal(one.statusCode, 200);
  assert.deepEqual(one.json(), {
    view: 'user_txn',
    entity: '17850',
    features: { amount_sum_7d: 51.78, txn_count_30d: 2, last_amount: 11.1 },
  });
  const missing = await app.inject({ headers, method: 'GET', url: '/v1/features/user_txn/nobody' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json<{ error: { code: string } }>().error.code, 'NOT_FOUND');
  const batch = await app.inject({
    headers,
    method: 'POST',
    url: '/v1/features/user_txn/lookup',
    payload: { entities: ['17850', 'nobody'] },
  });
  assert.equal(batch.statusCode, 200);
  assert.deepEqual(batch.json<{ results: unknown[] }>().results[1], { entity: 'nobody', features: null });
  const bad = await app.inject({
    headers,
    method: 'POST',
    url: '/v1/features/user_txn/lookup',
    payload: { entities: [] },
  });
  assert.equal(bad.statusCode, 400);
  const spec = (await app.inject({ headers, method: 'GET', url: '/openapi.json' })).json<{
    paths: Record<string, unknown>;
  }>();
  for (const route of [
    '/v1/features',
    '/v1/features/{view}/{entity}',
    '/v1/features/{view}/lookup',
    '/v1/features/{view}/materialize',
  ])
    assert.ok(spec.paths[route], `${route} is in the OpenAPI document`);
});
