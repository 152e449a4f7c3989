import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { jetstreamManager, jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Kafka, logLevel } from 'kafkajs';
import mqtt from 'mqtt';
import { MemoryOnlineStore } from '../src/features/online/memory-store.js';
import { RedisOnlineStore } from '../src/features/online/redis-store.js';
import { onlineStoreContract } from '../src/features/online/online-store-contract.js';
import type { CairnError } from '../src/core/errors.js';
import { openSource } from '../src/streams/open-source.js';
import { StreamPipeline } from '../src/streams/pipeline.js';
import { HttpSource } from '../src/streams/sources/http-source.js';
import { toStreamSpec } from '../src/streams/stream-spec.js';
import {
  expectFeatures,
  expectStored,
  streamSourceContract,
  transactions,
  txnSpec,
} from './stream-source-contract.js';
import { tempPlatform } from './support.js';

// Real brokers on loopback, started by .ci/run: Redis 6379, Mosquitto 1883, NATS JetStream 4222.
onlineStoreContract('redis', () =>
  RedisOnlineStore.open('redis://127.0.0.1:6379/0', `cairn:test:${process.pid}:`),
);

streamSourceContract(
  'nats',
  async (run) => {
    const subject = `cairn.test.${run}.txn`;
    const stream = `CAIRN_TEST_${run}`;
    const nc = await connect({ servers: '127.0.0.1:4222' });
    const manager = await jetstreamManager(nc);
    await manager.streams.add({ name: stream, subjects: [subject] });
    const js = jetstream(nc);
    return {
      source: {
        type: 'nats',
        servers: '127.0.0.1:4222',
        stream,
        subject,
        durable: `cairn_${run}`,
        ackWait: '1s',
      },
      publish: async (payloads) => {
        for (const p of payloads) await js.publish(subject, p);
      },
      dispose: async () => {
        await manager.streams.delete(stream).catch(() => undefined);
        await nc.close();
      },
    };
  },
  { redeliveryWaitMs: 1000 },
);

streamSourceContract('mqtt', async (run) => {
  const url = 'mqtt://127.0.0.1:1883';
  const topic = `cairn/test/${run}/txn`;
  const clientId = `cairn-test-${run}`;
  // MQTT keeps nothing for a subscription that does not exist yet: open the persistent session first.
  const session = await mqtt.connectAsync(url, {
    clientId,
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 3600 },
  });
  await session.subscribeAsync(topic, { qos: 1 });
  await session.endAsync();
  const publisher = await mqtt.connectAsync(url);
  return {
    source: { type: 'mqtt', url, topic, clientId },
    publish: async (payloads) => {
      await Promise.all(payloads.map((p) => publisher.publishAsync(topic, p, { qos: 1 })));
    },
    dispose: async () => {
      // A clean session of the same id removes the persistent session from the broker.
      const cleanup = await mqtt.connectAsync(url, { clientId, clean: true, protocolVersion: 5 });
      await cleanup.endAsync();
      await publisher.endAsync();
    },
  };
});

