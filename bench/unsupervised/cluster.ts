// Benchmark: Cairn's clustering and t-SNE against scikit-learn 1.2 on the same real data, from one
// run. The TypeScript side prepares each matrix once (standardised as StandardScaler does, digits
// raw) and writes it to bench/out/unsupervised/cluster/ so scikit-learn reads the very same numbers.
// Runs are interleaved — Cairn, scikit-learn on 1 thread, scikit-learn on 2 threads (and for k-means
// Cairn with its restarts on a 2-thread worker pool), in a rotating order, `repeat` times after
// `warmup` untimed rounds — so a shared machine's load falls on all sides alike; medians of wall and
// of process-CPU seconds are printed with the load average. Warm-up matters for the millisecond jobs:
// V8 compiles a kernel after its first calls, which cost 10–40 ms each on 178 rows.
// Usage: npx tsx bench/unsupervised/cluster.ts [--repeat 5] [--warmup 3]
//        [--only kmeans,dbscan,agglomerative,tsne] [--json]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WorkerPool } from '../../src/core/workers/pool.js';
import { fitAgglomerative } from '../../src/ml/cluster/agglomerative.js';
import { fitDbscan } from '../../src/ml/cluster/dbscan.js';
import { fitKMeans } from '../../src/ml/cluster/kmeans.js';
import { fitTsne } from '../../src/ml/decomposition/tsne.js';
import type { FeatureMatrix } from '../../src/ml/matrix.js';
import { adjustedRandIndex } from '../../src/ml/metrics/cluster-agreement.js';
import { trustworthiness } from '../../src/ml/metrics/trustworthiness.js';
import { standardise } from '../../test/cluster-data.js';
import { loadCsv } from '../../test/ml-data.js';
import { median, PeerSession, timed, type PeerTiming } from './peer-session.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'bench/out/unsupervised/cluster');

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

interface Quality {
  inertia?: number;
  ari?: number;
  trustworthiness?: number;
}

/** One side's medians over the repeats and the quality of its last run. */
interface Figures extends Quality {
  seconds: number;
  cpu_seconds: number;
}

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    only: { type: 'string', default: 'kmeans,dbscan,agglomerative,tsne' },
    json: { type: 'boolean', default: false },
  },
});
const repeat = Number(values.repeat);
const warmup = Number(values.warmup);
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

/** One Cairn fit of the job, with its quality figures (computed outside the timing). */
function runCairn(job: Job, pool?: WorkerPool): PeerTiming & Quality {
  const { X, y } = job.data;
  switch (job.task) {
    case 'kmeans': {
      const { value: model, ...time } = timed(() => fitKMeans(X, { k: job.k!, nInit: 10, pool }));
      return { ...time, inertia: model.inertia, ari: adjustedRandIndex(y, model.predict(X)) };
    }
    case 'dbscan': {
      const { value, ...time } = timed(() => fitDbscan(X, { eps: job.eps!, minSamples: job.min_samples }));
      return { ...time, ari: adjustedRandIndex(y, value.labels) };
    }
    case 'agglomerative': {
      const { value, ...time } = timed(() => fitAgglomerative(X, { k: job.k, linkage: job.linkage }));
      return { ...time, ari: adjustedRandIndex(y, value.labels) };
    }
    case 'tsne': {
      const { value, ...time } = timed(() => fitTsne(X, { seed: 0 }));
      return { ...time, trustworthiness: trustworthiness(X, value.embedding, 5) };
    }
  }
}

type Side = 'cairn' | 'cairn2' | 'sklearn1' | 'sklearn2';

/** Runs the job on every side in rotating order, `warmup` untimed rounds and `repeat` timed ones. */
async function measure(
  job: Job,
  peer: PeerSession,
  pool: WorkerPool,
): Promise<Partial<Record<Side, Figures>>> {
  const sides: Side[] =
    job.task === 'kmeans' ? ['cairn', 'cairn2', 'sklearn1', 'sklearn2'] : ['cairn', 'sklearn1', 'sklearn2'];
  const runs: Record<Side, (PeerTiming & Quality)[]> = { cairn: [], cairn2: [], sklearn1: [], sklearn2: [] };
  const request = {
    task: job.task,
    file: job.data.file,
    k: job.k,
    eps: job.eps,
    min_samples: job.min_samples,
    linkage: job.linkage,
    seed: 0,
  };
  for (let r = -warmup; r < repeat; r++) {
    for (let s = 0; s < sides.length; s++) {
      const side = sides[(s + r + warmup) % sides.length];
      const run =
        side === 'cairn'
          ? runCairn(job)
          : side === 'cairn2'
            ? runCairn(job, pool)
            : await peer.call<PeerTiming & Quality>({ ...request, threads: side === 'sklearn1' ? 1 : 2 });
      if (r >= 0) runs[side].push(run);
    }
  }
  const summary = (list: (PeerTiming & Quality)[]): Figures => ({
    ...list[list.length - 1],
    seconds: median(list.map((x) => x.seconds)),
    cpu_seconds: median(list.map((x) => x.cpu_seconds)),
  });
  return Object.fromEntries(sides.map((side) => [side, summary(runs[side])]));
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
  const peer = PeerSession.start('peer_server.py');
  const pool = new WorkerPool(2);
  const results: { job: Job; figures: Partial<Record<Side, Figures>>; load: [number, number] }[] = [];
  for (const job of jobs) {
    const before = os.loadavg()[0];
    const figures = await measure(job, peer, pool);
    results.push({ job, figures, load: [before, os.loadavg()[0]] });
  }
  peer.close();
  await pool.close();
  if (values.json) {
    console.log(
      JSON.stringify(results.map(({ job, figures, load }) => ({ name: job.name, ...figures, load }))),
    );
    return;
  }
  console.log(
    `repeat ${repeat} (medians after ${warmup} warm-up rounds, interleaved) · Node ${process.version}`,
  );
  console.log(
    '| job | rows × features | quality | Cairn | scikit-learn | Cairn s | sklearn 1 thr s | ratio | CPU-time ratio | Cairn 2 thr s | sklearn 2 thr s | ratio 2 thr | load |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { job, figures, load } of results) {
    const { cairn: ours, cairn2: ours2, sklearn1: one, sklearn2: two } = figures as Record<Side, Figures>;
    const metric = job.task === 'kmeans' ? 'inertia' : job.task === 'tsne' ? 'trustworthiness' : 'ari';
    const digits = metric === 'inertia' ? 1 : 4;
    let quality = `${fmt(ours[metric], digits)} | ${fmt(one[metric], digits)}`;
    if (metric === 'inertia') quality += ` (×${(ours.inertia! / one.inertia!).toFixed(4)})`;
    const shape = `${job.data.X.rows} × ${job.data.X.cols}`;
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    const own2 = ours2 === undefined ? '–' : fmt(ours2.seconds);
    const ratio2 = ratio((ours2 ?? ours).seconds, two.seconds);
    console.log(
      `| ${job.name} | ${shape} | ${metric} | ${quality} | ${fmt(ours.seconds)} | ${fmt(one.seconds)} | ${ratio(ours.seconds, one.seconds)} | ${ratio(ours.cpu_seconds, one.cpu_seconds)} | ${own2} | ${fmt(two.seconds)} | ${ratio2} | ${load[0].toFixed(1)} → ${load[1].toFixed(1)} |`,
    );
  }
}

await main();
