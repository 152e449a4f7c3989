import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { MemoryOnlineStore } from '../src/features/online/memory-store.js';
import { openSource } from '../src/streams/open-source.js';
import { StreamPipeline } from '../src/streams/pipeline.js';
import type { StreamMessage, StreamSource } from '../src/streams/source.js';
import { toStreamSpec, type StreamSourceSpec, type StreamSpec } from '../src/streams/stream-spec.js';
import type { Database } from '../src/warehouse/database.js';
import { asText } from '../src/warehouse/values.js';
import { DATA, tempPlatform } from './support.js';

/** One broker, prepared for one run of the contract (its own topic, stream and consumer names). */
export interface BrokerHarness {
  source: StreamSourceSpec;
  /** Sends the payloads in order; resolves once the broker has every one of them. */
  publish(payloads: string[]): Promise<void>;
  /** Removes what the run created on the broker. */
  dispose(): Promise<void>;
}

/** A source that drops the connection as a network failure would and then recovers by itself. */
interface Interruptible extends StreamSource {
  interrupt(): Promise<void>;
}

export interface Txn {
  event_id: string;
  user_id: string;
  ts: string;
  amount: number;
}

/** Real invoices (UCI Online Retail) as transactions: the invoice number is the idempotency key. */
export function transactions(count: number, from = 0): Txn[] {
  const [, ...lines] = readFileSync(path.join(DATA, 'online_retail_invoices.csv'), 'utf8').trim().split('\n');
  return lines.slice(from, from + count).map((line) => {
    const [invoice, customer, ts, amount] = line.split(',');
    return { event_id: invoice, user_id: customer, ts: `${ts.replace(' ', 'T')}Z`, amount: Number(amount) };
  });
}

export function txnSpec(source: StreamSourceSpec, name: string): StreamSpec {
  return toStreamSpec({
    name,
    source,
    table: `txn_${name}`,
    id: 'event_id',
    entity: 'user_id',
    timestamp: 'ts',
    schema: { event_id: 'VARCHAR', user_id: 'VARCHAR', ts: 'TIMESTAMP', amount: 'DOUBLE' },
    batch: { size: 50, wait: '20ms' },
    lateness: '365d',
    features: [
      { name: 'txn_count_all', agg: 'count' },
      { name: 'amount_sum_all', agg: 'sum', column: 'amount' },
      { name: 'amount_sum_7d', agg: 'sum', column: 'amount', window: '7d' },
    ],
  });
}

/** The table holds each of `txns` exactly once, with the right amounts. */
export async function expectStored(db: Database, table: string, txns: Txn[]): Promise<void> {
  const [row] = await db.rows(
    `SELECT count(*) AS n, count(DISTINCT event_id) AS d, sum(amount) AS s FROM ${table}`,
  );
  const unique = new Map(txns.map((t) => [t.event_id, t]));
  assert.equal(Number(row.n), unique.size, `${table} holds each event once`);
  assert.equal(Number(row.d), unique.size);
  const sum = [...unique.values()].reduce((a, t) => a + t.amount, 0);
  assert.ok(Math.abs(Number(row.s) - sum) < 1e-6 * Math.abs(sum));
}

/** Online features equal a brute-force recount of the table: no event counted twice. */
export async function expectFeatures(
  db: Database,
  store: MemoryOnlineStore,
  spec: StreamSpec,
): Promise<void> {
  const rows = await db.rows(
    `SELECT user_id, count(*) AS n, sum(amount) AS s FROM ${spec.table} GROUP BY user_id ORDER BY user_id`,
  );
  assert.ok(rows.length > 0);
  for (const row of rows) {
    const record = store.readNow(spec.view, asText(row.user_id));
    assert.ok(record, `online features for ${asText(row.user_id)}`);
    assert.equal(record.txn_count_all, Number(row.n), `${asText(row.user_id)}: each event counted once`);
    assert.ok(
      Math.abs(Number(record.amount_sum_all) - Number(row.s)) < 1e-6 * Math.max(1, Math.abs(Number(row.s))),
    );
  }
}

