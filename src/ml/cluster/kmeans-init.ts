import type { Random } from '../../core/random.js';
import { squaredDistance, type Points } from './points.js';

/**
 * Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with the greedy refinement scikit-learn
 * uses): each new centre is the best of 2 + ⌊ln k⌋ candidates drawn with probability proportional to
 * D², "best" meaning the one that lowers the total D² most. Returns k centres, row-major k × d.
 * Sample weights, when given, multiply D² (a weight of 2 counts as a repeated row).
 */
export function kmeansPlusPlus(P: Points, k: number, random: Random, weights?: Float64Array): Float64Array {
  const { n, d, data } = P;
  const centres = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const closest = new Float64Array(n);
  const candidate = new Float64Array(n);
  const bestNext = new Float64Array(n);
  const w = (i: number) => (weights === undefined ? 1 : weights[i]);

  const first = weights === undefined ? random.int(n) : drawWeighted(weights, total(weights), random);
  centres.set(data.subarray(first * d, first * d + d), 0);
  let potential = 0;
  for (let i = 0; i < n; i++) {
    closest[i] = squaredDistance(data, i, data, first, d);
    potential += w(i) * closest[i];
  }
  const mass = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    for (let i = 0; i < n; i++) mass[i] = w(i) * closest[i];
    let bestPotential = Infinity;
    let bestIndex = -1;
    for (let t = 0; t < trials; t++) {
      // When every point already sits on a centre (duplicates), potential is 0: draw uniformly.
      const pick = potential > 0 ? drawWeighted(mass, potential, random) : random.int(n);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const dist = squaredDistance(data, i, data, pick, d);
        const m = dist < closest[i] ? dist : closest[i];
        candidate[i] = m;
        sum += w(i) * m;
      }
      if (sum < bestPotential) {
        bestPotential = sum;
        bestIndex = pick;
        bestNext.set(candidate);
      }
    }
    centres.set(data.subarray(bestIndex * d, bestIndex * d + d), c * d);
    closest.set(bestNext);
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
