import type { LloydResult } from './kmeans-hamerly.js';
import { farthestMovablePoint, squaredDistance, type Points } from './points.js';

/**
 * Lloyd's k-means accelerated by Elkan's bounds (Elkan 2003, "Using the triangle inequality to
 * accelerate k-means"): each point keeps an upper bound on the distance to its centre and one lower
 * bound per centre; a centre is measured only when the upper bound exceeds its lower bound and half
 * the distance between the two centres. At 64 features most points then need about one distance per
 * iteration, where Hamerly's single lower bound (kmeans-hamerly.ts) prunes little; memory is n × k
 * bounds. (Checking Hamerly's bound first as well was measured slower on digits and California.)
 *
 * Bounds are stored net of each centre's cumulative movement (`drift`): a centre that moves by s
 * loosens every bound on it by s, and keeping the offset per centre instead of rewriting n × k
 * numbers an iteration is what makes the bookkeeping cheap at few features (8 on California, where
 * it otherwise costs more than the distances). A point visits the other centres in order of their
 * distance from its own, so the half-distance test ends the scan at the first centre it rules out
 * (about 10 % less time on California, none lost on digits).
 *
 * `table` holds the squared distances from every point to every initial centre (as k-means++
 * leaves them) and is reused as bound storage. Stops when no label changes or the total squared
 * centre shift is at most `tolerance` (absolute, scikit-learn's `tol × mean variance`); the result
 * is plain Lloyd's, and the labels returned belong to the centres returned.
 */
export function elkanLloyd(
  P: Points,
  initial: Float64Array,
  table: Float64Array,
  maxIterations: number,
  tolerance: number,
): LloydResult {
  const { n, d, data } = P;
  const k = initial.length / d;
  const centres = Float64Array.from(initial);
  const labels = new Int32Array(n);
  const lower = table;
  const upper = new Float64Array(n);
  const drift = new Float64Array(k);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const half = new Float64Array(k);
  const between = new Float64Array(k * k);
  /** Row c: the other centres by increasing distance from centre c. */
  const nearer = new Int32Array(k * k);

  for (let i = 0; i < n; i++) {
    const row = i * k;
    let best = 0;
    for (let c = 1; c < k; c++) if (lower[row + c] < lower[row + best]) best = c;
    for (let c = 0; c < k; c++) lower[row + c] = Math.sqrt(lower[row + c]);
    upper[i] = lower[row + best];
    labels[i] = best;
    counts[best]++;
    const o = best * d;
    const p = i * d;
    for (let j = 0; j < d; j++) sums[o + j] += data[p + j];
  }

  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    relocateEmpty();
    let totalShift = 0;
    for (let c = 0; c < k; c++) {
      const o = c * d;
      let moved = 0;
      for (let j = 0; j < d; j++) {
        const next = sums[o + j] / counts[c];
        const t = next - centres[o + j];
        moved += t * t;
        centres[o + j] = next;
      }
      totalShift += moved;
      drift[c] += Math.sqrt(moved);
    }
    half.fill(Infinity);
    for (let c = 0; c < k; c++) {
      for (let o = c + 1; o < k; o++) {
        const h = 0.5 * Math.sqrt(squaredDistance(centres, c, centres, o, d));
        between[c * k + o] = between[o * k + c] = h;
        if (h < half[c]) half[c] = h;
        if (h < half[o]) half[o] = h;
      }
    }
    for (let c = 0; c < k; c++) {
      const others: number[] = [];
      for (let o = 0; o < k; o++) if (o !== c) others.push(o);
      others.sort((a, b) => between[c * k + a] - between[c * k + b]);
      nearer.set(others, c * k);
    }
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const from = labels[i];
      let u = upper[i] + drift[from];
      if (u <= half[from]) continue;
      const row = i * k;
      let c = from;
      let tight = false;
      for (let t = 0; t < k - 1; t++) {
        const o = nearer[from * k + t];
        // Centres come by distance from the point's own: once half that distance passes u, the rest do too.
        if (c === from && u <= between[from * k + o]) break;
        if (o === c || u <= lower[row + o] - drift[o] || u <= between[c * k + o]) continue;
        if (!tight) {
          u = Math.sqrt(squaredDistance(data, i, centres, c, d));
          lower[row + c] = u + drift[c];
          tight = true;
          if (u <= lower[row + o] - drift[o] || u <= between[c * k + o]) continue;
        }
        const dist = Math.sqrt(squaredDistance(data, i, centres, o, d));
        lower[row + o] = dist + drift[o];
        if (dist < u) {
          u = dist;
          c = o;
        }
      }
      upper[i] = u - drift[c];
      if (c !== from) {
        changed++;
        move(i, from, c);
      }
    }
    if (changed === 0 || totalShift <= tolerance) {
      converged = true;
      break;
    }
  }

  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistance(data, i, centres, labels[i], d);
  return { centres, labels, inertia, iterations, converged };

  /** Moves point i's contribution to the running sums from cluster `from` to cluster `to`. */
  function move(i: number, from: number, to: number): void {
    labels[i] = to;
    counts[from]--;
    counts[to]++;
    const a = from * d;
    const b = to * d;
    const p = i * d;
    for (let j = 0; j < d; j++) {
      sums[a + j] -= data[p + j];
      sums[b + j] += data[p + j];
    }
  }

  /**
   * An empty cluster takes the point farthest from its own centre (scikit-learn's rule), so k
   * clusters stay k; the moved point's bounds are dropped to force a full scan next time.
   */
  function relocateEmpty(): void {
    for (let c = 0; c < k; c++) {
      if (counts[c] > 0) continue;
      const far = farthestMovablePoint(data, centres, labels, counts, n, d);
      if (far < 0) continue;
      move(far, labels[far], c);
      // Its sum is now exactly the point, free of the rounding left by earlier moves.
      sums.set(data.subarray(far * d, far * d + d), c * d);
      upper[far] = Infinity;
      lower.fill(-Infinity, far * k, far * k + k);
    }
  }
}
