// bench/streams: events/s through windowed features (100k entities, one core), online store
// reads/s and p99 in-process and on Redis (loopback), the stream pipeline's own events/s, and
// end-to-end events/s and latency from NATS JetStream and MQTT into a warehouse table and the
// online store. Seeded; warms up; repeats.
// Run: npx tsx bench/streams/streams.ts [windows] [reads] [pipeline] [nats] [mqtt]
//      (default: all; needs Redis 6379, NATS 4222, Mosquitto 1883 on loopback)
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import mqtt from 'mqtt';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/core/logger.js';
import { Random } from '../../src/core/random.js';
import { MemoryOnlineStore } from '../../src/features/online/memory-store.js';
import type { OnlineStore } from '../../src/features/online/online-store.js';
import { RedisOnlineStore } from '../../src/features/online/redis-store.js';
import { WindowEngine } from '../../src/features/windows/window-engine.js';
import { openPlatform } from '../../src/platform.js';
import { openSource } from '../../src/streams/open-source.js';
import { StreamPipeline } from '../../src/streams/pipeline.js';
import type { StreamMessage, StreamSource } from '../../src/streams/source.js';
import { toStreamSpec, type StreamSourceSpec, type StreamSpec } from '../../src/streams/stream-spec.js';
import type { PublisherPlan } from './publisher.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
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

/** The events and schema every end-to-end run uses (10,000 users, amounts 10–509). */
function benchSpec(name: string, source: StreamSourceSpec): StreamSpec {
  return toStreamSpec({
    name,
    source,
    table: 'txn',
    id: 'id',
    entity: 'user',
    timestamp: 'ts',
    schema: { id: 'VARCHAR', user: 'VARCHAR', ts: 'TIMESTAMP', amount: 'DOUBLE' },
    batch: { size: 5000, wait: '20ms' },
    features: [
      { name: 'count_1h', agg: 'count', window: '1h' },
      { name: 'sum_24h', agg: 'sum', column: 'amount', window: '24h' },
    ],
  });
}

/**
 * The pipeline without a broker: pre-encoded events handed over in process, 10,000 unacknowledged at
 * most, into the table and the online store — what the pipeline itself costs per event.
 */
async function pipelineAlone(count: number): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-'));
  const platform = await openPlatform({ home: path.join(dir, 'ws'), logger: silentLogger });
  const random = new Random(3);
  const start = Date.parse('2024-01-01T00:00:00Z');
  const payloads = Array.from({ length: count }, (_, i) =>
    Buffer.from(
      JSON.stringify({
        id: `e${i}`,
        user: `u${random.int(10_000)}`,
        ts: start + i * 10,
        amount: 10 + random.int(500),
      }),
    ),
  );
  let deliver: (message: StreamMessage) => void = () => undefined;
  const source: StreamSource = {
    kind: 'http',
    maxUnacked: 10_000,
    start: (onMessage) => {
      deliver = onMessage;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  const pipeline = new StreamPipeline(benchSpec('bench_alone', { type: 'http', port: 0 }), {
    db: platform.db,
    online: new MemoryOnlineStore(),
    source,
  });
  await pipeline.start();
  let acked = 0;
  const ack = () => {
    acked++;
  };
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < count;) {
    while (i < count && i - acked < 10_000) deliver({ data: payloads[i++], ack });
    await new Promise((resolve) => setImmediate(resolve));
  }
  await pipeline.drained(count, 600_000);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await pipeline.close();
  console.log(
    `pipeline alone (in-process source): ${fmt(count / seconds)} events/s stored + online (${fmt(count)} events, ${pipeline.stats.batches} batches); CPU ${((cpu.user + cpu.system) / count).toFixed(1)} µs/event`,
  );
  platform.close();
  rmSync(dir, { recursive: true, force: true });
}

interface Phase {
  label: string;
  count: number;
  /** Events/s the producer aims at; 0 for as fast as the pipeline takes them. */
  rate: number;
}

