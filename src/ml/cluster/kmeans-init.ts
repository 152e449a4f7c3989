import type { Random } from '../../core/random.js';
import { squaredDistancesToCentres } from './centre-distances.js';
import type { Points } from './points.js';

/**
 * Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with the greedy refinement scikit-learn
 * uses): each new centre is the best of 2 + ⌊ln k⌋ candidates drawn together with probability
 * proportional to D², "best" meaning the one that lowers the total D² most. The candidates' distances
 * to all points come from one tiled pass. Returns k centres, row-major k × d. When `table` (n × k) is
 * given it receives every point's squared distance to every chosen centre, which seeding computes
 * anyway and Lloyd starts from.
 */
export function kmeansPlusPlus(P: Points, k: number, random: Random, table?: Float64Array): Float64Array {
  const { n, d, data } = P;
  const centres = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const closest = new Float64Array(n);
  const candidates = new Float64Array(trials * d);
  const picks = new Int32Array(trials);
  const block = new Float64Array(n * trials);

  const first = random.int(n);
  centres.set(data.subarray(first * d, first * d + d), 0);
  squaredDistancesToCentres(P, centres.subarray(0, d), 1, closest);
  if (table !== undefined) for (let i = 0; i < n; i++) table[i * k] = closest[i];
  let potential = total(closest);
  for (let c = 1; c < k; c++) {
    for (let t = 0; t < trials; t++) {
      // When every point already sits on a centre (duplicates), potential is 0: draw uniformly.
      picks[t] = potential > 0 ? drawWeighted(closest, potential, random) : random.int(n);
      candidates.set(data.subarray(picks[t] * d, picks[t] * d + d), t * d);
    }
    squaredDistancesToCentres(P, candidates, trials, block);
    let bestPotential = Infinity;
    let best = 0;
    for (let t = 0; t < trials; t++) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const dist = block[i * trials + t];
        sum += dist < closest[i] ? dist : closest[i];
      }
      if (sum < bestPotential) {
        bestPotential = sum;
        best = t;
      }
    }
    for (let i = 0; i < n; i++) {
      const dist = block[i * trials + best];
      if (dist < closest[i]) closest[i] = dist;
      if (table !== undefined) table[i * k + c] = dist;
    }
    centres.set(candidates.subarray(best * d, best * d + d), c * d);
    potential = bestPotential;
  }
  return centres;
}

function total(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}

/** An index drawn with probability proportional to `mass` (non-negative, summing to `sum`). */
function drawWeighted(mass: Float64Array, sum: number, random: Random): number {
  const target = random.next() * sum;
  let acc = 0;
  for (let i = 0; i < mass.length; i++) {
    acc += mass[i];
    if (acc > target && mass[i] > 0) return i;
  }
  for (let i = mass.length - 1; i >= 0; i--) if (mass[i] > 0) return i;
  return mass.length - 1;
}
