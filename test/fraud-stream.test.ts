import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import mqtt from 'mqtt';
import { silentLogger } from '../src/core/logger.js';
import { openPlatform, type Platform } from '../src/platform.js';
import type { FraudResult } from '../src/solutions/fraud/scorer.js';
import { FraudService } from '../src/solutions/fraud/service.js';
import { simulateTransactions } from '../src/solutions/fraud/simulator.js';
import { FraudStreamConsumer, FRAUD_DEAD_LETTER_TABLE } from '../src/solutions/fraud/stream-consumer.js';
import {
  fraudStreamEndpoints,
  openFraudSink,
  openFraudSource,
  type FraudStreamEndpoints,
} from '../src/solutions/fraud/stream-endpoints.js';
import { trainFraud } from '../src/solutions/fraud/train.js';
import { withoutLabel } from '../src/solutions/fraud/transaction.js';
import { ROOT, tempDir } from './support.js';

// Real brokers on loopback (started by .ci/run): NATS JetStream 4222, Mosquitto 1883.
const run = `${process.pid}_${Date.now()}`;
const transactions = simulateTransactions({ users: 80, days: 4, seed: 21, episodeRate: 0.05 }).map(
  withoutLabel,
);

/** A platform on a folder that outlives it, so a test can restart on the same DuckDB file. */
async function openFraud(home: string, trained = true, flushIntervalMs?: number) {
  const platform = await openPlatform({ home, logger: silentLogger });
  if (!trained)
    await trainFraud(platform.db, platform.workspace.artifacts, {
      simulator: { users: 100, days: 8, episodeRate: 0.02 },
    });
  const service = await FraudService.open({
    db: platform.db,
    artifactsDir: platform.workspace.artifacts,
    logger: silentLogger,
    flushIntervalMs,
  });
  return { platform, service };
}

async function startConsumer(
  platform: Platform,
  service: FraudService,
  endpoints: FraudStreamEndpoints,
  batchWaitMs = 50,
) {
  const source = openFraudSource(endpoints);
  const sink = await openFraudSink(endpoints, silentLogger);
  const consumer = new FraudStreamConsumer({
    service,
    source,
    sink,
    db: platform.db,
    logger: silentLogger,
    batchWaitMs,
  });
  await consumer.start();
  return { consumer, source, sink };
}

