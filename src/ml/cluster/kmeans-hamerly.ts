import { HamerlyWorkspace } from './hamerly-kernel.js';
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
 * no distance is computed. The result equals plain Lloyd's. The pass over the points is a
 * WebAssembly kernel (hamerly-kernel.ts); the k centres are updated here. Stops when no label
 * changes or when the total squared centre shift is at most `tolerance` (absolute, as
 * scikit-learn's `tol × mean variance`); the labels returned always belong to the centres returned.
 * Pass the same `workspace` to every restart on the same points to compile its kernel once.
 */
export function hamerlyLloyd(
  P: Points,
  initial: Float64Array,
  maxIterations: number,
  tolerance: number,
  workspace = new HamerlyWorkspace(P, initial.length / P.d),
): LloydResult {
  const { n, d } = P;
  const { k, stride, points, centres, labels, upper, lower, half, drift, sums, counts } = workspace;
  for (let c = 0; c < k; c++) centres.set(initial.subarray(c * d, c * d + d), c * stride);
  // Bounds that rule nothing out make the first pass a full assignment.
  labels.fill(0);
  upper.fill(Infinity);
  lower.fill(0);
  drift.fill(0);
  halveCentreGaps();
  workspace.pass(0, 0, -1);
  sumClusters();

  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    relocateEmpty();
    let totalShift = 0;
    let largest = 0;
    let largestAt = -1;
    let second = 0;
    for (let c = 0; c < k; c++) {
      const o = c * stride;
      let moved = 0;
      for (let j = 0; j < d; j++) {
        const next = sums[o + j] / counts[c];
        const t = next - centres[o + j];
        moved += t * t;
        centres[o + j] = next;
      }
      totalShift += moved;
      const s = Math.sqrt(moved);
      drift[c] = s;
      if (s > largest) {
        second = largest;
        largest = s;
        largestAt = c;
      } else if (s > second) second = s;
    }
    halveCentreGaps();
    workspace.pass(largest, second, largestAt);
    if (workspace.changed[0] === 0 || totalShift <= tolerance) {
      converged = true;
      break;
    }
  }

  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistance(points, i, centres, labels[i], stride);
  const result = new Float64Array(k * d);
  for (let c = 0; c < k; c++) result.set(centres.subarray(c * stride, c * stride + d), c * d);
  return { centres: result, labels: Int32Array.from(labels), inertia, iterations, converged };

  function halveCentreGaps(): void {
    for (let c = 0; c < k; c++) {
      let m = Infinity;
      for (let o = 0; o < k; o++) {
        if (o === c) continue;
        const dist = squaredDistance(centres, c, centres, o, stride);
        if (dist < m) m = dist;
      }
      half[c] = 0.5 * Math.sqrt(m);
    }
  }

  /** Exact sums after the first assignment; later passes move points between them. */
  function sumClusters(): void {
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      counts[c]++;
      const o = c * stride;
      const p = i * stride;
      for (let j = 0; j < d; j++) sums[o + j] += points[p + j];
    }
  }

  /**
   * An empty cluster takes the point farthest from its own centre (scikit-learn's rule), so k
   * clusters stay k; the moved point's bounds are reset to force a full scan next time.
   */
  function relocateEmpty(): void {
    for (let c = 0; c < k; c++) {
      if (counts[c] > 0) continue;
      const far = farthestMovablePoint(points, centres, labels, counts, n, stride);
      if (far < 0) continue;
      const from = labels[far];
      counts[from]--;
      counts[c] = 1;
      for (let j = 0; j < d; j++) {
        sums[from * stride + j] -= points[far * stride + j];
        sums[c * stride + j] = points[far * stride + j];
      }
      labels[far] = c;
      upper[far] = Infinity;
      lower[far] = 0;
    }
  }
}
