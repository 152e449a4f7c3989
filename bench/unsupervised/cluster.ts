// Benchmark: Cairn's clustering and t-SNE against scikit-learn 1.2 on the same real data, from one
// run. The TypeScript side prepares each matrix once (standardised as StandardScaler does, digits
// raw) and writes it to bench/out/unsupervised/cluster/ so scikit-learn reads the very same numbers.
// Usage: npx tsx bench/unsupervised/cluster.ts [--repeat 3] [--only kmeans,dbscan,agglomerative,tsne]
//        [--no-peers] [--json]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fitAgglomerative } from '../../src/ml/cluster/agglomerative.js';
import { fitDbscan } from '../../src/ml/cluster/dbscan.js';
import { fitKMeans } from '../../src/ml/cluster/kmeans.js';
import { fitTsne } from '../../src/ml/decomposition/tsne.js';
import type { FeatureMatrix } from '../../src/ml/matrix.js';
import { adjustedRandIndex } from '../../src/ml/metrics/cluster-agreement.js';
import { trustworthiness } from '../../src/ml/metrics/trustworthiness.js';
import { standardise } from '../../test/cluster-data.js';
import { loadCsv } from '../../test/ml-data.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'bench/out/unsupervised/cluster');
const PYTHON = '/usr/bin/python3';
const PEER = path.join(ROOT, 'bench/unsupervised/peers/cluster_peer.py');

interface Data {
  name: string;
  X: FeatureMatrix;
  y: Int32Array;
  file: string;
}

type Task = 'kmeans' | 'dbscan' | 'agglomerative' | 'tsne';

interface Job {
  name: string;
  task: Task;
  data: Data;
  k?: number;
  eps?: number;
  min_samples?: number;
  linkage?: 'ward' | 'complete' | 'average' | 'single';
}

interface Figures {
  seconds: number;
  inertia?: number;
  ari?: number;
  trustworthiness?: number;
}

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '3' },
    only: { type: 'string', default: 'kmeans,dbscan,agglomerative,tsne' },
    'no-peers': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const repeat = Number(values.repeat);
const only = new Set(values.only.split(','));

async function load(
  name: string,
  file: string,
  target: string,
  drop: string[],
  scale: boolean,
): Promise<Data> {
  const { X: raw, y } = await loadCsv(file, { target, drop });
  const X = scale ? standardise(raw) : raw;
  return { name, X, y: Int32Array.from(y), file: writeMatrix(name, X, y) };
}

/** Writes X and its labels as CSV (features f0…, then `label`) for the scikit-learn side. */
function writeMatrix(name: string, X: FeatureMatrix, y: ArrayLike<number>): string {
  mkdirSync(OUT, { recursive: true });
  const out = path.join(OUT, `${name}.csv`);
  const lines = [[...X.names.map((_, j) => `f${j}`), 'label'].join(',')];
  for (let i = 0; i < X.rows; i++) {
    const row: string[] = [];
    // 17 significant digits round-trip a double exactly, so both sides cluster the same numbers.
    for (let j = 0; j < X.cols; j++) row.push(X.data[j * X.rows + i].toPrecision(17));
    row.push(String(y[i]));
    lines.push(row.join(','));
  }
  writeFileSync(out, lines.join('\n') + '\n');
  return out;
}

/** California housing without its target, ocean_proximity and the 207 rows missing total_bedrooms. */
async function california(): Promise<Data> {
  const { X, y } = await loadCsv('california_housing.csv', {
    target: 'median_house_value',
    drop: ['ocean_proximity'],
  });
  const keep: number[] = [];
  for (let i = 0; i < X.rows; i++) {
    let ok = true;
    for (let j = 0; j < X.cols; j++) if (Number.isNaN(X.data[j * X.rows + i])) ok = false;
    if (ok) keep.push(i);
  }
  const data = new Float64Array(keep.length * X.cols);
  for (let j = 0; j < X.cols; j++)
    keep.forEach((r, i) => (data[j * keep.length + i] = X.data[j * X.rows + r]));
  const Z = standardise({ ...X, rows: keep.length, data });
  // No class labels: ARI is reported against the price quintile only for completeness.
  const prices = keep.map((r) => y[r]);
  const byPrice = prices.map((_, i) => i).sort((a, b) => prices[a] - prices[b]);
  const quintile = new Int32Array(prices.length);
  byPrice.forEach((i, rank) => (quintile[i] = Math.floor((rank / prices.length) * 5)));
  return { name: 'california', X: Z, y: quintile, file: writeMatrix('california', Z, quintile) };
}

function runCairn(job: Job): Figures {
  const { X, y } = job.data;
  const once = (): Omit<Figures, 'seconds'> => {
    switch (job.task) {
      case 'kmeans': {
        const model = fitKMeans(X, { k: job.k!, nInit: 10 });
        return { inertia: model.inertia, ari: adjustedRandIndex(y, model.predict(X)) };
      }
      case 'dbscan':
        return {
          ari: adjustedRandIndex(y, fitDbscan(X, { eps: job.eps!, minSamples: job.min_samples }).labels),
        };
      case 'agglomerative':
        return { ari: adjustedRandIndex(y, fitAgglomerative(X, { k: job.k, linkage: job.linkage }).labels) };
      case 'tsne':
        return { trustworthiness: NaN, embedding: fitTsne(X, { seed: 0 }).embedding } as Omit<
          Figures,
          'seconds'
        >;
    }
  };
  const times: number[] = [];
  let figures: Omit<Figures, 'seconds'> = {};
  for (let r = 0; r <= repeat; r++) {
    const t0 = performance.now();
    figures = once();
    if (r > 0) times.push((performance.now() - t0) / 1000);
  }
  const embedding = (figures as { embedding?: FeatureMatrix }).embedding;
  if (embedding !== undefined)
    return { seconds: median(times), trustworthiness: trustworthiness(X, embedding, 5) };
  return { seconds: median(times), ...figures };
}