async function count(platform: Platform, sql: string): Promise<number> {
  const [row] = await platform.db.rows(sql);
  return Number(Object.values(row)[0]);
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

assert.ok(transactions.length >= 400, 'the tests below take 400 simulated transactions');

describe('fraud decisions from NATS JetStream', () => {
  const { dir, remove } = tempDir();
  const home = path.join(dir, 'ws');
  const endpoints = fraudStreamEndpoints('nats', {
    input: `cairn.test.fraud.${run}.tx`,
    output: `cairn.test.fraud.${run}.decisions`,
    stream: `CAIRN_TEST_FRAUD_${run}`,
    consumer: `cairn_fraud_${run}`,
    ackWait: '1s',
  });
  let nc: NatsConnection;
  const decisions: FraudResult[] = [];

  before(async () => {
    nc = await connect({ servers: endpoints.url });
    const manager = await jetstreamManager(nc);
    await manager.streams.add({ name: endpoints.stream, subjects: [endpoints.input] });
    const subscription = nc.subscribe(endpoints.output);
    void (async () => {
      for await (const m of subscription) decisions.push(m.json<FraudResult>());
    })();
    const trainer = await openFraud(home, false);
    await trainer.service.close();
    trainer.platform.close();
  });
  after(async () => {
    const manager = await jetstreamManager(nc);
    await manager.streams.delete(endpoints.stream).catch(() => undefined);
    await nc.close();
    remove();
  });

  test('published transactions come back as decisions, land in the warehouse once, and bad ones in the dead letters', async () => {
    const { platform, service } = await openFraud(home);
    const { consumer, sink } = await startConsumer(platform, service, endpoints);
    try {
      const batch = transactions.slice(0, 300);
      for (const t of batch) nc.publish(endpoints.input, JSON.stringify(t));
      // The same transactions again, as a publisher retrying would send them, and one malformed message.
      for (const t of batch.slice(0, 20)) nc.publish(endpoints.input, JSON.stringify(t));
      nc.publish(endpoints.input, JSON.stringify({ ...batch[0], transaction_id: 'bad-1', amount: 'ten' }));
      await nc.flush();
      await consumer.drained(321);
      await until(() => decisions.length >= 300, '300 decisions on the output subject');
      assert.equal(decisions.length, 300);
      assert.deepEqual(
        new Set(decisions.map((d) => d.transaction_id)),
        new Set(batch.map((t) => t.transaction_id)),
      );
      assert.ok(decisions.every((d) => ['APPROVE', 'REVIEW', 'STEP_UP', 'BLOCK'].includes(d.decision)));
      assert.ok(decisions.some((d) => d.method === 'ensemble'));
      const stats = consumer.stats;
      assert.deepEqual([stats.decided, stats.duplicates, stats.deadLettered], [300, 20, 1]);
      assert.equal(
        await count(platform, `SELECT count(DISTINCT transaction_id) FROM fraud_decisions`),
        await count(platform, `SELECT count(*) FROM fraud_decisions`),
      );
      assert.equal(await count(platform, `SELECT count(*) FROM fraud_decisions`), 300);
      const [dead] = await platform.db.rows(`SELECT reason FROM ${FRAUD_DEAD_LETTER_TABLE}`);
      assert.match(dead.reason as string, /amount/);
      // Each user's windows hold each of its transactions once, retries included.
      const user = batch[0].user_id;
      assert.equal(service.userWindows(user)?.count_30d, batch.filter((t) => t.user_id === user).length);
    } finally {
      await consumer.close();
      await sink.close();
      await service.close();
      platform.close();
    }
  });

  test('messages stored but never acknowledged are redelivered after a restart and not counted twice', async () => {
    // Write intervals far beyond the test: nothing is written, so nothing acknowledged, unless asked.
    const first = await openFraud(home, true, 600_000);
    const batch = transactions.slice(300, 400);
    const seen = decisions.length;
    const a = await startConsumer(first.platform, first.service, endpoints, 600_000);
    for (const t of batch) nc.publish(endpoints.input, JSON.stringify(t));
    await nc.flush();
    await until(() => a.consumer.stats.decided === batch.length, 'the first consumer deciding the batch');
    const windowsBefore = first.service.userWindows(batch[0].user_id);
    // The connection to the broker is lost, then the decisions reach the warehouse: they cannot be
    // acknowledged, as when a process dies between writing and acknowledging.
    await a.source.close();
    assert.ok(await first.service.flush());
    await a.sink.close();
    await first.service.close();
    first.platform.close();

    const second = await openFraud(home);
    const b = await startConsumer(second.platform, second.service, endpoints);
    try {
      await until(() => b.consumer.stats.acked >= batch.length, 'the redelivered batch', 20_000);
      assert.equal(b.consumer.stats.duplicates, batch.length);
      assert.equal(b.consumer.stats.decided, 0);
      assert.equal(decisions.length - seen, batch.length, 'no second decision was published');
      assert.equal(await count(second.platform, `SELECT count(*) FROM fraud_decisions`), 400);
      assert.deepEqual(second.service.userWindows(batch[0].user_id), windowsBefore);
    } finally {
      await b.consumer.close();
      await b.sink.close();
      await second.service.close();
      second.platform.close();
    }
  });
});

describe('fraud decisions from MQTT', () => {
  const { dir, remove } = tempDir();
  const endpoints = fraudStreamEndpoints('mqtt', {
    input: `cairn/test/fraud/${run}/tx`,
    output: `cairn/test/fraud/${run}/decisions`,
    consumer: `cairn-fraud-${run}`,
  });
  after(async () => {
    // A clean session of the same id removes the persistent session from the broker.
    const cleanup = await mqtt.connectAsync(endpoints.url, {
      clientId: endpoints.consumer,
      clean: true,
      protocolVersion: 5,
    });
    await cleanup.endAsync();
    remove();
  });

  test('transactions published at QoS 1 are decided, published and stored', async () => {
    const { platform, service } = await openFraud(path.join(dir, 'ws'), false);
    const client = await mqtt.connectAsync(endpoints.url);
    const decisions: FraudResult[] = [];
    client.on('message', (_topic, payload) => decisions.push(JSON.parse(payload.toString()) as FraudResult));
    await client.subscribeAsync(endpoints.output, { qos: 1 });
    const { consumer, sink } = await startConsumer(platform, service, endpoints);
    try {
      const batch = transactions.slice(0, 60);
      await Promise.all(
        batch.map((t) => client.publishAsync(endpoints.input, JSON.stringify(t), { qos: 1 })),
      );
      await consumer.drained(batch.length);
      await until(() => decisions.length >= batch.length, 'decisions on the MQTT output topic');
      assert.deepEqual(
        new Set(decisions.map((d) => d.transaction_id)),
        new Set(batch.map((t) => t.transaction_id)),
      );
      assert.equal(await count(platform, `SELECT count(*) FROM fraud_decisions`), batch.length);
    } finally {
      await consumer.close();
      await sink.close();
      await client.endAsync();
      await service.close();
      platform.close();
    }
  });
});

describe('cairn solutions stream fraud', () => {
  test('the consumer alone decides what waits on the subject, stops after --events and prints one JSON document', async () => {
    const { dir, remove } = tempDir();
    const tag = `cli_${run}`;
    const endpoints = fraudStreamEndpoints('nats', {
      input: `cairn.test.fraud.${tag}.tx`,
      stream: `CAIRN_TEST_FRAUD_${tag}`,
    });
    const nc = await connect({ servers: endpoints.url });
    const manager = await jetstreamManager(nc);
    try {
      await manager.streams.add({ name: endpoints.stream, subjects: [endpoints.input] });
      const batch = transactions.slice(0, 25);
      for (const t of batch) nc.publish(endpoints.input, JSON.stringify(t));
      await nc.flush();
      const { stdout } = await promisify(execFile)(process.execPath, [
        path.join(ROOT, 'bin/cairn.js'),
        '--home',
        path.join(dir, 'ws'),
        'solutions',
        'stream',
        'fraud',
        '--input',
        endpoints.input,
        '--output',
        `cairn.test.fraud.${tag}.decisions`,
        '--stream',
        endpoints.stream,
        '--consumer',
        tag,
        '--events',
        String(batch.length),
        '--json',
      ]);
      const report = JSON.parse(stdout) as { stats: { decided: number; acked: number } };
      assert.deepEqual([report.stats.decided, report.stats.acked], [batch.length, batch.length]);
    } finally {
      await manager.streams.delete(endpoints.stream).catch(() => undefined);
      await nc.close();
      remove();
    }
  });
});
