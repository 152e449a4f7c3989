// Benchmark: batch scoring table → table (`cairn score`'s code path) with a 300-tree GBDT on
// 3,000,000 real flights, on 1 and 2 threads, against the bare predict kernel on the same rows.
// Usage: npx tsx bench/serving/batch.ts [--repeat N] [--chunk-rows N] [--json]
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { silentLogger } from '../../src/core/logger.js';
import { WorkerPool } from '../../src/core/workers/pool.js';
import { buildMatrix } from '../../src/models/features.js';
import { loadModel } from '../../src/models/load.js';
import { listVersions } from '../../src/models/registry.js';
import { parseSpec } from '../../src/models/spec.js';
import { trainModel } from '../../src/models/train.js';
import { openPlatform } from '../../src/platform.js';
import { DEFAULT_CHUNK_ROWS, scoreTable } from '../../src/serving/batch/score-table.js';
import { countRows, tableExists } from '../../src/warehouse/catalog.js';
import { readFrame } from '../../src/warehouse/frame-io.js';
import { literal } from '../../src/warehouse/sql.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HOME = path.join(ROOT, 'bench/out/serving-batch-ws');
/** 3,000,000 real US domestic flights of 2001 (vega-datasets): date, delay, distance, origin, destination. */
const SOURCE = '/work/shared/datasets/tabular/vega_flights/flights-3m.parquet';
const ROWS = 3_000_000;
const TRAIN_ROWS = 200_000;
const TREES = 300;

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '3' },
    'chunk-rows': { type: 'string', default: String(DEFAULT_CHUNK_ROWS) },
    json: { type: 'boolean', default: false },
  },
});
const REPEAT = Number(values.repeat);
const CHUNK_ROWS = Number(values['chunk-rows']);
if (!Number.isInteger(REPEAT) || REPEAT < 1) throw new Error(`--repeat must be ≥ 1, got '${values.repeat}'`);

const platform = await openPlatform({ home: HOME, logger: silentLogger });
const { db } = platform;
const log = (text: string) => process.stderr.write(`${text}\n`);

if (!(await tableExists(db, 'flights')) || (await countRows(db, 'flights')) !== ROWS) {
  log(`loading ${ROWS.toLocaleString('en')} flights…`);
  await db.run(`CREATE OR REPLACE TABLE flights AS SELECT * FROM read_parquet(${literal(SOURCE)})`);
  // A seeded sample to train on: the benchmark measures scoring, not fitting.
  await db.run(
    `CREATE OR REPLACE TABLE flights_train AS SELECT * FROM flights USING SAMPLE reservoir(${TRAIN_ROWS} ROWS) REPEATABLE (42)`,
  );
}
if ((await listVersions(db, 'flight_delay')).length === 0) {
  log(`training a ${TREES}-tree GBDT on ${TRAIN_ROWS.toLocaleString('en')} rows…`);
  await trainModel(
    db,
    platform.workspace.artifacts,
    parseSpec({
      name: 'flight_delay',
      task: 'regression',
      algorithm: 'gbdt',
      data: { table: 'flights_train' },
      target: 'delay',
      params: { n_estimators: TREES, early_stopping_rounds: 0 },
    }),
  );
}
const model = await loadModel(db, platform.workspace.artifacts, 'flight_delay');
const trees = (model.estimator.toJSON() as { ensemble: { trees: unknown[] } }).ensemble.trees.length;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Table → table, timed as a whole (reads, prediction, writes, checkpoints). */
async function timeScoring(threads: number): Promise<number> {
  const pool = threads > 1 ? new WorkerPool(threads) : undefined;
  try {
    const seconds: number[] = [];
    for (let r = 0; r <= REPEAT; r++) {
      const report = await scoreTable(
        db,
        platform.workspace.artifacts,
        { model: 'flight_delay', table: 'flights', into: 'flights_scores', chunkRows: CHUNK_ROWS },
        { pool },
      );
      if (report.rows !== ROWS) throw new Error(`scored ${report.rows} rows, expected ${ROWS}`);
      if (r > 0) seconds.push(report.seconds); // run 0 warms up
    }
    return median(seconds);
  } finally {
    await pool?.close();
  }
}

/** The predict kernel alone on one chunk's matrix, for comparison (no I/O). */
async function timeKernel(threads: number): Promise<number> {
  const frame = await readFrame(db, `SELECT * FROM flights LIMIT ${CHUNK_ROWS}`);
  const X = buildMatrix(frame, model.artifact.features);
  const pool = threads > 1 ? new WorkerPool(threads) : undefined;
  try {
    const seconds: number[] = [];
    for (let r = 0; r <= REPEAT; r++) {
      const started = performance.now();
      model.estimator.predict(X, { pool });
      if (r > 0) seconds.push((performance.now() - started) / 1000);
    }
    return CHUNK_ROWS / median(seconds);
  } finally {
    await pool?.close();
  }
}

const results = [];
for (const threads of [1, 2]) {
  log(`scoring on ${threads} thread(s)…`);
  const seconds = await timeScoring(threads);
  const kernel = await timeKernel(threads);
  results.push({ threads, seconds, rowsPerSecond: ROWS / seconds, kernelRowsPerSecond: kernel });
}
const [{ count }] = (await db.rows(
  'SELECT count(*) AS count FROM flights_scores WHERE prediction IS NOT NULL',
)) as { count: number }[];
if (Number(count) !== ROWS) throw new Error(`flights_scores holds ${count} scored rows, expected ${ROWS}`);
platform.close();

const load = os.loadavg()[0].toFixed(2);
if (values.json) {
  process.stdout.write(`${JSON.stringify({ rows: ROWS, trees, chunkRows: CHUNK_ROWS, load, results })}\n`);
} else {
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  console.log(
    `batch scoring flights (${ROWS.toLocaleString('en')} rows, 5 columns) → flights_scores, GBDT ${trees} trees depth 6, ` +
      `chunks of ${CHUNK_ROWS.toLocaleString('en')}, median of ${REPEAT} after a warm-up; load ${load}, ${os.availableParallelism()} cores`,
  );
  console.log('| threads | seconds | rows/s table → table | rows/s predict kernel only |');
  console.log('|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.threads} | ${r.seconds.toFixed(2)} | ${fmt(r.rowsPerSecond)} | ${fmt(r.kernelRowsPerSecond)} |`,
    );
  }
}
