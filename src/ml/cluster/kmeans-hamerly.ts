import { farthestMovablePoint, squaredDistance, type Points } from './points.js';

/** What one Lloyd run ends with. Centres row-major k × d; labels index into them. */
export interface LloydResult {
  centres: Float64Array;
  labels: Int32Array;
  /** Sum of squared distances from each point to its centre. */
  inertia: number;
  iterations: number;
  converged: boolean;
}

/**
 * Lloyd's k-means from the given centres, accelerated by Hamerly's bounds (Hamerly 2010, "Making
 * k-means even faster"): each point keeps an upper bound on the distance to its centre and a lower
 * bound on the distance to every other centre; when the upper bound is below both the lower bound and
 * half the distance from its centre to the nearest other centre, the point cannot change cluster and
 * no distance is computed. The result equals plain Lloyd's. Stops when no label changes or when the
 * total squared centre shift is at most `tolerance` (absolute, as scikit-learn's `tol × mean
 * variance`); the labels returned always belong to the centres returned.
 */
export function hamerlyLloyd(
  P: Points,
  initial: Float64Array,
  maxIterations: number,
  tolerance: number,
): LloydResult {
  const { n, d, data } = P;
  const k = initial.length / d;
  const centres = Float64Array.from(initial);
  const labels = new Int32Array(n);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const shift = new Float64Array(k);
  const half = new Float64Array(k);

  for (let i = 0; i < n; i++) scanPoint(i);

  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      counts[c]++;
      const o = c * d;
      const p = i * d;
      for (let j = 0; j < d; j++) sums[o + j] += data[p + j];
    }
    relocateEmpty();
    let totalShift = 0;
    let largest = 0;
    let largestAt = -1;
    let second = 0;
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
      const s = Math.sqrt(moved);
      shift[c] = s;
      if (s > largest) {
        second = largest;
        largest = s;
        largestAt = c;
      } else if (s > second) second = s;
    }
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      upper[i] += shift[c];
      lower[i] -= c === largestAt ? second : largest;
    }
    for (let c = 0; c < k; c++) {
      let m = Infinity;
      for (let o = 0; o < k; o++) {
        if (o === c) continue;
        const dist = squaredDistance(centres, c, centres, o, d);
        if (dist < m) m = dist;
      }
      half[c] = 0.5 * Math.sqrt(m);
    }
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      const bound = half[c] > lower[i] ? half[c] : lower[i];
      if (upper[i] <= bound) continue;
      upper[i] = Math.sqrt(squaredDistance(data, i, centres, c, d));
      if (upper[i] <= bound) continue;
      if (scanPoint(i) !== c) changed++;
    }
    if (changed === 0 || totalShift <= tolerance) {
      converged = true;
      break;
    }
  }

  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistance(data, i, centres, labels[i], d);
  return { centres, labels, inertia, iterations, converged };

  /** Full scan of point i: sets its label, upper bound (nearest) and lower bound (second nearest). */
  function scanPoint(i: number): number {
    let best = 0;
    let first = Infinity;
    let next = Infinity;
    for (let c = 0; c < k; c++) {
      const dist = squaredDistance(data, i, centres, c, d);
      if (dist < first) {
        next = first;
        first = dist;
        best = c;
      } else if (dist < next) next = dist;
    }
    labels[i] = best;
    upper[i] = Math.sqrt(first);
    lower[i] = Math.sqrt(next);
    return best;
  }

  /**
   * An empty cluster takes the point farthest from its own centre (scikit-learn's rule), so k
   * clusters stay k; the moved point's bounds are reset to force a full scan next time.
   */
  function relocateEmpty(): void {
    for (let c = 0; c < k; c++) {
      if (counts[c] > 0) continue;
      const far = farthestMovablePoint(data, centres, labels, counts, n, d);
      if (far < 0) continue;
      const from = labels[far];
      counts[from]--;
      counts[c] = 1;
      for (let j = 0; j < d; j++) {
        sums[from * d + j] -= data[far * d + j];
        sums[c * d + j] = data[far * d + j];
      }
      labels[far] = c;
      upper[far] = Infinity;
      lower[far] = 0;
    }
  }
}
