import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { silentLogger } from '../src/core/logger.js';
import { readFeatureView } from '../src/features/views/feature-view.js';
import { openPlatform, type Platform } from '../src/platform.js';
import { cliIdentity } from '../src/security/identity.js';
import { Keyring } from '../src/security/keyring.js';
import { buildServer } from '../src/server/app.js';
import { ingest } from '../src/warehouse/ingest/ingest.js';
import { asText } from '../src/warehouse/values.js';
import { caller, roleKeys } from './security-support.js';
import { DATA, tempDir } from './support.js';

// A Redis database of its own on loopback (started by .ci/run), so other suites' keys never meet ours.
const REDIS = 'redis://127.0.0.1:6379/5';
const SUBJECT = '17850';
const OTHER = '13047';
const VIEW = `buyer_txn_${process.pid}`;

const tmp = tempDir();
let platform: Platform;
let app: FastifyInstance;
let call: ReturnType<typeof caller>;
let admin: string;

/** Rows, per table and column, whose value is the subject or holds it as a whole token (JSON, text). */
async function warehouseTraces(subject: string): Promise<string[]> {
  const columns = await platform.db.rows(
    `SELECT schema_name, table_name, column_name FROM duckdb_columns()
     WHERE database_name = current_database() AND schema_name IN ('main', 'cairn') AND NOT internal
       AND table_name <> 'audit_log'`,
  );
  const found: string[] = [];
  for (const c of columns) {
    const where = `"${asText(c.schema_name)}"."${asText(c.table_name)}"`;
    const column = `CAST("${asText(c.column_name)}" AS VARCHAR)`;
    const [row] = await platform.db.rows(
      `SELECT count(*) AS n FROM ${where} WHERE regexp_matches(${column}, '(^|[^0-9])${subject}([^0-9]|$)')`,
    );
    if (Number(row.n) > 0) found.push(`${where}.${asText(c.column_name)}: ${Number(row.n)}`);
  }
  return found;
}

/** Contacts whose sealed customer id opens to the subject (SQL sees only ciphertext). */
async function sealedContacts(subject: string): Promise<number> {
  const keyring = Keyring.load(platform.home);
  const rows = await platform.db.rows('SELECT customer_id FROM contacts');
  return rows.filter((r) => keyring.decrypt(asText(r.customer_id)) === subject).length;
}

/** The subject's keys in Redis, read over a connection of the test's own. */
async function redisKeys(subject: string): Promise<string[]> {
  const redis = new Redis(REDIS);
  try {
    return (await redis.keys(`*:${subject}`)).filter((k) => k.includes(VIEW));
  } finally {
    redis.disconnect();
  }
}

async function score(userId: string, id: string) {
  const reply = await call('POST', '/v1/fraud/score', {
    key: admin,
    body: {
      transaction_id: id,
      user_id: userId,
      amount: 42.5,
      currency: 'GBP',
      merchant_id: 'm0001',
      merchant_category: 'grocery',
      device_id: `d-${userId}`,
      payment_method: 'card',
      timestamp: '2011-01-04T10:00:00.000Z',
      location: { lat: 51.5, lon: -0.12 },
    },
  });
  assert.equal(reply.status, 200, reply.text);
}