// No Kafka broker runs on these machines (none in Debian or npm): the suite runs where one is given.
const kafkaBrokers = process.env.KAFKA_BROKERS?.split(',').filter(Boolean) ?? [];
streamSourceContract(
  'kafka',
  async (run) => {
    const kafka = new Kafka({ clientId: 'cairn-test', brokers: kafkaBrokers, logLevel: logLevel.ERROR });
    const topic = `cairn-test-${run}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    return {
      source: { type: 'kafka', brokers: kafkaBrokers, topic, groupId: `cairn-test-${run}` },
      publish: async (payloads) => {
        // One key for all keeps the order the contract publishes in (one partition).
        await producer.send({ topic, acks: -1, messages: payloads.map((value) => ({ key: 'k', value })) });
      },
      dispose: async () => {
        await producer.disconnect();
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
        await admin.disconnect();
      },
    };
  },
  { skip: kafkaBrokers.length === 0 && 'KAFKA_BROKERS is not set (no Kafka broker on this machine)' },
);

test(
  'Kafka: a broker that cannot be reached gives SOURCE_ERROR naming the group and brokers',
  { skip: kafkaBrokers.length > 0 && 'a Kafka broker is given: the contract above runs instead' },
  async () => {
    const source = openSource(
      { type: 'kafka', brokers: ['127.0.0.1:9'], topic: 'txn', groupId: 'cairn-test' },
      'unreachable',
    );
    await assert.rejects(
      source.start(() => undefined),
      (error: CairnError) =>
        error.code === 'SOURCE_ERROR' &&
        /cannot join Kafka group cairn-test on 127\.0\.0\.1:9: .*ECONNREFUSED/.test(error.message),
    );
  },
);

const RUN = `${process.pid}_${Date.now()}`;
let platform: Awaited<ReturnType<typeof tempPlatform>>;
before(async () => {
  platform = await tempPlatform();
});
after(() => platform.dispose());

test('HTTP POST: a JSON array or NDJSON body is answered 202 once stored; repeats are idempotent', async () => {
  const s = txnSpec({ type: 'http', port: 0 }, `http_${RUN}`);
  const source = new HttpSource({ port: 0 });
  const store = new MemoryOnlineStore();
  const pipeline = new StreamPipeline(s, { db: platform.db, online: store, source });
  await pipeline.start();
  try {
    const txns = transactions(60, 3000);
    const url = `http://127.0.0.1:${source.port}/events`;
    const response = await fetch(url, {
      method: 'POST',
      body: JSON.stringify([...txns, { event_id: 'bad', user_id: 'u', ts: '2011-01-01', amount: 'abc' }]),
    });
    assert.equal(response.status, 202);
    assert.deepEqual(await response.json(), { accepted: 61 });
    const again = await fetch(url, {
      method: 'POST',
      body: txns
        .slice(0, 10)
        .map((t) => JSON.stringify(t))
        .join('\n'),
    });
    assert.equal(again.status, 202);
    assert.equal(pipeline.stats.stored, 60);
    assert.equal(pipeline.stats.duplicates, 10);
    const [dead] = await platform.db.rows(`SELECT reason FROM ${s.table}_dead_letter`);
    assert.equal(dead.reason, `field 'amount' is "abc"; expected a number`);
    await expectStored(platform.db, s.table, txns);
    await expectFeatures(platform.db, store, s);
    assert.equal((await fetch(`http://127.0.0.1:${source.port}/other`, { method: 'POST' })).status, 404);
  } finally {
    await pipeline.close();
  }
});

test('a restarted pipeline rebuilds its windows from the table before consuming', async () => {
  const s = txnSpec({ type: 'http', port: 0 }, `http_${RUN}`);
  const store = new MemoryOnlineStore();
  const pipeline = new StreamPipeline(s, {
    db: platform.db,
    online: store,
    source: new HttpSource({ port: 0 }),
  });
  await pipeline.start();
  await pipeline.close();
  await expectFeatures(platform.db, store, s);
});

test('a value the column type cannot hold dead-letters its event, not the batch', async () => {
  const s = toStreamSpec({
    name: `typed_${RUN}`,
    source: { type: 'http', port: 0 },
    table: `typed_${RUN}`,
    id: 'event_id',
    entity: 'user_id',
    timestamp: 'ts',
    schema: { qty: 'INTEGER', day: 'DATE', price: 'DECIMAL(6,2)' },
  });
  const source = new HttpSource({ port: 0 });
  const pipeline = new StreamPipeline(s, { db: platform.db, online: new MemoryOnlineStore(), source });
  await pipeline.start();
  try {
    const event = (id: string, extra: object) => ({
      event_id: id,
      user_id: 'u1',
      ts: '2011-01-04T10:00:00Z',
      ...extra,
    });
    const response = await fetch(`http://127.0.0.1:${source.port}/events`, {
      method: 'POST',
      body: JSON.stringify([
        event('ok1', { qty: 3, day: '2011-01-04', price: 12.5 }),
        event('big', { qty: 1e12, day: '2011-01-04', price: 1 }),
        event('baddate', { qty: 1, day: 'the fourth', price: 1 }),
        event('ok2', { qty: null, day: null, price: 9999.99 }),
        event('wide', { qty: 1, day: '2011-01-04', price: 123456.7 }),
      ]),
    });
    assert.equal(response.status, 202);
    assert.deepEqual(pipeline.stats, {
      received: 5,
      stored: 2,
      duplicates: 0,
      deadLettered: 3,
      late: 0,
      batches: 1,
    });
    const stored = await platform.db.rows(
      `SELECT event_id, qty, CAST(day AS VARCHAR) AS day FROM ${s.table} ORDER BY event_id`,
    );
    assert.deepEqual(stored, [
      { event_id: 'ok1', qty: 3, day: '2011-01-04' },
      { event_id: 'ok2', qty: null, day: null },
    ]);
    const dead = await platform.db.rows(`SELECT reason FROM ${s.table}_dead_letter ORDER BY reason`);
    assert.deepEqual(
      dead.map((d) => d.reason),
      [
        `field 'day' is "the fourth"; the table's column is DATE and cannot hold it`,
        `field 'price' is 123456.7; the table's column is DECIMAL(6,2) and cannot hold it`,
        `field 'qty' is 1000000000000; the table's column is INTEGER and cannot hold it`,
      ],
    );
  } finally {
    await pipeline.close();
  }
});