/** A source whose acknowledgements are dropped: a consumer that stores but dies before acking. */
function withoutAcks(source: StreamSource): StreamSource {
  return {
    kind: source.kind,
    maxUnacked: source.maxUnacked,
    start: (onMessage) =>
      source.start((m) => onMessage({ data: m.data, ack: () => undefined } satisfies StreamMessage)),
    close: () => source.close(),
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The delivery contract every broker-backed stream source keeps (MQTT, NATS JetStream, Kafka):
 * at-least-once into the table with idempotency keys, dead letters for malformed events, redelivery
 * of what was never acknowledged to the next consumer of the same identity, and recovery from a
 * dropped connection in the middle of a stream — nothing lost, nothing counted twice.
 * `redeliveryWaitMs`: how long the broker may take to send an unacknowledged message again.
 */
export function streamSourceContract(
  name: string,
  open: (run: string) => Promise<BrokerHarness>,
  options: { skip?: string | false; redeliveryWaitMs?: number } = {},
): void {
  const run = `${name}_${process.pid}_${Date.now()}`;
  const quietMs = (options.redeliveryWaitMs ?? 0) + 500;
  let platform: Awaited<ReturnType<typeof tempPlatform>>;
  let broker: BrokerHarness;
  let spec: StreamSpec;
  before(async () => {
    if (options.skip) return;
    platform = await tempPlatform();
    broker = await open(run);
    spec = txnSpec(broker.source, run);
  });
  after(async () => {
    if (options.skip) return;
    await broker.dispose();
    platform.dispose();
  });
  const send = (payloads: unknown[]) =>
    broker.publish(payloads.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))));
  const pipeline = (source: StreamSource, store = new MemoryOnlineStore()) =>
    new StreamPipeline(spec, { db: platform.db, online: store, source });

  const first = transactions(150);
  const second = transactions(100, 150);
  const third = transactions(400, 250);

  test(
    `${name}: events land once, malformed ones are dead-lettered, the unacknowledged come back to the next consumer`,
    { skip: options.skip },
    async () => {
      // 1. A consumer that stores everything and acknowledges nothing, then goes away.
      await send([
        ...first,
        ...first.slice(0, 20),
        '{not json',
        { event_id: 'x1', user_id: 'u', ts: 'yesterday', amount: 1 },
      ]);
      const lost = pipeline(withoutAcks(openSource(broker.source, spec.name)));
      await lost.start();
      await lost.drained(172);
      await lost.close();
      assert.equal(lost.stats.stored, 150);
      assert.equal(lost.stats.duplicates, 20, 'a repeated event is recognised by its id');
      assert.equal(lost.stats.deadLettered, 2);
      // 2. More while nobody listens; the same consumer identity gets the unacknowledged events again
      //    plus the new ones, and stores only the new ones.
      await send(second);
      const store = new MemoryOnlineStore();
      const again = pipeline(openSource(broker.source, spec.name), store);
      await again.start();
      await again.drained(272, 30_000 + quietMs);
      await again.close();
      assert.equal(again.stats.stored, 100, 'only the events published while away are new');
      assert.equal(again.stats.duplicates, 170, 'every redelivered event is recognised by its id');
      await expectStored(platform.db, spec.table, [...first, ...second]);
      await expectFeatures(platform.db, store, spec);
      const [dead] = await platform.db.rows(
        `SELECT count(*) AS n, string_agg(reason, ' | ') AS reasons FROM ${spec.table}_dead_letter`,
      );
      assert.ok(Number(dead.n) >= 2);
      assert.match(asText(dead.reasons), /not JSON/);
      assert.match(asText(dead.reasons), /field 'ts' is "yesterday"; expected an ISO timestamp/);
    },
  );

  test(
    `${name}: a connection dropped in the middle of a stream loses nothing and counts nothing twice`,
    { skip: options.skip },
    async () => {
      // Same consumer identity, a table of its own: the test stands without the one before.
      const own = txnSpec(broker.source, `${run}_drop`);
      const source = openSource(broker.source, own.name) as Interruptible;
      const store = new MemoryOnlineStore();
      const live = new StreamPipeline(own, { db: platform.db, online: store, source });
      await live.start();
      const sending = (async () => {
        for (let i = 0; i < third.length; i += 20) await send(third.slice(i, i + 20));
      })();
      await until('a third of the stream', () => live.stats.stored >= third.length / 3);
      await source.interrupt();
      await sending;
      await until('every event stored', () => live.stats.stored >= third.length, 30_000 + quietMs);
      // Whatever the broker sends again after the reconnect must change nothing.
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      await live.close();
      assert.equal(live.stats.stored, third.length);
      await expectStored(platform.db, own.table, third);
      await expectFeatures(platform.db, store, own);
    },
  );

  test(
    `${name}: once everything is acknowledged, a new consumer receives nothing`,
    { skip: options.skip },
    async () => {
      const quiet = pipeline(openSource(broker.source, spec.name));
      await quiet.start();
      await new Promise((resolve) => setTimeout(resolve, quietMs + 500));
      await quiet.close();
      assert.equal(quiet.stats.received, 0);
    },
  );
}
