// Benchmark: Cairn's isolation forest and imputers against scikit-learn 1.2.1 on the same data, one
// run. Isolation forest: ROC-AUC (mean over seeds 0..S−1) and fit + score seconds on ODDS sets from
// ../shared/datasets. Imputation: 20 % of the cells hidden by Cairn's maskAtRandom (seed 42),
// written to bench/out/unsupervised/ so scikit-learn fills exactly the same gaps; mean over
// columns of RMSE / column std, and fit + transform seconds. Runs are interleaved with
// scikit-learn's (through peers/peer_server.py, on 1 thread and on 2) in a rotating order, after one
// warm-up round, so a shared machine's load falls on all three alike; medians of wall and
// process-CPU seconds are printed with the load average.
// Usage: npx tsx bench/unsupervised/anomaly-impute.ts [--only iforest|impute] [--seeds 20]
//        [--repeat 5] [--warmup 3] [--datasets cardio,shuttle,…] [--json]
// (`warmup` untimed rounds before each job's timed ones, none for California's slow KNN: V8 compiles
// a kernel after its first calls, which dominate the millisecond jobs.)
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
import { median, PeerSession, timed, type PeerTiming } from './peer-session.js';

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

type Side = 'cairn' | 'sklearn1' | 'sklearn2';
const SIDES: Side[] = ['cairn', 'sklearn1', 'sklearn2'];

/** Wall and CPU medians of one side, with the figures of its runs (medians and means taken by the caller). */
interface Runs<F> {
  seconds: number;
  cpu_seconds: number;
  runs: F[];
}

/**
 * Runs `count` rounds (after `warmUp` untimed ones) of the three sides in rotating order; round r
 * passes r to the runners (the isolation forest's seed).
 */
async function interleave<F extends PeerTiming>(
  count: number,
  warmUp: number,
  cairn: (round: number) => F,
  peer: (round: number, threads: number) => Promise<F>,
): Promise<Record<Side, Runs<F>>> {
  const runs: Record<Side, F[]> = { cairn: [], sklearn1: [], sklearn2: [] };
  for (let r = -warmUp; r < count; r++) {
    for (let s = 0; s < SIDES.length; s++) {
      const side = SIDES[(s + r + warmUp) % SIDES.length];
      const round = Math.max(r, 0);
      const run = side === 'cairn' ? cairn(round) : await peer(round, side === 'sklearn1' ? 1 : 2);
      if (r >= 0) runs[side].push(run);
    }
  }
  const summary = (list: F[]): Runs<F> => ({
    seconds: median(list.map((x) => x.seconds)),
    cpu_seconds: median(list.map((x) => x.cpu_seconds)),
    runs: list,
  });
  return { cairn: summary(runs.cairn), sklearn1: summary(runs.sklearn1), sklearn2: summary(runs.sklearn2) };
}

interface IforestRun extends PeerTiming {
  auc: number;
}

interface IforestRow {
  dataset: string;
  rows: number;
  cols: number;
  sides: Record<Side, Runs<IforestRun>>;
  load: [number, number];
}

async function benchIforest(name: string, seeds: number, peer: PeerSession): Promise<IforestRow> {
  const file = `${ODDS}${name}.csv`;
  const { X, y } = readNumericCsv(file, [], 'label_outlier');
  const before = os.loadavg()[0];
  const sides = await interleave<IforestRun>(
    seeds,
    warmup,
    (seed) => {
      const { value: s, ...time } = timed(() => fitIsolationForest(X, { seed }).score(X));
      return { ...time, auc: rocAuc(y, s) };
    },
    (seed, threads) => peer.call<IforestRun>({ task: 'iforest', file, seed, threads }),
  );
  return { dataset: name, rows: X.rows, cols: X.cols, sides, load: [before, os.loadavg()[0]] };
}

interface ImputeRun extends PeerTiming {
  nrmse: number;
}

