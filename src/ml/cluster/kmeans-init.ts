import type { Random } from '../../core/random.js';
import { CentreDistances } from './centre-distances.js';
import type { Points } from './points.js';

/**
 * Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with the greedy refinement scikit-learn
 * uses): each new centre is the best of 2 + ⌊ln k⌋ candidates drawn together with probability
 * proportional to D², "best" meaning the one that lowers the total D² most. The candidates' distances
 * to all points come from one pass of `distances` (made for P with room for `seedingTrials(k)`
 * centres; pass the same one to every restart). Returns k centres, row-major k × d. When `table`
 * (n × k) is given it receives every point's squared distance to every chosen centre, which seeding
 * computes anyway and Lloyd starts from.
 */
export function kmeansPlusPlus(
  P: Points,
  k: number,
  random: Random,
  table?: Float64Array,
  distances = new CentreDistances(P, seedingTrials(k)),
): Float64Array {
  const { n, d, data } = P;
  const centres = new Float64Array(k * d);
  const trials = seedingTrials(k);
  const candidates = new Float64Array(trials * d);
  const picks = new Int32Array(trials);

  const first = random.int(n);
  centres.set(data.subarray(first * d, first * d + d), 0);
  const closest = Float64Array.from(distances.measure(centres, 1));
  if (table !== undefined) for (let i = 0; i < n; i++) table[i * k] = closest[i];
  let potential = total(closest);
  for (let c = 1; c < k; c++) {
    for (let t = 0; t < trials; t++) {
      // When every point already sits on a centre (duplicates), potential is 0: draw uniformly.
      picks[t] = potential > 0 ? drawWeighted(closest, potential, random) : random.int(n);
      candidates.set(data.subarray(picks[t] * d, picks[t] * d + d), t * d);
    }
    const block = distances.measure(candidates, trials);
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

/** How many candidates greedy k-means++ draws for each centre. */
export const seedingTrials = (k: number) => 2 + Math.floor(Math.log(k));

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