before(async () => {
  platform = await openPlatform({ home: path.join(tmp.dir, 'ws'), logger: silentLogger, onlineStore: REDIS });
  await ingest(platform.db, {
    source: path.join(DATA, 'online_retail_invoices.csv'),
    table: 'invoices',
    types: { customer_id: 'VARCHAR' },
  });
  // A column name GDPR search would not guess: found because a feature view names it its entity.
  await platform.db.run('CREATE TABLE purchases AS SELECT customer_id AS buyer, ts, amount FROM invoices');
  await platform.db.run('CREATE TABLE contacts AS SELECT DISTINCT customer_id, country FROM invoices');
  await platform.security.encrypt(cliIdentity(), 'contacts', 'customer_id');
  const spec = path.join(tmp.dir, 'view.yaml');
  writeFileSync(
    spec,
    `name: ${VIEW}\nentity: buyer\ntimestamp: ts\nsource: { table: purchases }\nfeatures:\n  - { name: spend, column: amount, agg: sum }\n  - { name: orders, agg: count }\n`,
  );
  await platform.features.apply(readFeatureView(spec));
  await platform.features.materialize(VIEW, new Date('2011-12-31T00:00:00Z'));
  app = await buildServer(platform, { logger: false });
  call = caller(await app.listen({ port: 0, host: '127.0.0.1' }));
  admin = (await roleKeys(platform)).admin;
  await score(SUBJECT, 'tx-subject-1');
  await score(OTHER, 'tx-other-1');
  for (let i = 0; i < 100; i++) {
    const [row] = await platform.db.rows('SELECT count(*) AS n FROM fraud_decisions').catch(() => [{ n: 0 }]);
    if (Number(row.n) === 2) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

after(async () => {
  await (await platform.features.online()).clear(VIEW);
  await app.close();
  platform.close();
  tmp.remove();
});

test('GDPR export gathers the subject from tables, sealed columns, feature tables, Redis and prediction logs', async () => {
  const exported = await call('GET', `/v1/subjects/${SUBJECT}`, { key: admin });
  assert.equal(exported.status, 200, exported.text);
  const found = exported.body.found as { schema: string; table: string; rows: Record<string, unknown>[] }[];
  const where = found.map((h) => `${h.schema}.${h.table}`).sort();
  for (const place of [
    'main.invoices',
    'main.purchases',
    'main.contacts',
    `main.features_${VIEW}`,
    'main.fraud_decisions',
    `online.${VIEW}`,
  ])
    assert.ok(where.includes(place), `export holds ${place} (${where.join(', ')})`);
  const contacts = found.find((h) => h.table === 'contacts');
  assert.deepEqual(
    contacts?.rows,
    [{ customer_id: SUBJECT, country: 'United Kingdom' }],
    'sealed values opened',
  );
  // The view's own online record (the fraud service also publishes this user's windows online).
  const online = found.find((h) => h.schema === 'online' && h.table === VIEW);
  assert.equal(online?.rows[0].entity, SUBJECT);
  assert.ok(Number(online?.rows[0].orders) > 0);
  const invoices = found.find((h) => h.table === 'invoices');
  const [count] = await platform.db.rows(
    `SELECT count(*) AS n FROM invoices WHERE customer_id = '${SUBJECT}'`,
  );
  assert.equal(invoices?.rows.length, Number(count.n));
});

test('GDPR erase leaves nothing anywhere (warehouse, sealed columns, feature store offline and Redis, prediction logs) and spares others', async () => {
  assert.ok((await warehouseTraces(SUBJECT)).length >= 5, 'the subject is present before');
  assert.equal(await sealedContacts(SUBJECT), 1);
  assert.equal((await redisKeys(SUBJECT)).length, 1);
  const before = { other: await warehouseTraces(OTHER), sealed: await sealedContacts(OTHER) };

  const erased = await call('DELETE', `/v1/subjects/${SUBJECT}`, { key: admin });
  assert.equal(erased.status, 200, erased.text);
  const removed = erased.body.removed as { schema: string; table: string }[];
  assert.ok(removed.some((r) => r.schema === 'online' && r.table === VIEW));
  assert.ok(removed.some((r) => r.table === 'contacts'));

  assert.deepEqual(await warehouseTraces(SUBJECT), [], 'no table, feature table or log holds the subject');
  assert.equal(await sealedContacts(SUBJECT), 0, 'sealed rows are found and erased');
  assert.deepEqual(await redisKeys(SUBJECT), [], 'Redis holds no record of the subject');
  const lookup = await call('GET', `/v1/features/${VIEW}/${SUBJECT}`, { key: admin });
  assert.equal(lookup.status, 404);
  const again = await call('GET', `/v1/subjects/${SUBJECT}`, { key: admin });
  assert.deepEqual(again.body.found, []);

  assert.deepEqual(await warehouseTraces(OTHER), before.other, 'another subject is untouched');
  assert.equal(await sealedContacts(OTHER), before.sealed);
  assert.equal((await redisKeys(OTHER)).length, 1);
  const log = await platform.security.audit.list({ action: 'subject:erase' });
  assert.equal(log.at(-1)?.object, SUBJECT, 'the erasure is in the audit log');
  assert.equal((await platform.security.audit.verify()).ok, true);
});
