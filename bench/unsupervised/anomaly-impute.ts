// Benchmark: Cairn's isolation forest and imputers against scikit-learn 1.2.1 on the same data, one
// run. Isolation forest: ROC-AUC (mean over seeds 0..S−1) and fit/score seconds on ODDS sets from
// ../shared/datasets. Imputation: 20 % of the cells hidden by Cairn's maskAtRandom (seed 42),
// written to bench/out/unsupervised/ so scikit-learn fills exactly the same gaps; mean over
// columns of RMSE / column std, and fit + transform seconds. Both sides on one thread.
// Usage: npx tsx bench/unsupervised/anomaly-impute.ts [--only iforest|impute] [--seeds 20]
//        [--repeat 3] [--datasets cardio,shuttle,…] [--json]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { featureMatrix, type FeatureMatrix } from '../../src/ml/matrix.js';
import { rocAuc } from '../../src/ml/metrics/index.js';
import { fitIsolationForest } from '../../src/ml/anomaly/index.js';
import { columnMoments } from '../../src/ml/anomaly/column-stats.js';
import {
  fitIterativeImputer,
  fitKnnImputer,
  fitSimpleImputer,
  maskAtRandom,
  maskedRmse,
  type ImputeModel,
  type MaskedCells,
} from '../../src/ml/impute/index.js';

const PYTHON = '/usr/bin/python3';
const PEER = fileURLToPath(new URL('./peers/anomaly_impute_peer.py', import.meta.url));
const OUT = fileURLToPath(new URL('../out/unsupervised/', import.meta.url));
const ODDS = '/work/shared/datasets/tabular-anomaly/odds/';
const DATA = fileURLToPath(new URL('../../data/', import.meta.url));

const IFOREST_SETS = ['cardio', 'satellite', 'pendigits', 'mnist', 'shuttle'];
/** File, columns to drop (targets and labels), and whether KNN runs there (sklearn's takes ~45 s on housing). */
const IMPUTE_SETS: Record<string, { file: string; drop: string[] }> = {
  wine: { file: `${DATA}wine.csv`, drop: ['target', 'target_name'] },
  breast_cancer: { file: `${DATA}breast_cancer.csv`, drop: ['target', 'target_name'] },
  california: { file: `${DATA}california_housing.csv`, drop: ['ocean_proximity', 'median_house_value'] },
};

/** A numeric CSV (blank = missing) as a matrix, without the `drop` columns; `label` returned apart. */
function readNumericCsv(file: string, drop: string[], label?: string): { X: FeatureMatrix; y: Float64Array } {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const keep = header
    .map((name, j) => ({ name, j }))
    .filter((c) => !drop.includes(c.name) && c.name !== label);
  const labelAt = label === undefined ? -1 : header.indexOf(label);
  const n = lines.length - 1;
  const columns = keep.map(() => new Float64Array(n));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const cells = lines[i + 1].split(',');
    keep.forEach((c, m) => (columns[m][i] = cells[c.j] === '' ? NaN : Number(cells[c.j])));
    if (labelAt >= 0) y[i] = Number(cells[labelAt]);
  }
  return {
    X: featureMatrix(
      columns,
      keep.map((c) => c.name),
    ),
    y,
  };
}

