// Benchmark: POST /v1/fraud/score end to end from a second process (an open-loop load at fixed rates, bench/fixed-rate.ts), and
// the scoring path's throughput in process on one thread (what a stream consumer calls per message).
// Streaming from NATS end to end: bench/fraud/streaming.ts.
// Usage: npx tsx bench/fraud/latency.ts [--seconds 10] [--rates 1000,2000] [--json]
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { startCairnServer } from '../cairn-server.js';
import { withoutMemoryReducer } from '../quiet-process.js';
import { loadAtRate, type RateRun } from '../fixed-rate.js';
import { silentLogger } from '../../src/core/logger.js';
import { openPlatform } from '../../src/platform.js';
import { FraudService } from '../../src/solutions/fraud/service.js';
import { simulateTransactions } from '../../src/solutions/fraud/simulator.js';
import { withoutLabel, type Transaction } from '../../src/solutions/fraud/transaction.js';
import { CAIRN, prepareFraudWorkspace } from './workspace.js';

/**
 * Live traffic after the training period, timestamps in order, enough that no transaction is sent
 * twice: a repeated one would land behind its user's windows (late) and read as another user's past.
 */
function liveTransactions(): Transaction[] {
  return simulateTransactions({ seed: 7, users: 2000, start: Date.UTC(2026, 10, 1), days: 10 }).map(
    withoutLabel,
  );
}

/** An admin API key for the workspace when the build has authentication (`cairn keys`), else none. */
function apiKey(home: string): string | undefined {
  try {
    const out = execFileSync(
      process.execPath,
      [CAIRN, '--home', home, 'keys', 'create', '--role', 'admin', '--json'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return (JSON.parse(out.toString()) as { key: string }).key;
  } catch {
    return undefined;
  }
}

/** One fixed-rate run over the next `rate × seconds` transactions of `feed` (each sent once). */
function load(
  url: string,
  feed: { txs: Transaction[]; next: number },
  rate: number,
  seconds: number,
  key: string | undefined,
): Promise<RateRun> {
  const count = Math.ceil(rate * seconds * 1.1);
  const bodies = feed.txs.slice(feed.next, feed.next + count).map((tx) => JSON.stringify(tx));
  feed.next += count;
  return loadAtRate(url, '/v1/fraud/score', bodies, key, rate, seconds);
}

/** Transactions/s through FraudService.score (features, rules, ensemble, decision log buffer) on one thread. */
async function streamingThroughput(
  home: string,
  txs: Transaction[],
): Promise<{ perSecond: number; n: number }> {
  const platform = await openPlatform({ home, logger: silentLogger });
  try {
    const fraud = await FraudService.open({
      db: platform.db,
      artifactsDir: platform.workspace.artifacts,
      logger: silentLogger,
    });
    for (const tx of txs.slice(0, 2000)) fraud.score(tx);
    const timed = txs.slice(2000);
    const started = performance.now();
    for (const tx of timed) fraud.score(tx);
    const seconds = (performance.now() - started) / 1000;
    await fraud.close();
    // The server that follows starts with no history, as before this run.
    await platform.db.run('DROP TABLE IF EXISTS fraud_decisions');
    return { perSecond: timed.length / seconds, n: timed.length };
  } finally {
    platform.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      rates: { type: 'string', default: '1000,2000' },
      json: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  const log = values.json ? () => {} : (text: string) => console.log(text);
  const home = await prepareFraudWorkspace('fraud-ws');
  const txs = liveTransactions();
  const stream = await streamingThroughput(home, txs);
  log(`scoring path (in process, 1 thread): ${Math.round(stream.perSecond)} transactions/s over ${stream.n}`);
  const key = apiKey(home);
  const loadBefore = os.loadavg()[0];
  const server = await startCairnServer(home);
  const runs: RateRun[] = [];
  try {
    const feed = { txs, next: 0 };
    await load(server.url, feed, 500, 3, key);
    for (const rate of values.rates.split(',').map(Number)) {
      const run = await load(server.url, feed, rate, seconds, key);
      runs.push(run);
      log(`fixed ${rate}/s: ${JSON.stringify(run)}`);
    }
  } finally {
    await server.stop();
  }
  const loadAfter = os.loadavg()[0];
  if (values.json) {
    console.log(JSON.stringify({ stream, runs, load: [loadBefore, loadAfter] }));
    return;
  }
  log('');
  log(
    `${new Date().toISOString().slice(0, 10)} · Node ${process.version} · ${os.cpus().length} cores · load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`,
  );
  log('| transactions/s asked | achieved | p50 ms | p99 ms | max ms | errors + non-2xx |');
  log('|---|---|---|---|---|---|');
  for (const r of runs) {
    log(`| ${r.target} | ${Math.round(r.achieved)} | ${r.p50} | ${r.p99} | ${r.max} | ${r.failed} |`);
  }
}

await withoutMemoryReducer();
await main();
