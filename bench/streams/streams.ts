// bench/streams: events/s through windowed features (100k entities, one core), online store
// reads/s and p99 in-process and on Redis (loopback), end-to-end events/s and latency from NATS
// JetStream and MQTT into a warehouse table and the online store. Seeded; warms up; repeats.
// Run: npx tsx bench/streams/streams.ts   (needs Redis 6379, NATS 4222, Mosquitto 1883 on loopback)
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import mqtt from 'mqtt';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { Random } from '../../src/core/random.js';
import { MemoryOnlineStore } from '../../src/features/online/memory-store.js';
import type { OnlineStore } from '../../src/features/online/online-store.js';
import { RedisOnlineStore } from '../../src/features/online/redis-store.js';
import { WindowEngine } from '../../src/features/windows/window-engine.js';
import { openPlatform } from '../../src/platform.js';
import { openSource } from '../../src/streams/open-source.js';
import { StreamPipeline } from '../../src/streams/pipeline.js';
import { toStreamSpec, type StreamSourceSpec } from '../../src/streams/stream-spec.js';

const ENTITIES = 100_000;
const EVENTS = 2_000_000;
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const fmt = (n: number) => Math.round(n).toLocaleString('en');

function windows(): void {
  const random = new Random(42);
  const users = new Uint32Array(EVENTS);
  const times = new Float64Array(EVENTS);
  const amounts = new Float64Array(EVENTS);
  let t = Date.parse('2024-01-01T00:00:00Z');
  for (let i = 0; i < EVENTS; i++) {
    users[i] = random.int(ENTITIES);
    t += random.int(600); // ~3.3 events/s overall, 2M events over ~7 days
    times[i] = t;
    amounts[i] = Math.exp(3 + random.normal());
  }
  const features = [
    { name: 'count_1h', agg: 'count' as const, window: '1h' },
    { name: 'sum_1h', agg: 'sum' as const, column: 'amount', window: '1h' },
    { name: 'sum_24h', agg: 'sum' as const, column: 'amount', window: '24h' },
    { name: 'count_7d', agg: 'count' as const, window: '7d' },
    { name: 'mean_7d', agg: 'mean' as const, column: 'amount', window: '7d' },
    { name: 'max_24h', agg: 'max' as const, column: 'amount', window: '24h' },
    { name: 'z_30d', agg: 'zscore' as const, column: 'amount', window: '30d' },
    { name: 'since_prev', agg: 'since_previous' as const },
  ];
  const ids = Array.from({ length: ENTITIES }, (_, i) => `u${i}`);
  const out = new Float64Array(features.length);
  const event = { amount: 0 };
  for (let rep = 0; rep < 3; rep++) {
    const engine = new WindowEngine(features);
    const start = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      event.amount = amounts[i];
      engine.update(ids[users[i]], times[i], event, out);
    }
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `windows rep ${rep}: ${fmt(EVENTS / seconds)} events/s (${features.length} features, ${fmt(ENTITIES)} entities, ${fmt(EVENTS)} events)`,
    );
  }
}

async function reads(store: OnlineStore, label: string): Promise<void> {
  const n = 20_000;
  const records = new Map(
    Array.from({ length: n }, (_, i) => [`u${i}`, { sum_1h: i * 1.5, count_24h: i % 17, last: 'FR' }]),
  );
  await store.write('bench', records);
  const random = new Random(7);
  const latencies: number[] = [];
  for (let i = 0; i < 2000; i++) await store.read('bench', `u${random.int(n)}`); // warm-up
  const start = performance.now();
  for (let i = 0; i < 50_000; i++) {
    const t0 = performance.now();
    await store.read('bench', `u${random.int(n)}`);
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `${label} reads: ${fmt(50_000 / seconds)}/s sequential, p50 ${quantile(latencies, 0.5).toFixed(4)} ms, p99 ${quantile(latencies, 0.99).toFixed(4)} ms`,
  );
  await store.clear('bench');
}

async function endToEnd(kind: 'nats' | 'mqtt', events: number): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-'));
  const platform = await openPlatform({ home: path.join(dir, 'ws'), logger: silentLogger });
  const run = `${process.pid}_${kind}`;
  const subject = `bench.${run}`;
  const source: StreamSourceSpec =
    kind === 'nats'
      ? { type: 'nats', servers: '127.0.0.1:4222', stream: `BENCH_${run}`, subject, durable: `bench_${run}` }
      : { type: 'mqtt', url: 'mqtt://127.0.0.1:1883', topic: `bench/${run}`, clientId: `bench-${run}` };
  const spec = toStreamSpec({
    name: `bench_${kind}`,
    source,
    table: 'txn',
    id: 'id',
    entity: 'user',
    timestamp: 'ts',
    schema: { id: 'VARCHAR', user: 'VARCHAR', ts: 'TIMESTAMP', amount: 'DOUBLE' },
    batch: { size: 1000, wait: '20ms' },
    features: [
      { name: 'count_1h', agg: 'count', window: '1h' },
      { name: 'sum_24h', agg: 'sum', column: 'amount', window: '24h' },
    ],
  });
  const pipeline = new StreamPipeline(spec, {
    db: platform.db,
    online: new MemoryOnlineStore(),
    source: openSource(source, spec.name),
  });
  const random = new Random(3);
  const payloads = Array.from({ length: events }, (_, i) =>
    JSON.stringify({
      id: `e${i}`,
      user: `u${random.int(10_000)}`,
      ts: 1_704_067_200_000 + i * 100,
      amount: 10 + random.int(500),
    }),
  );
  const nc = await connect({ servers: '127.0.0.1:4222' });
  const manager = await jetstreamManager(nc);
  if (kind === 'nats') await manager.streams.add({ name: `BENCH_${run}`, subjects: [subject] });
  await pipeline.start();
  const start = performance.now();
  if (kind === 'nats') {
    const js = jetstream(nc);
    const pending: Promise<unknown>[] = [];
    for (const p of payloads) {
      pending.push(js.publish(subject, p));
      if (pending.length >= 500) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
  } else {
    const publisher = await mqtt.connectAsync('mqtt://127.0.0.1:1883');
    await Promise.all(payloads.map((p) => publisher.publishAsync(`bench/${run}`, p, { qos: 1 })));
    await publisher.endAsync();
  }
  await pipeline.drained(events, 600_000);
  const seconds = (performance.now() - start) / 1000;
  await pipeline.close();
  const lat = [...pipeline.latencies].sort((a, b) => a - b);
  console.log(
    `${kind} end to end: ${fmt(events / seconds)} events/s stored + online (${fmt(pipeline.stats.stored)} stored, ${pipeline.stats.batches} batches), receipt→served p50 ${quantile(lat, 0.5).toFixed(1)} ms, p99 ${quantile(lat, 0.99).toFixed(1)} ms`,
  );
  if (kind === 'nats') await manager.streams.delete(`BENCH_${run}`);
  else {
    const c = await mqtt.connectAsync('mqtt://127.0.0.1:1883', {
      clientId: `bench-${run}`,
      clean: true,
      protocolVersion: 5,
    });
    await c.endAsync();
  }
  await nc.close();
  platform.close();
  rmSync(dir, { recursive: true, force: true });
}

windows();
await reads(new MemoryOnlineStore(), 'in-process');
const redis = await RedisOnlineStore.open('redis://127.0.0.1:6379/0', 'cairn:bench:');
await reads(redis, 'redis (loopback)');
await redis.close();
await endToEnd('nats', 50_000);
await endToEnd('mqtt', 2_000);
