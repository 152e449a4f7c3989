// Benchmark: real-time predictions over HTTP from a second process. A 300-tree GBDT on UCI Adult
// behind `cairn serve`, loaded open loop at fixed request rates (bench/fixed-rate.ts). See README.md.
// Usage: npx tsx bench/serving/http.ts [--seconds 10] [--rates 1000,2000] [--json]
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startCairnServer } from '../cairn-server.js';
import { withoutMemoryReducer } from '../quiet-process.js';
import { loadAtRate, type RateRun } from '../fixed-rate.js';
import { silentLogger } from '../../src/core/logger.js';
import { loadModel } from '../../src/models/load.js';
import { parseSpec } from '../../src/models/spec.js';
import { setStage } from '../../src/models/stages.js';
import { trainModel } from '../../src/models/train.js';
import { openPlatform } from '../../src/platform.js';
import { ingest } from '../../src/warehouse/ingest/ingest.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WORKSPACE = path.join(ROOT, 'bench/out/serving-http-ws');
const ADULT = '/work/shared/datasets/tabular/adult/adult_train.csv';
const ROWS_PER_BODY = 1;
const P99_LIMIT_MS = 10;

/** The workspace with the table and a production model (made once, then reused), sample rows and a service key. */
async function prepare(): Promise<{ rows: Record<string, unknown>[]; key: string }> {
  const platform = await openPlatform({ home: WORKSPACE, logger: silentLogger });
  try {
    if (!existsSync(path.join(WORKSPACE, 'artifacts/models/adult/v1.json'))) {
      await ingest(platform.db, { source: ADULT, table: 'adult' });
      await trainModel(
        platform.db,
        platform.workspace.artifacts,
        parseSpec({
          name: 'adult',
          algorithm: 'gbdt',
          data: { table: 'adult' },
          target: 'income',
          params: { n_estimators: 300, max_depth: 6, learning_rate: 0.1, early_stopping_rounds: 0 },
        }),
      );
      await setStage(platform.db, 'adult', 1, 'production');
    }
    const model = await loadModel(platform.db, platform.workspace.artifacts, 'adult', 1);
    const fields = [...new Set(model.artifact.features.map((f) => f.column))];
    const rows = await platform.db.rows(
      `SELECT ${fields.map((f) => `"${f}"`).join(', ')} FROM adult USING SAMPLE 200 ROWS (reservoir, 7)`,
    );
    const { key } = await platform.security.keys.create({ role: 'service', name: 'bench' });
    return { rows, key };
  } finally {
    platform.close();
  }
}

function load(
  url: string,
  { rows, key }: { rows: Record<string, unknown>[]; key: string },
  rate: number,
  seconds: number,
): Promise<RateRun> {
  const bodies = rows.map((_, i) => JSON.stringify({ rows: rows.slice(i, i + ROWS_PER_BODY) }));
  return loadAtRate(url, '/v1/models/adult/predict', bodies, key, rate, seconds);
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
  const work = await prepare();
  const server = await startCairnServer(WORKSPACE, ['--rate-limit', '1000000000']);
  const runs: RateRun[] = [];
  const loadBefore = os.loadavg()[0];
  try {
    // Warm-up, unmeasured: the JIT's optimising tiers compile on background threads for the first
    // seconds of load, and on two shared cores that competes with both server and generator.
    await load(server.url, work, 1000, 5);
    for (const rate of values.rates.split(',').map(Number)) {
      const run = await load(server.url, work, rate, seconds);
      runs.push(run);
      log(`fixed ${rate}/s: ${JSON.stringify(run)}`);
    }
    // The highest rate, in steps of 500/s, that holds p99 ≤ 10 ms with no errors.
    let sustainable = 0;
    for (let rate = 1000; rate <= 20_000; rate += 500) {
      const run = await load(server.url, work, rate, Math.min(seconds, 5));
      log(`search ${rate}/s: ${JSON.stringify(run)}`);
      if (run.p99 > P99_LIMIT_MS || run.failed > 0 || run.achieved < 0.95 * rate) break;
      sustainable = rate;
    }
    const loadAfter = os.loadavg()[0];
    if (values.json) {
      console.log(JSON.stringify({ runs, sustainable, load: [loadBefore, loadAfter] }));
      return;
    }
    log('');
    log(
      `${new Date().toISOString().slice(0, 10)} · Node ${process.version} · ${os.cpus().length} cores · load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`,
    );
    log(
      '| requests/s asked | achieved | p50 ms | p99 ms | max ms | errors + non-2xx | client send lag p99 ms |',
    );
    log('|---|---|---|---|---|---|---|');
    for (const r of runs)
      log(
        `| ${r.target} | ${Math.round(r.achieved)} | ${r.p50} | ${r.p99} | ${r.max} | ${r.failed} | ${r.sendLagP99} |`,
      );
    log(
      `Highest rate with p99 ≤ ${P99_LIMIT_MS} ms: ${sustainable.toLocaleString('en')} requests/s (${ROWS_PER_BODY} row per request)`,
    );
  } finally {
    await server.stop();
  }
}

await withoutMemoryReducer();
await main();