interface ImputeRow {
  dataset: string;
  rows: number;
  cols: number;
  masked: number;
  method: string;
  sides: Record<Side, Runs<ImputeRun>>;
  load: [number, number];
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

async function benchImpute(name: string, repeat: number, peer: PeerSession): Promise<ImputeRow[]> {
  const { file, drop } = IMPUTE_SETS[name];
  const { X } = readNumericCsv(file, drop);
  const masked = maskAtRandom(X, 0.2, 42);
  mkdirSync(OUT, { recursive: true });
  const full = `${OUT}${name}_full.csv`;
  const hidden = `${OUT}${name}_masked.csv`;
  writeCsv(X, full);
  writeCsv(masked.X, hidden);
  const methods: [string, () => ImputeModel][] = [
    ['mean', () => fitSimpleImputer(masked.X)],
    ['knn', () => fitKnnImputer(masked.X)],
    ['iterative', () => fitIterativeImputer(masked.X)],
  ];
  const rows: ImputeRow[] = [];
  for (const [method, fit] of methods) {
    // scikit-learn's KNN takes about a minute on California: one timed round there.
    const slow = method === 'knn' && name === 'california';
    const before = os.loadavg()[0];
    const sides = await interleave<ImputeRun>(
      slow ? 1 : repeat,
      slow ? 0 : warmup,
      () => {
        const { value, ...time } = timed(() => fit().transform(masked.X).X);
        return { ...time, nrmse: nrmse(X, value, masked) };
      },
      (_, threads) => peer.call<ImputeRun>({ task: 'impute', full, masked: hidden, method, threads }),
    );
    rows.push({
      dataset: name,
      rows: X.rows,
      cols: X.cols,
      masked: masked.cells.length,
      method,
      sides,
      load: [before, os.loadavg()[0]],
    });
  }
  return rows;
}

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    seeds: { type: 'string', default: '20' },
    repeat: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    datasets: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const chosen = values.datasets?.split(',');
const warmup = Number(values.warmup);
const peer = PeerSession.start('peer_server.py');
const iforest: IforestRow[] = [];
if (values.only !== 'impute') {
  for (const d of IFOREST_SETS.filter((d) => chosen === undefined || chosen.includes(d)))
    iforest.push(await benchIforest(d, Number(values.seeds), peer));
}
const impute: ImputeRow[] = [];
if (values.only !== 'iforest') {
  for (const d of Object.keys(IMPUTE_SETS).filter((d) => chosen === undefined || chosen.includes(d)))
    impute.push(...(await benchImpute(d, Number(values.repeat), peer)));
}
peer.close();

const f = (v: number, digits = 4) => v.toFixed(digits);
const ratio = (a: number, b: number) => (a / b).toFixed(2);
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const load = (l: [number, number]) => `${l[0].toFixed(1)} → ${l[1].toFixed(1)}`;
if (values.json) {
  console.log(JSON.stringify({ iforest, impute }));
} else {
  console.log(`Node ${process.version}; medians of interleaved runs after ${warmup} warm-up rounds\n`);
  if (iforest.length > 0) {
    console.log(
      `Isolation forest (100 trees, 256 rows per tree; ROC-AUC mean of seeds 0..${Number(values.seeds) - 1}; fit + score seconds)\n`,
    );
    console.log(
      '| dataset | rows × cols | AUC Cairn | AUC sklearn | Δ AUC | s Cairn | s sklearn 1 thr | ratio | s sklearn 2 thr | ratio | CPU-time ratio (1 thr) | load |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of iforest) {
      const { cairn, sklearn1, sklearn2 } = r.sides;
      const ours = mean(cairn.runs.map((x) => x.auc));
      const theirs = mean(sklearn1.runs.map((x) => x.auc));
      console.log(
        `| ${r.dataset} | ${r.rows} × ${r.cols} | ${f(ours)} | ${f(theirs)} | ${(ours - theirs >= 0 ? '+' : '') + f(ours - theirs)} | ${f(cairn.seconds, 3)} | ${f(sklearn1.seconds, 3)} | ${ratio(cairn.seconds, sklearn1.seconds)} | ${f(sklearn2.seconds, 3)} | ${ratio(cairn.seconds, sklearn2.seconds)} | ${ratio(cairn.cpu_seconds, sklearn1.cpu_seconds)} | ${load(r.load)} |`,
      );
    }
  }
  if (impute.length > 0) {
    console.log(
      '\nImputation (20 % of cells hidden, Cairn maskAtRandom seed 42; nRMSE = mean over columns of RMSE / std; fit + transform seconds)\n',
    );
    console.log(
      '| dataset | rows × cols | hidden | method | nRMSE Cairn | nRMSE sklearn | s Cairn | s sklearn 1 thr | ratio | s sklearn 2 thr | ratio | CPU-time ratio (1 thr) | load |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of impute) {
      const { cairn, sklearn1, sklearn2 } = r.sides;
      console.log(
        `| ${r.dataset} | ${r.rows} × ${r.cols} | ${r.masked} | ${r.method} | ${f(cairn.runs[0].nrmse)} | ${f(sklearn1.runs[0].nrmse)} | ${f(cairn.seconds, 3)} | ${f(sklearn1.seconds, 3)} | ${ratio(cairn.seconds, sklearn1.seconds)} | ${f(sklearn2.seconds, 3)} | ${ratio(cairn.seconds, sklearn2.seconds)} | ${ratio(cairn.cpu_seconds, sklearn1.cpu_seconds)} | ${load(r.load)} |`,
      );
    }
  }
}
