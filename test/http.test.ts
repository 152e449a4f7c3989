import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../src/core/logger.js';
import { openPlatform, type Platform } from '../src/platform.js';
import { buildServer } from '../src/server/app.js';
import { exportTable } from '../src/warehouse/export.js';
import { ingest } from '../src/warehouse/ingest/ingest.js';
import { adminAuth, CHURN_CSV, tempDir } from './support.js';

const tmp = tempDir();
let platform: Platform;
let app: FastifyInstance;
let base: string;
let auth: Record<string, string>;

before(async () => {
  platform = await openPlatform({ home: path.join(tmp.dir, 'ws'), logger: silentLogger });
  await ingest(platform.db, { source: CHURN_CSV, table: 'churn' });
  app = await buildServer(platform, { maxUploadBytes: 5_000_000, logger: false });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  auth = await adminAuth(platform);
});

after(async () => {
  await app.close();
  platform.close();
  tmp.remove();
});

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { ...auth, ...headers } };
  if (body instanceof Uint8Array || typeof body === 'string') init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const response = await fetch(`${base}${url}`, init);
  const text = await response.text();
  return {
    status: response.status,
    body: JSON.parse(text) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

describe('HTTP API', () => {
  test('GET /health', async () => {
    const { status, body } = await call('GET', '/health');
    assert.equal(status, 200);
    assert.equal(body.status, 'ok');
  });

  test('GET /v1/tables and /v1/tables/:name', async () => {
    assert.deepEqual((await call('GET', '/v1/tables')).body, { tables: [{ name: 'churn', rows: 7043 }] });
    const { status, body } = await call('GET', '/v1/tables/churn?sample=3');
    assert.equal(status, 200);
    assert.equal(body.rows, 7043);
    assert.equal((body.columns as unknown[]).length, 21);
    assert.equal((body.sample as { customerID: string }[])[0].customerID, '7590-VHVEG');
    assert.equal((await call('GET', '/v1/tables/nope')).status, 404);
    assert.equal((await call('GET', '/v1/tables/churn?sample=-1')).status, 400);
  });

  test('POST /v1/query returns rows, respects limit and refuses writes', async () => {
    const { status, body } = await call('POST', '/v1/query', {
      sql: 'SELECT customerID, tenure FROM churn WHERE tenure > $1 ORDER BY customerID',
      params: [70],
      limit: 5,
    });
    assert.equal(status, 200);
    assert.deepEqual(body.columns, ['customerID', 'tenure']);
    assert.equal((body.rows as unknown[]).length, 5);
    assert.equal(body.truncated, true);
    const refused = await call('POST', '/v1/query', { sql: 'DROP TABLE churn' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error?.code, 'READ_ONLY');
  });

  test('user mistakes get a 4xx with a code and message, never a stack trace', async () => {
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/v1/query', { sql: 'SELEC 1' }, 400, 'SQL_ERROR'],
      ['POST', '/v1/query', { sql: 'SELECT * FROM missing_table' }, 400, 'SQL_ERROR'],
      ['POST', '/v1/query', { limit: 5 }, 400, 'INVALID_ARGUMENT'],
      ['POST', '/v1/query', { sql: 'SELECT 1', limit: 'lots' }, 400, 'INVALID_ARGUMENT'],
      ['POST', '/v1/query', '{"sql": ', 400, 'FST_ERR_CTP_INVALID_JSON_BODY'],
      ['GET', '/v1/nowhere', undefined, 404, 'NOT_FOUND'],
    ];
    for (const [method, url, body, status, code] of cases) {
      const headers: Record<string, string> =
        typeof body === 'string' ? { 'content-type': 'application/json' } : {};
      const response = await call(method, url, body, headers);
      assert.equal(response.status, status, `${method} ${url} ${JSON.stringify(body)}`);
      assert.equal(response.body.error?.code, code);
      assert.ok(response.body.error?.message, 'a message a person can act on');
      assert.doesNotMatch(JSON.stringify(response.body), /at .*\.ts:\d+/, 'no stack trace');
    }
  });

  test('POST /v1/tables/:name/ingest takes CSV, gzip CSV, NDJSON and Parquet bodies', async () => {
    const csv = readFileSync(CHURN_CSV);
    const plain = await call('POST', '/v1/tables/up_csv/ingest', csv, { 'content-type': 'text/csv' });
    assert.equal(plain.status, 200, JSON.stringify(plain.body));
    assert.deepEqual([plain.body.read, plain.body.accepted, plain.body.quarantined], [7043, 7043, 0]);
    const gz = await call('POST', '/v1/tables/up_gz/ingest?format=csv', gzipSync(csv), {
      'content-type': 'application/octet-stream',
    });
    assert.equal(gz.body.accepted, 7043);
    for (const [ext, type] of [
      ['ndjson', 'application/x-ndjson'],
      ['parquet', 'application/vnd.apache.parquet'],
    ] as const) {
      const file = path.join(tmp.dir, `churn.${ext}`);
      await exportTable(platform.db, 'churn', file);
      const response = await call('POST', `/v1/tables/up_${ext}/ingest`, readFileSync(file), {
        'content-type': type,
      });
      assert.equal(response.body.accepted, 7043, ext);
    }
    const appended = await call('POST', '/v1/tables/up_csv/ingest?mode=append', csv, {
      'content-type': 'text/csv',
    });
    assert.equal(appended.body.accepted, 7043);
    assert.deepEqual((await call('GET', '/v1/tables/up_csv?sample=0')).body.rows, 14086);
  });

  test('ingest refuses what it cannot take, with 4xx', async () => {
    const csv = readFileSync(CHURN_CSV);
    const untyped = await call('POST', '/v1/tables/t/ingest', csv, {
      'content-type': 'application/octet-stream',
    });
    assert.equal(untyped.status, 415);
    const badName = await call('POST', '/v1/tables/bad%20name/ingest', csv, { 'content-type': 'text/csv' });
    assert.equal(badName.status, 400);
    assert.equal(badName.body.error?.code, 'INVALID_NAME');
    const tooBig = await call('POST', '/v1/tables/big/ingest', Buffer.alloc(6_000_000, 97), {
      'content-type': 'text/csv',
    });
    assert.equal(tooBig.status, 413);
    const chunked = await fetch(`${base}/v1/tables/big/ingest`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: new Blob([Buffer.alloc(6_000_000, 97)]).stream(),
      duplex: 'half',
    });
    assert.equal(chunked.status, 413, 'a chunked body without a length is refused once past the limit');
    const empty = await call('POST', '/v1/tables/empty/ingest', '', { 'content-type': 'text/csv' });
    assert.equal(empty.status, 400);
    const badMode = await call('POST', '/v1/tables/t/ingest?mode=merge', csv, { 'content-type': 'text/csv' });
    assert.equal(badMode.status, 400);
    assert.deepEqual(
      (await call('GET', '/v1/tables')).body.tables,
      (await call('GET', '/v1/tables')).body.tables,
    );
  });

  test('/openapi.json documents every route with its schema', async () => {
    const { status, body } = await call('GET', '/openapi.json');
    assert.equal(status, 200);
    const paths = body.paths as Record<string, Record<string, unknown>>;
    for (const [route, method] of [
      ['/health', 'get'],
      ['/v1/tables', 'get'],
      ['/v1/tables/{name}', 'get'],
      ['/v1/tables/{name}/ingest', 'post'],
      ['/v1/query', 'post'],
    ]) {
      assert.ok(paths[route]?.[method], `${method} ${route} is in the OpenAPI document`);
    }
    const query = paths['/v1/query'].post as {
      requestBody: { content: Record<string, { schema: { required: string[] } }> };
    };
    assert.deepEqual(query.requestBody.content['application/json'].schema.required, ['sql']);
  });
});
