// Benchmark: Cairn's GBDT against XGBoost (hist) and scikit-learn's HistGradientBoosting on real
// tabular data, the same split for all, from one run. See README.md.
// Usage: npx tsx bench/supervised/supervised.ts [--datasets churn,adult,…] [--defaults] [--threads 2]
//        [--repeat N] [--no-peers] [--json]
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { WorkerPool } from '../../src/core/workers/pool.js';
import { rmse, rocAuc } from '../../src/ml/metrics/index.js';
import { fitGbdt, type GbdtModel, type GbdtParams } from '../../src/ml/tree/gbdt.js';
import { DATASETS, PEERS, PYTHON, type BenchDataset } from './datasets.js';
import { loadTrainTest, type Part } from './load.js';

interface Options {
  datasets: BenchDataset[];
  defaults: boolean;
  threads: number;
  repeat: number;
  peers: boolean;
  json: boolean;
}

/** One library's figures on one dataset. */
export interface Figures {
  metric: number;
  fitSeconds: number;
  rowsPerSecond: number;
  rowMicros: number;
  rounds?: number;
}

interface Row {
  dataset: string;
  task: 'binary' | 'regression';
  train: number;
  test: number;
  features: number;
  cairn: Figures;
  xgboost?: Figures;
  hgb?: Figures;
  /** XGBoost on one thread (fixed mode), for reading ratios on a machine other work keeps busy. */
  xgboost1?: Figures;
  load: [number, number];
}

/** The fixed comparison: 300 trees, depth 6, learning rate 0.1, 256 bins (Cairn: 255 value bins + missing). */
const FIXED: Partial<GbdtParams> = {
  nEstimators: 300,
  maxDepth: 6,
  learningRate: 0.1,
  maxBins: 255,
  earlyStoppingRounds: 0,
};
const XGBOOST_PARAMS = { n_estimators: 300, max_depth: 6, learning_rate: 0.1, max_bin: 256 };
const HGB_PARAMS = {
  max_iter: 300,
  max_depth: 6,
  learning_rate: 0.1,
  max_bins: 255,
  max_leaf_nodes: null,
  early_stopping: false,
};

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      datasets: { type: 'string', default: DATASETS.map((d) => d.name).join(',') },
      defaults: { type: 'boolean', default: false },
      threads: { type: 'string', default: '2' },
      repeat: { type: 'string', default: '1' },
      'no-peers': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const names = values.datasets.split(',').filter(Boolean);
  const datasets = names.map((name) => {
    const found = DATASETS.find((d) => d.name === name);
    if (found === undefined)
      throw new Error(`unknown dataset '${name}'; known: ${DATASETS.map((d) => d.name).join(', ')}`);
    return found;
  });
  const threads = Number(values.threads);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`--threads must be a positive integer, got '${values.threads}'`);
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new Error(`--repeat must be a positive integer, got '${values.repeat}'`);
  return {
    datasets,
    defaults: values.defaults,
    threads,
    repeat,
    peers: !values['no-peers'],
    json: values.json,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function score(task: Row['task'], y: Float64Array, predictions: Float64Array): number {
  return task === 'binary' ? rocAuc(y, predictions) : rmse(y, predictions);
}

/** Fits (median of `repeat` fits), then times batch prediction (median of 3) and 2,000 single rows. */
function runCairn(
  data: { train: Part; test: Part },
  task: Row['task'],
  params: Partial<GbdtParams>,
  pool: WorkerPool,
  repeat: number,
): Figures {
  const fits: number[] = [];
  let model: GbdtModel | null = null;
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    model = fitGbdt(data.train.X, data.train.y, params, { pool });
    fits.push((performance.now() - start) / 1000);
  }
  const { X, y } = data.test;
  const times: number[] = [];
  let predictions: Float64Array = new Float64Array(0);
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    predictions = model!.predict(X, { pool });
    times.push((performance.now() - start) / 1000);
  }
  const rows = Array.from({ length: Math.min(X.rows, 200) }, (_, r) =>
    Float64Array.from({ length: X.cols }, (_, f) => X.data[f * X.rows + r]),
  );
  for (let i = 0; i < 200; i++) model!.predictRow(rows[i % rows.length]);
  const latencies: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const start = performance.now();
    model!.predictRow(rows[i % rows.length]);
    latencies.push((performance.now() - start) * 1000);
  }
  return {
    metric: score(task, y, predictions),
    fitSeconds: median(fits),
    rowsPerSecond: X.rows / median(times),
    rowMicros: median(latencies),
    rounds: model!.bestIteration + 1,
  };
}

interface PeerResult {
  fit_s: number;
  predict_s: number;
  predict_one_row_model_ms: number;
  n_test: number;
  metrics: { auc?: number; rmse?: number };
  error?: string;
}

function runPeer(
  algo: 'xgboost' | 'sklearn_hgb',
  dataset: BenchDataset,
  files: { train: string; test: string },
  threads: number,
): Figures {
  const params = algo === 'xgboost' ? XGBOOST_PARAMS : HGB_PARAMS;
  const args = [
    `${PEERS}/peer.py`,
    '--task',
    dataset.task,
    '--algo',
    algo,
    '--train',
    files.train,
    '--test',
    files.test,
  ];
  args.push(
    '--target',
    dataset.target,
    '--threads',
    String(threads),
    '--params',
    JSON.stringify(params),
    '--reps',
    '200',
  );
  if (dataset.drop.length > 0) args.push('--drop', dataset.drop.join(','));
  const run = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 2 ** 26 });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  const result = JSON.parse(line || '{}') as PeerResult;
  if (run.status !== 0 || result.error !== undefined) {
    throw new Error(`peer.py ${algo} failed on ${dataset.name}: ${result.error ?? run.stderr}`);
  }
  return {
    metric: dataset.task === 'binary' ? result.metrics.auc! : result.metrics.rmse!,
    fitSeconds: result.fit_s,
    rowsPerSecond: result.n_test / result.predict_s,
    rowMicros: result.predict_one_row_model_ms * 1000,
  };
}