function runPeers(jobs: Job[], threads: number): Map<string, Figures> {
  const spec = jobs.map((job) => ({
    name: job.name,
    task: job.task,
    file: job.data.file,
    k: job.k,
    eps: job.eps,
    min_samples: job.min_samples,
    linkage: job.linkage,
    seed: 0,
    repeat,
    threads,
  }));
  const specFile = path.join(OUT, `jobs-${threads}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  const run = spawnSync(PYTHON, [PEER, specFile], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`scikit-learn peer failed: ${run.stderr}`);
  const out = new Map<string, Figures>();
  for (const line of run.stdout.trim().split('\n')) {
    const row = JSON.parse(line) as Figures & { name: string };
    out.set(row.name, row);
  }
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmt = (v: number | undefined, digits = 3) =>
  v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits);

async function main(): Promise<void> {
  const iris = await load('iris', 'iris.csv', 'target', ['target_name'], true);
  const wine = await load('wine', 'wine.csv', 'target', ['target_name'], true);
  const digits = await load('digits', 'digits.csv', 'target', [], false);
  const housing = await california();
  const jobs: Job[] = [
    { name: 'kmeans digits k=10', task: 'kmeans' as const, data: digits, k: 10 },
    { name: 'kmeans california k=8', task: 'kmeans' as const, data: housing, k: 8 },
    { name: 'kmeans wine k=3', task: 'kmeans' as const, data: wine, k: 3 },
    { name: 'dbscan iris eps=0.8', task: 'dbscan' as const, data: iris, eps: 0.8, min_samples: 5 },
    { name: 'dbscan wine eps=2.3', task: 'dbscan' as const, data: wine, eps: 2.3, min_samples: 5 },
    { name: 'dbscan california eps=0.3', task: 'dbscan' as const, data: housing, eps: 0.3, min_samples: 10 },
    {
      name: 'ward digits k=10',
      task: 'agglomerative' as const,
      data: digits,
      k: 10,
      linkage: 'ward' as const,
    },
    {
      name: 'average wine k=3',
      task: 'agglomerative' as const,
      data: wine,
      k: 3,
      linkage: 'average' as const,
    },
    { name: 'ward iris k=3', task: 'agglomerative' as const, data: iris, k: 3, linkage: 'ward' as const },
    { name: 'tsne digits', task: 'tsne' as const, data: digits },
  ].filter((job) => only.has(job.task));
  const load0 = os.loadavg()[0];
  const cairn = new Map(jobs.map((job) => [job.name, runCairn(job)]));
  const peers2 = values['no-peers'] ? new Map<string, Figures>() : runPeers(jobs, 2);
  const peers1 = values['no-peers'] ? new Map<string, Figures>() : runPeers(jobs, 1);
  const load1 = os.loadavg()[0];
  if (values.json) {
    console.log(
      JSON.stringify({
        jobs: jobs.map((j) => ({
          name: j.name,
          cairn: cairn.get(j.name),
          sklearn2: peers2.get(j.name),
          sklearn1: peers1.get(j.name),
        })),
        load: [load0, load1],
      }),
    );
    return;
  }
  console.log(
    `repeat ${repeat} (median after one warm-up) · load average ${load0.toFixed(2)} → ${load1.toFixed(2)} · Node ${process.version}`,
  );
  console.log(
    '| job | rows × features | quality | Cairn | scikit-learn | Cairn s | sklearn s (2 thr) | ratio | sklearn s (1 thr) | ratio 1 thr |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const job of jobs) {
    const ours = cairn.get(job.name)!;
    const two = peers2.get(job.name);
    const one = peers1.get(job.name);
    const metric = job.task === 'kmeans' ? 'inertia' : job.task === 'tsne' ? 'trustworthiness' : 'ari';
    const digits = metric === 'inertia' ? 1 : 4;
    let quality = `${fmt(ours[metric], digits)} | ${fmt(two?.[metric], digits)}`;
    if (metric === 'inertia' && two?.inertia !== undefined)
      quality += ` (×${(ours.inertia! / two.inertia).toFixed(4)})`;
    const shape = `${job.data.X.rows} × ${job.data.X.cols}`;
    const ratio = (peer: Figures | undefined) =>
      peer === undefined ? '–' : (ours.seconds / peer.seconds).toFixed(2);
    console.log(
      `| ${job.name} | ${shape} | ${metric} | ${quality} | ${fmt(ours.seconds)} | ${fmt(two?.seconds)} | ${ratio(two)} | ${fmt(one?.seconds)} | ${ratio(one)} |`,
    );
  }
}

await main();