function writeCsv(X: FeatureMatrix, file: string): void {
  const lines = [X.names.join(',')];
  for (let i = 0; i < X.rows; i++) {
    const row: string[] = [];
    for (let j = 0; j < X.cols; j++) {
      const v = X.data[j * X.rows + i];
      row.push(Number.isNaN(v) ? '' : String(v));
    }
    lines.push(row.join(','));
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function peer(args: string[]): Record<string, unknown> {
  const run = spawnSync(PYTHON, [PEER, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`peer failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

interface IforestRow {
  dataset: string;
  rows: number;
  cols: number;
  cairn: { auc: number; fit: number; score: number };
  sklearn: { auc: number; fit: number; score: number };
}

function benchIforest(name: string, seeds: number): IforestRow {
  const file = `${ODDS}${name}.csv`;
  const { X, y } = readNumericCsv(file, [], 'label_outlier');
  fitIsolationForest(X, { seed: 99 }).score(X); // warm-up
  const aucs: number[] = [];
  const fits: number[] = [];
  const scores: number[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const t0 = performance.now();
    const model = fitIsolationForest(X, { seed });
    const t1 = performance.now();
    const s = model.score(X);
    const t2 = performance.now();
    aucs.push(rocAuc(y, s));
    fits.push((t1 - t0) / 1000);
    scores.push((t2 - t1) / 1000);
  }
  const ref = peer(['--task', 'iforest', '--csv', file, '--seeds', String(seeds)]) as {
    auc_mean: number;
    fit_s: number;
    score_s: number;
  };
  return {
    dataset: name,
    rows: X.rows,
    cols: X.cols,
    cairn: { auc: aucs.reduce((a, b) => a + b) / seeds, fit: median(fits), score: median(scores) },
    sklearn: { auc: ref.auc_mean, fit: ref.fit_s, score: ref.score_s },
  };
}

interface ImputeRow {
  dataset: string;
  rows: number;
  cols: number;
  masked: number;
  method: string;
  cairn: { nrmse: number; seconds: number };
  sklearn: { nrmse: number; seconds: number };
}

function nrmse(X: FeatureMatrix, filled: FeatureMatrix, masked: MaskedCells): number {
  const r = maskedRmse(filled, masked);
  let sum = 0;
  let m = 0;
  for (let j = 0; j < X.cols; j++) {
    if (Number.isNaN(r[j])) continue;
    sum += r[j] / columnMoments(X, j).std;
    m++;
  }
  return sum / m;
}

function benchImpute(name: string, repeat: number): ImputeRow[] {
  const { file, drop } = IMPUTE_SETS[name];
  const { X } = readNumericCsv(file, drop);
  const masked = maskAtRandom(X, 0.2, 42);
  mkdirSync(OUT, { recursive: true });
  writeCsv(X, `${OUT}${name}_full.csv`);
  writeCsv(masked.X, `${OUT}${name}_masked.csv`);
  const methods: [string, () => ImputeModel][] = [
    ['mean', () => fitSimpleImputer(masked.X)],
    ['knn', () => fitKnnImputer(masked.X)],
    ['iterative', () => fitIterativeImputer(masked.X)],
  ];
  const ref = peer([
    '--task',
    'impute',
    '--full',
    `${OUT}${name}_full.csv`,
    '--masked',
    `${OUT}${name}_masked.csv`,
    '--repeat',
    String(name === 'california' ? 1 : repeat),
  ]) as Record<string, { nrmse: number; seconds: number }>;
  return methods.map(([method, fit]) => {
    for (let w = 0; w < (method === 'knn' && name === 'california' ? 1 : 5); w++) fit().transform(masked.X); // warm-up (JIT)
    const times: number[] = [];
    let filled = masked.X;
    for (let r = 0; r < (method === 'knn' && name === 'california' ? 1 : repeat); r++) {
      const t0 = performance.now();
      filled = fit().transform(masked.X).X;
      times.push((performance.now() - t0) / 1000);
    }
    return {
      dataset: name,
      rows: X.rows,
      cols: X.cols,
      masked: masked.cells.length,
      method,
      cairn: { nrmse: nrmse(X, filled, masked), seconds: median(times) },
      sklearn: ref[method],
    };
  });
}

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    seeds: { type: 'string', default: '20' },
    repeat: { type: 'string', default: '3' },
    datasets: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const chosen = values.datasets?.split(',');
const loadBefore = os.loadavg()[0];
const iforest =
  values.only === 'impute'
    ? []
    : IFOREST_SETS.filter((d) => chosen === undefined || chosen.includes(d)).map((d) =>
        benchIforest(d, Number(values.seeds)),
      );
const impute =
  values.only === 'iforest'
    ? []
    : Object.keys(IMPUTE_SETS)
        .filter((d) => chosen === undefined || chosen.includes(d))
        .flatMap((d) => benchImpute(d, Number(values.repeat)));
const load = [loadBefore, os.loadavg()[0]];

const f = (v: number, digits = 4) => v.toFixed(digits);
const ratio = (a: number, b: number) => (a / b).toFixed(2);
if (values.json) {
  console.log(JSON.stringify({ iforest, impute, load }));
} else {
  if (iforest.length > 0) {
    console.log(
      `Isolation forest (100 trees, 256 rows per tree; ROC-AUC mean of seeds 0..${Number(values.seeds) - 1}; times median, seconds)\n`,
    );
    console.log(
      '| dataset | rows × cols | AUC Cairn | AUC sklearn | Δ AUC | fit Cairn | fit sklearn | score Cairn | score sklearn | (fit+score) Cairn / sklearn |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of iforest) {
      console.log(
        `| ${r.dataset} | ${r.rows} × ${r.cols} | ${f(r.cairn.auc)} | ${f(r.sklearn.auc)} | ${(r.cairn.auc - r.sklearn.auc >= 0 ? '+' : '') + f(r.cairn.auc - r.sklearn.auc)} | ${f(r.cairn.fit, 3)} | ${f(r.sklearn.fit, 3)} | ${f(r.cairn.score, 3)} | ${f(r.sklearn.score, 3)} | ${ratio(r.cairn.fit + r.cairn.score, r.sklearn.fit + r.sklearn.score)} |`,
      );
    }
  }
  if (impute.length > 0) {
    console.log(
      '\nImputation (20 % of cells hidden, Cairn maskAtRandom seed 42; normalised RMSE = mean over columns of RMSE / std; fit + transform seconds)\n',
    );
    console.log(
      '| dataset | rows × cols | hidden | method | nRMSE Cairn | nRMSE sklearn | seconds Cairn | seconds sklearn | time Cairn / sklearn |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of impute) {
      console.log(
        `| ${r.dataset} | ${r.rows} × ${r.cols} | ${r.masked} | ${r.method} | ${f(r.cairn.nrmse)} | ${f(r.sklearn.nrmse)} | ${f(r.cairn.seconds, 3)} | ${f(r.sklearn.seconds, 3)} | ${ratio(r.cairn.seconds, r.sklearn.seconds)} |`,
      );
    }
  }
  console.log(`\nload average ${load[0].toFixed(1)} → ${load[1].toFixed(1)}; Node ${process.version}`);
}