function loadAverage(): number {
  return Math.round(os.loadavg()[0] * 100) / 100;
}

const fmt = {
  metric: (task: Row['task'], v: number | undefined) =>
    v === undefined ? '–' : task === 'binary' ? v.toFixed(4) : v.toFixed(0),
  seconds: (v: number | undefined) => (v === undefined ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1)),
  rate: (v: number | undefined) => (v === undefined ? '–' : Math.round(v).toLocaleString('en')),
  micros: (v: number | undefined) => (v === undefined ? '–' : v.toFixed(1)),
  ratio: (a: number, b: number | undefined) => (b === undefined ? '–' : (a / b).toFixed(2)),
};

function printTable(rows: Row[], defaults: boolean, log: (line: string) => void): void {
  if (defaults) {
    log(
      '| dataset | task | Cairn defaults | rounds | XGBoost 300/6/0.1 | difference | target | fit s Cairn / XGBoost | load |',
    );
    log('|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const x = r.xgboost?.metric;
      const diff =
        x === undefined
          ? '–'
          : r.task === 'binary'
            ? (r.cairn.metric - x).toFixed(4)
            : `× ${(r.cairn.metric / x).toFixed(3)}`;
      const ok =
        x === undefined
          ? '–'
          : r.task === 'binary'
            ? r.cairn.metric >= x - 0.003
              ? 'ok (≥ −0.003)'
              : 'MISS'
            : r.cairn.metric <= 1.01 * x
              ? 'ok (≤ × 1.01)'
              : 'MISS';
      log(
        `| ${r.dataset} | ${r.task === 'binary' ? 'AUC' : 'RMSE'} | ${fmt.metric(r.task, r.cairn.metric)} | ${r.cairn.rounds} | ${fmt.metric(r.task, x)} | ${diff} | ${ok} | ${fmt.seconds(r.cairn.fitSeconds)} / ${fmt.seconds(r.xgboost?.fitSeconds)} | ${r.load[0]} → ${r.load[1]} |`,
      );
    }
    return;
  }
  log(
    '| dataset | rows train / test | metric | Cairn | XGBoost | HGB | fit s Cairn | XGBoost | HGB | XGBoost 1 thread | fit Cairn/XGB | predict rows/s Cairn | XGBoost | 1 row µs Cairn | XGBoost | load |',
  );
  log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    log(
      `| ${r.dataset} | ${r.train.toLocaleString('en')} / ${r.test.toLocaleString('en')} | ${r.task === 'binary' ? 'AUC' : 'RMSE'} | ` +
        `${fmt.metric(r.task, r.cairn.metric)} | ${fmt.metric(r.task, r.xgboost?.metric)} | ${fmt.metric(r.task, r.hgb?.metric)} | ` +
        `${fmt.seconds(r.cairn.fitSeconds)} | ${fmt.seconds(r.xgboost?.fitSeconds)} | ${fmt.seconds(r.hgb?.fitSeconds)} | ${fmt.seconds(r.xgboost1?.fitSeconds)} | ` +
        `${fmt.ratio(r.cairn.fitSeconds, r.xgboost?.fitSeconds)} | ${fmt.rate(r.cairn.rowsPerSecond)} | ${fmt.rate(r.xgboost?.rowsPerSecond)} | ` +
        `${fmt.micros(r.cairn.rowMicros)} | ${fmt.micros(r.xgboost?.rowMicros)} | ${r.load[0]} → ${r.load[1]} |`,
    );
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  const log = options.json ? () => {} : (line: string) => console.log(line);
  const pool = new WorkerPool(options.threads);
  const rows: Row[] = [];
  try {
    for (const dataset of options.datasets) {
      const files = await dataset.prepare();
      const data = await loadTrainTest(files.train, files.test, dataset.target, dataset.drop);
      const before = loadAverage();
      log(
        `${dataset.name}: ${data.train.X.rows} train, ${data.test.X.rows} test rows, ${data.train.X.cols} features (load ${before})`,
      );
      const params: Partial<GbdtParams> = options.defaults ? {} : FIXED;
      const row: Row = {
        dataset: dataset.name,
        task: dataset.task,
        train: data.train.X.rows,
        test: data.test.X.rows,
        features: data.train.X.cols,
        cairn: runCairn(data, dataset.task, params, pool, options.repeat),
        load: [before, before],
      };
      if (options.peers) {
        row.xgboost = runPeer('xgboost', dataset, files, options.threads);
        if (!options.defaults) {
          row.hgb = runPeer('sklearn_hgb', dataset, files, options.threads);
          if (options.threads > 1) row.xgboost1 = runPeer('xgboost', dataset, files, 1);
        }
      }
      row.load[1] = loadAverage();
      rows.push(row);
      log(`  cairn ${JSON.stringify(row.cairn)}`);
      log(
        `  xgboost ${JSON.stringify(row.xgboost ?? null)} (1 thread ${JSON.stringify(row.xgboost1 ?? null)})`,
      );
      log(`  hgb ${JSON.stringify(row.hgb ?? null)}`);
    }
  } finally {
    await pool.close();
  }
  if (options.json) {
    console.log(JSON.stringify({ defaults: options.defaults, threads: options.threads, rows }));
    return;
  }
  log('');
  log(
    `${new Date().toISOString().slice(0, 10)} · Node ${process.version} · ${options.threads} threads · ${os.cpus().length} cores`,
  );
  printTable(rows, options.defaults, log);
}

await main();