/** Runs the producer process for one phase; resolves when the pipeline has stored every event. */
async function producePhase(
  kind: 'nats' | 'mqtt',
  subject: string,
  pipeline: StreamPipeline,
  phase: Phase,
  from: number,
  maxUnacked: number,
): Promise<{ seconds: number; published: number }> {
  // MQTT: Mosquitto drops QoS 1 messages for a session past its in-flight window (our Receive
  // Maximum) plus its queue (1,000 by default), so the producer stays within that. NATS JetStream
  // keeps everything it accepted.
  const window = kind === 'mqtt' ? maxUnacked + 500 : phase.count;
  const plan: PublisherPlan = { kind, subject, count: phase.count, rate: phase.rate, window, from };
  const child = fork(path.join(HERE, 'publisher.ts'), [JSON.stringify(plan)], {
    execArgv: ['--import', 'tsx'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // A stored-count report may cross the producer's exit; it has nothing left to pace by then.
  child.on('error', () => undefined);
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  let published = 0;
  child.on('message', (m: { seconds?: number }) => {
    if (m.seconds) published = m.seconds;
  });
  const storedBefore = pipeline.stats.stored;
  const report = setInterval(() => {
    if (child.connected) child.send({ stored: pipeline.stats.stored - storedBefore });
  }, 10);
  const start = performance.now();
  child.send({ go: true });
  await pipeline.drained(pipeline.stats.received + phase.count, 600_000);
  const seconds = (performance.now() - start) / 1000;
  clearInterval(report);
  await exited;
  return { seconds, published };
}

/**
 * End to end from a broker: a producer process publishes, the pipeline stores each event in the
 * warehouse table (micro-batches, idempotency keys) and updates its windows in the online store.
 * Throughput: the producer as fast as the pipeline keeps up. Latency: publish → row committed,
 * from each row's publish stamp and commit time, at a fixed rate below the throughput.
 */
async function endToEnd(kind: 'nats' | 'mqtt', phases: Phase[]): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-'));
  const platform = await openPlatform({ home: path.join(dir, 'ws'), logger: silentLogger });
  const run = `${process.pid}_${kind}`;
  const subject = kind === 'nats' ? `bench.${run}` : `bench/${run}`;
  const clientId = `bench-${run}`;
  const source: StreamSourceSpec =
    kind === 'nats'
      ? { type: 'nats', servers: '127.0.0.1:4222', stream: `BENCH_${run}`, subject, durable: `bench_${run}` }
      : { type: 'mqtt', url: 'mqtt://127.0.0.1:1883', topic: subject, clientId };
  const spec = benchSpec(`bench_${kind}`, source);
  const nc = await connect({ servers: '127.0.0.1:4222' });
  const manager = await jetstreamManager(nc);
  if (kind === 'nats') await manager.streams.add({ name: `BENCH_${run}`, subjects: [subject] });
  const stream = openSource(source, spec.name);
  const pipeline = new StreamPipeline(spec, {
    db: platform.db,
    online: new MemoryOnlineStore(),
    source: stream,
  });
  await pipeline.start();
  let from = 0;
  for (const phase of phases) {
    pipeline.latencies.length = 0;
    const batchesBefore = pipeline.stats.batches;
    const cpuBefore = process.cpuUsage();
    const { seconds, published } = await producePhase(
      kind,
      subject,
      pipeline,
      phase,
      from,
      stream.maxUnacked ?? Infinity,
    );
    const [committed] = await platform.db.rows(
      `SELECT quantile_cont(epoch_ms(_received_at) - epoch_ms(ts), 0.5) AS p50, quantile_cont(epoch_ms(_received_at) - epoch_ms(ts), 0.99) AS p99 FROM txn WHERE CAST(substr(id, 2) AS INTEGER) >= ${from}`,
    );
    const cpu = process.cpuUsage(cpuBefore);
    const cpuPerEvent = (cpu.user + cpu.system) / phase.count; // µs, this process (pipeline + DuckDB)
    from += phase.count;
    const served = [...pipeline.latencies].sort((a, b) => a - b);
    console.log(
      `${kind} end to end, ${phase.label}: ${fmt(phase.count / seconds)} events/s stored + online (${fmt(phase.count)} events, ${pipeline.stats.batches - batchesBefore} batches; the producer published them at ${fmt(phase.count / published)}/s); publish→committed p50 ${Number(committed.p50).toFixed(1)} ms, p99 ${Number(committed.p99).toFixed(1)} ms; receipt→served p50 ${quantile(served, 0.5).toFixed(1)} ms, p99 ${quantile(served, 0.99).toFixed(1)} ms; pipeline CPU ${cpuPerEvent.toFixed(1)} µs/event (${fmt(1e6 / cpuPerEvent)} events per CPU-second)`,
    );
  }
  const stats = pipeline.stats;
  await pipeline.close();
  if (stats.stored !== from || stats.deadLettered !== 0)
    throw new Error(
      `${kind}: stored ${stats.stored} of ${from} events (${stats.deadLettered} dead-lettered)`,
    );
  if (kind === 'nats') await manager.streams.delete(`BENCH_${run}`);
  else {
    const c = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { clientId, clean: true, protocolVersion: 5 });
    await c.endAsync();
  }
  await nc.close();
  platform.close();
  rmSync(dir, { recursive: true, force: true });
}

const only = new Set(process.argv.slice(2));
const wanted = (section: string) => only.size === 0 || only.has(section);
if (wanted('windows')) windows();
if (wanted('reads')) {
  await reads(new MemoryOnlineStore(), 'in-process');
  const redis = await RedisOnlineStore.open('redis://127.0.0.1:6379/0', 'cairn:bench:');
  await reads(redis, 'redis (loopback)');
  await redis.close();
}
const phases = (...rates: number[]): Phase[] => [
  { label: 'as fast as it goes', count: 100_000, rate: 0 },
  ...rates.map((rate) => ({ label: `fixed ${fmt(rate)} events/s`, count: Math.max(30_000, rate * 5), rate })),
];
if (wanted('pipeline')) await pipelineAlone(200_000);
if (wanted('nats')) await endToEnd('nats', phases(5_000, 20_000));
if (wanted('mqtt')) await endToEnd('mqtt', phases(2_000));
