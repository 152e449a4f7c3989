// Benchmark: streaming fraud decisions from NATS JetStream. This process publishes simulated
// transactions and counts the decisions that come back; `cairn solutions stream fraud` runs in a
// second process and consumes, decides, publishes each decision and writes transactions and
// decisions to the warehouse (acknowledging each message once written). Reference in the same run:
// a bare JetStream consumer in its own process that only acknowledges (the broker's ceiling here).
// Usage: npx tsx bench/fraud/streaming.ts [--transactions 200000] [--json]   (needs NATS on 4222)
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { silentLogger } from '../../src/core/logger.js';
import { openPlatform } from '../../src/platform.js';
import { simulateTransactions } from '../../src/solutions/fraud/simulator.js';
import { withoutLabel } from '../../src/solutions/fraud/transaction.js';
import { CAIRN, prepareFraudWorkspace, ROOT } from './workspace.js';

const SERVERS = '127.0.0.1:4222';

interface Run {
  transactions: number;
  /** Transactions/s from the first publish to the last decision received. */
  decisionsPerSecond: number;
  /** Transactions/s from the first publish to the last message acknowledged (written to the warehouse). */
  storedPerSecond: number;
  rowsInWarehouse: number | null;
}

/** Starts a child that prints one JSON line when done; resolves with it, and when the process exits. */
function child(args: string[]): { done: Promise<unknown>; exited: Promise<unknown>; process: ChildProcess } {
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CAIRN_LOG_LEVEL: 'error' },
  });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const done = (async () => {
    for await (const line of createInterface({ input: proc.stdout })) return JSON.parse(line) as unknown;
    throw new Error(`${args.join(' ')} exited before printing its result`);
  })();
  return { done, exited, process: proc };
}

/** Resolves once the durable consumer exists on the server: the child is subscribed. */
async function subscribed(nc: NatsConnection, stream: string, durable: string): Promise<void> {
  const manager = await jetstreamManager(nc);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await manager.consumers.info(stream, durable);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Publishes `payloads` on `subject` as fast as the connection takes them (core publish into the stream). */
async function publishAll(nc: NatsConnection, subject: string, payloads: string[]): Promise<void> {
  for (let i = 0; i < payloads.length; i++) {
    nc.publish(subject, payloads[i]);
    // Flushing now and then keeps the client's outbound buffer, and the server's, from ballooning.
    if (i % 5000 === 4999) await nc.flush();
  }
  await nc.flush();
}

async function fraudRun(nc: NatsConnection, home: string, payloads: string[], tag: string): Promise<Run> {
  const input = `bench.fraud.${tag}.tx`;
  const output = `bench.fraud.${tag}.decisions`;
  const stream = `BENCH_FRAUD_${tag}`;
  const durable = `bench_${tag}`;
  const manager = await jetstreamManager(nc);
  await manager.streams.add({ name: stream, subjects: [input] });
  let received = 0;
  let lastDecision = 0;
  const subscription = nc.subscribe(output, {
    callback: () => {
      received++;
      lastDecision = performance.now();
    },
  });
  const consumer = child([
    CAIRN,
    '--home',
    home,
    'solutions',
    'stream',
    'fraud',
    '--input',
    input,
    '--output',
    output,
    '--stream',
    stream,
    '--consumer',
    durable,
    '--events',
    String(payloads.length),
    '--json',
  ]);
  try {
    await subscribed(nc, stream, durable);
    const started = performance.now();
    await publishAll(nc, input, payloads);
    await consumer.done;
    const stored = performance.now();
    const deadline = Date.now() + 10_000;
    while (received < payloads.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await consumer.exited;
    return {
      transactions: payloads.length,
      decisionsPerSecond: received / ((lastDecision - started) / 1000),
      storedPerSecond: payloads.length / ((stored - started) / 1000),
      rowsInWarehouse: await countRows(home),
    };
  } finally {
    subscription.unsubscribe();
    consumer.process.kill('SIGTERM');
    await manager.streams.delete(stream).catch(() => undefined);
  }
}

async function countRows(home: string): Promise<number | null> {
  const platform = await openPlatform({ home, logger: silentLogger });
  try {
    const [row] = await platform.db.rows('SELECT count(DISTINCT transaction_id) AS n FROM fraud_decisions');
    return Number(row.n);
  } finally {
    platform.close();
  }
}

/** The reference: a JetStream durable pull consumer in its own process that acknowledges each message. */
async function bareRun(nc: NatsConnection, payloads: string[], tag: string): Promise<number> {
  const input = `bench.bare.${tag}.tx`;
  const stream = `BENCH_BARE_${tag}`;
  const manager = await jetstreamManager(nc);
  await manager.streams.add({ name: stream, subjects: [input] });
  const reader = child([
    '--import',
    'tsx',
    path.join(ROOT, 'bench/fraud/bare-consumer.ts'),
    SERVERS,
    stream,
    input,
    String(payloads.length),
  ]);
  try {
    await subscribed(nc, stream, 'bare');
    const started = performance.now();
    await publishAll(nc, input, payloads);
    await reader.done;
    return payloads.length / ((performance.now() - started) / 1000);
  } finally {
    reader.process.kill('SIGTERM');
    await manager.streams.delete(stream).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      transactions: { type: 'string', default: '200000' },
      json: { type: 'boolean', default: false },
    },
  });
  const n = Number(values.transactions);
  const log = values.json ? () => {} : (text: string) => console.log(text);
  const home = await prepareFraudWorkspace('fraud-stream-ws');
  // Live traffic after the training period; more users than training saw, so that n is reached.
  const users = Math.max(1000, Math.ceil(n / 60));
  const payloads = simulateTransactions({ seed: 7, users, start: Date.UTC(2026, 10, 1), days: 30 })
    .slice(0, n)
    .map((tx) => JSON.stringify(withoutLabel(tx)));
  const nc = await connect({ servers: SERVERS });
  const tag = `${process.pid}`;
  const loadBefore = os.loadavg()[0];
  try {
    const bare = await bareRun(nc, payloads, tag);
    log(`reference: bare JetStream consumer (ack only): ${Math.round(bare)} messages/s`);
    const fraud = await fraudRun(nc, home, payloads, tag);
    log(`fraud stream: ${JSON.stringify(fraud)}`);
    const loadAfter = os.loadavg()[0];
    if (values.json) {
      console.log(JSON.stringify({ fraud, bare, load: [loadBefore, loadAfter] }));
      return;
    }
    log('');
    log(
      `${new Date().toISOString().slice(0, 16)} · Node ${process.version} · ${os.cpus().length} cores · load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)} · ${payloads.length} transactions`,
    );
    log('| measure | transactions/s | / bare JetStream consumer | / target 20,000 |');
    log('|---|---|---|---|');
    for (const [name, rate] of [
      ['decided and published (first publish → last decision received)', fraud.decisionsPerSecond],
      ['stored and acknowledged (first publish → last ack)', fraud.storedPerSecond],
      ['bare JetStream consumer, ack only (reference)', bare],
    ] as const) {
      log(`| ${name} | ${Math.round(rate)} | ${(rate / bare).toFixed(2)} | ${(rate / 20_000).toFixed(2)} |`);
    }
    log(`rows in fraud_decisions afterwards: ${fraud.rowsInWarehouse}`);
  } finally {
    await nc.close();
  }
}

await main();
