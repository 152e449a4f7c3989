import { Random } from '../../core/random.js';
import type { FeatureMatrix } from '../matrix.js';
import { numberParam } from '../linear/validate.js';
import { assignNearest, KMeansModel } from './kmeans.js';
import { kmeansPlusPlus } from './kmeans-init.js';
import { nearestCentre, sampleIndex, takePoints, toPoints } from './points.js';

export interface MiniBatchKMeansParams {
  /** Number of clusters, 1 ≤ k ≤ rows. */
  k: number;
  /** Rows per mini-batch. Default 1024. */
  batchSize?: number;
  /** Passes over the data (in batches) at most. Default 100. */
  maxEpochs?: number;
  /** Stop after this many batches without a better smoothed batch inertia. Default 10. */
  maxNoImprovement?: number;
  /** k-means++ seedings tried on a sample of 3 × batchSize rows; the best on that sample wins. Default 3. */
  nInit?: number;
  /** A centre whose accumulated weight falls below this fraction of the largest is moved to a random row. Default 0.01. */
  reassignmentRatio?: number;
  seed?: number;
}

/**
 * Mini-batch k-means (Sculley 2010) for tables too large for full Lloyd passes: each batch moves the
 * centres towards the batch means with a per-centre step of 1 / (rows seen by that centre), so
 * centres settle as they accumulate rows; starved centres are reseeded. Inertia ends a little above
 * full k-means'; the returned model is a KMeansModel ('minibatch_kmeans') with exact training inertia.
 */
export function fitMiniBatchKMeans(X: FeatureMatrix, params: MiniBatchKMeansParams): KMeansModel {
  const where = 'fitMiniBatchKMeans';
  const k = numberParam(where, 'k', params.k, NaN, 1, X.rows, true);
  const batchSize = numberParam(where, 'batchSize', params.batchSize, 1024, 1, Infinity, true);
  const maxEpochs = numberParam(where, 'maxEpochs', params.maxEpochs, 100, 1, 1e6);
  const maxNoImprovement = numberParam(
    where,
    'maxNoImprovement',
    params.maxNoImprovement,
    10,
    1,
    Infinity,
    true,
  );
  const nInit = numberParam(where, 'nInit', params.nInit, 3, 1, 1000, true);
  const reassignmentRatio = numberParam(where, 'reassignmentRatio', params.reassignmentRatio, 0.01, 0, 1);
  const seed = numberParam(where, 'seed', params.seed, 42, -Infinity, Infinity, true);
  const P = toPoints(X, where, 1);
  const { n, d, data } = P;
  const random = new Random(seed);
  const next = () => random.next();

  const initSize = Math.min(n, Math.max(3 * batchSize, 3 * k));
  let centres: Float64Array = new Float64Array(0);
  let bestInertia = Infinity;
  for (let run = 0; run < nInit; run++) {
    const sample = takePoints(P, sampleIndex(n, initSize, next));
    const seeded = kmeansPlusPlus(sample, k, random);
    const inertia = assignNearest(sample, seeded, k).inertia;
    if (inertia < bestInertia) {
      bestInertia = inertia;
      centres = seeded;
    }
  }

  const batch = Math.min(batchSize, n);
  const steps = Math.max(1, Math.floor((maxEpochs * n) / batch));
  const weight = new Float64Array(k);
  const batchSums = new Float64Array(k * d);
  const batchCounts = new Float64Array(k);
  const members = new Int32Array(batch);
  const alpha = Math.min(1, (2 * batch) / (n + 1));
  let smoothed = NaN;
  let bestSmoothed = Infinity;
  let stale = 0;
  let step = 0;
  for (; step < steps; step++) {
    batchSums.fill(0);
    batchCounts.fill(0);
    let batchInertia = 0;
    for (let b = 0; b < batch; b++) {
      const i = random.int(n);
      members[b] = i;
      const near = nearestCentre(data, i, centres, k, d);
      batchInertia += near.distance;
      batchCounts[near.index]++;
      for (let j = 0; j < d; j++) batchSums[near.index * d + j] += data[i * d + j];
    }
    for (let c = 0; c < k; c++) {
      if (batchCounts[c] === 0) continue;
      const total = weight[c] + batchCounts[c];
      for (let j = 0; j < d; j++) {
        centres[c * d + j] = (centres[c * d + j] * weight[c] + batchSums[c * d + j]) / total;
      }
      weight[c] = total;
    }
    // Reseed starved centres every few batches (rather than each), so a centre has time to attract rows.
    if (reassignmentRatio > 0 && step > 0 && step % 10 === 0) reseed(members);
    const mean = batchInertia / batch;
    smoothed = Number.isNaN(smoothed) ? mean : smoothed * (1 - alpha) + mean * alpha;
    if (smoothed < bestSmoothed) {
      bestSmoothed = smoothed;
      stale = 0;
    } else if (++stale >= maxNoImprovement) break;
  }
  const { inertia } = assignNearest(P, centres, k);
  return KMeansModel.create('minibatch_kmeans', [...X.names], centres, inertia, step, {
    k,
    batchSize,
    maxEpochs,
    maxNoImprovement,
    nInit,
    reassignmentRatio,
    seed,
  });

  function reseed(rows: Int32Array): void {
    let largest = 0;
    for (let c = 0; c < k; c++) if (weight[c] > largest) largest = weight[c];
    let floor = Infinity;
    const starved: number[] = [];
    for (let c = 0; c < k; c++) {
      if (weight[c] < reassignmentRatio * largest) starved.push(c);
      else if (weight[c] < floor) floor = weight[c];
    }
    // Move at most half the batch's worth of centres at once, as scikit-learn caps it.
    for (const c of starved.slice(0, Math.max(1, Math.floor(rows.length / 2)))) {
      const i = rows[random.int(rows.length)];
      centres.set(data.subarray(i * d, i * d + d), c * d);
      weight[c] = Number.isFinite(floor) ? floor : 1;
    }
  }
}
