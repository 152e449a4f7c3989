import type { Points } from './points.js';

/**
 * A k-d tree over row-major points for radius and k-nearest-neighbour queries (Friedman, Bentley &
 * Finkel 1977). Nodes split the widest bounding-box side at the median, leaves hold up to `leafSize`
 * points, and every node keeps its bounding box so a query prunes by the exact box distance. Points
 * are copied in tree order so a leaf scan reads contiguous memory. Pruning fades as dimensions grow
 * (past ~20 a query visits most leaves), but the answers stay exact.
 */
export class KdTree {
  private constructor(
    readonly n: number,
    readonly d: number,
    /** Points in tree order, row-major. */
    private readonly data: Float64Array,
    /** Tree position → original point index. */
    readonly order: Uint32Array,
    private readonly start: Int32Array,
    private readonly end: Int32Array,
    /** Left child; the right child is left + 1; −1 for a leaf. */
    private readonly left: Int32Array,
    private readonly lo: Float64Array,
    private readonly hi: Float64Array,
  ) {}

  static build(P: Points, leafSize = 16): KdTree {
    const { n, d } = P;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const capacity = 2 * Math.max(1, Math.ceil(n / Math.max(1, leafSize))) * 2 + 1;
    const start = new Int32Array(capacity);
    const end = new Int32Array(capacity);
    const left = new Int32Array(capacity).fill(-1);
    const lo = new Float64Array(capacity * d);
    const hi = new Float64Array(capacity * d);
    let nodes = 1;
    const stack: number[] = [0];
    start[0] = 0;
    end[0] = n;
    const keys = new Float64Array(n);
    while (stack.length > 0) {
      const node = stack.pop()!;
      const s = start[node];
      const e = end[node];
      let widest = 0;
      let width = -1;
      for (let j = 0; j < d; j++) {
        let min = Infinity;
        let max = -Infinity;
        for (let t = s; t < e; t++) {
          const v = P.data[order[t] * d + j];
          if (v < min) min = v;
          if (v > max) max = v;
        }
        lo[node * d + j] = min;
        hi[node * d + j] = max;
        if (max - min > width) {
          width = max - min;
          widest = j;
        }
      }
      if (e - s <= leafSize || width <= 0) continue;
      const mid = (s + e) >> 1;
      for (let t = s; t < e; t++) keys[t] = P.data[order[t] * d + widest];
      select(order, keys, s, e - 1, mid);
      const child = nodes;
      nodes += 2;
      left[node] = child;
      start[child] = s;
      end[child] = mid;
      start[child + 1] = mid;
      end[child + 1] = e;
      stack.push(child + 1, child);
    }
    const data = new Float64Array(n * d);
    for (let t = 0; t < n; t++) data.set(P.data.subarray(order[t] * d, order[t] * d + d), t * d);
    return new KdTree(n, d, data, order, start, end, left, lo, hi);
  }

  /** Squared distance from the query to node's bounding box (0 inside it). */
  private boxDistance(node: number, q: Float64Array, qo: number, limit: number): number {
    const d = this.d;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = q[qo + j];
      const a = this.lo[node * d + j];
      if (v < a) s += (a - v) * (a - v);
      else {
        const b = this.hi[node * d + j];
        if (v > b) s += (v - b) * (v - b);
      }
      if (s > limit) return s;
    }
    return s;
  }

  /**
   * Calls `visit(original index, squared distance)` for every point within squared radius `r2` of
   * the query (point `qo / d` of array q), the query itself included when it is a tree point.
   */
  radius(q: Float64Array, qo: number, r2: number, visit: (index: number, distance: number) => void): void {
    const { d, data } = this;
    const stack = [0];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (this.boxDistance(node, q, qo, r2) > r2) continue;
      const child = this.left[node];
      if (child >= 0) {
        stack.push(child + 1, child);
        continue;
      }
      for (let t = this.start[node]; t < this.end[node]; t++) {
        let s = 0;
        const o = t * d;
        for (let j = 0; j < d; j++) {
          const u = data[o + j] - q[qo + j];
          s += u * u;
        }
        if (s <= r2) visit(this.order[t], s);
      }
    }
  }

  /** Number of tree points within squared radius r2 of the query (itself included). */
  countWithin(q: Float64Array, qo: number, r2: number): number {
    let count = 0;
    this.radius(q, qo, r2, () => count++);
    return count;
  }

  /**
   * The k nearest tree points to the query, nearest first, into `outIndex` (original indices) and
   * `outDistance` (squared); `skip` (an original index) is left out, for a point's own neighbours.
   */
  nearest(
    q: Float64Array,
    qo: number,
    k: number,
    outIndex: Int32Array,
    outDistance: Float64Array,
    skip = -1,
  ): void {
    const { d, data } = this;
    outDistance.fill(Infinity, 0, k);
    outIndex.fill(-1, 0, k);
    const stack = [0];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const worst = outDistance[k - 1];
      if (this.boxDistance(node, q, qo, worst) >= worst && worst < Infinity) continue;
      const child = this.left[node];
      if (child >= 0) {
        // Visit the nearer child first so the k-th distance shrinks sooner.
        const near = this.boxDistance(child, q, qo, Infinity) <= this.boxDistance(child + 1, q, qo, Infinity);
        if (near) stack.push(child + 1, child);
        else stack.push(child, child + 1);
        continue;
      }
      for (let t = this.start[node]; t < this.end[node]; t++) {
        const index = this.order[t];
        if (index === skip) continue;
        let s = 0;
        const o = t * d;
        for (let j = 0; j < d; j++) {
          const u = data[o + j] - q[qo + j];
          s += u * u;
        }
        if (s >= outDistance[k - 1]) continue;
        let p = k - 1;
        while (p > 0 && outDistance[p - 1] > s) {
          outDistance[p] = outDistance[p - 1];
          outIndex[p] = outIndex[p - 1];
          p--;
        }
        outDistance[p] = s;
        outIndex[p] = index;
      }
    }
  }
}

/** Quickselect: reorders order[lo..hi] (with keys) so position m holds the m-th smallest key. */
function select(order: Uint32Array, keys: Float64Array, lo: number, hi: number, m: number): void {
  while (hi > lo) {
    const pivot = keys[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (keys[i] < pivot) i++;
      while (keys[j] > pivot) j--;
      if (i <= j) {
        const tk = keys[i];
        keys[i] = keys[j];
        keys[j] = tk;
        const to = order[i];
        order[i] = order[j];
        order[j] = to;
        i++;
        j--;
      }
    }
    if (m <= j) hi = j;
    else if (m >= i) lo = i;
    else return;
  }
}
