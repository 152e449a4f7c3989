/**
 * k-nearest-neighbour search over points stored row-major (n × p), by a k-d tree (Friedman,
 * Bentley & Finkel 1977) in low dimension and by brute force above KD_TREE_MAX_DIM, where a k-d
 * tree visits nearly every leaf anyway. Distances are Euclidean.
 */
export const KD_TREE_MAX_DIM = 16;
const LEAF_SIZE = 24;

export interface NeighborIndex {
  readonly n: number;
  readonly p: number;
  /**
   * The k nearest points to q (length p), nearest first, into dist (Euclidean) and index; `skip`
   * (a point index, or −1) is left out, so a training point does not find itself.
   */
  query(q: Float64Array, k: number, skip: number, dist: Float64Array, index: Int32Array): void;
}

export function buildNeighborIndex(points: Float64Array, n: number, p: number): NeighborIndex {
  return p <= KD_TREE_MAX_DIM ? new KdTree(points, n, p) : new BruteForce(points, n, p);
}

/** Keeps the k smallest (distance², index) pairs seen, sorted ascending. */
function offer(
  d2: number,
  i: number,
  k: number,
  found: number,
  dist: Float64Array,
  index: Int32Array,
): number {
  if (found === k && d2 >= dist[k - 1]) return found;
  let at = found < k ? found++ : k - 1;
  while (at > 0 && dist[at - 1] > d2) {
    dist[at] = dist[at - 1];
    index[at] = index[at - 1];
    at--;
  }
  dist[at] = d2;
  index[at] = i;
  return found;
}

class BruteForce implements NeighborIndex {
  constructor(
    private readonly points: Float64Array,
    readonly n: number,
    readonly p: number,
  ) {}

  query(q: Float64Array, k: number, skip: number, dist: Float64Array, index: Int32Array): void {
    const { points, n, p } = this;
    let found = 0;
    for (let i = 0; i < n; i++) {
      if (i === skip) continue;
      let s = 0;
      const base = i * p;
      for (let j = 0; j < p; j++) {
        const e = points[base + j] - q[j];
        s += e * e;
      }
      found = offer(s, i, k, found, dist, index);
    }
    for (let m = 0; m < found; m++) dist[m] = Math.sqrt(dist[m]);
  }
}

class KdTree implements NeighborIndex {
  /** Point indices, permuted so every node owns a contiguous range. */
  private readonly order: Int32Array;
  // Per node: range [begin, end), split dimension (−1 for a leaf), split value, children.
  private readonly begin: number[] = [];
  private readonly end: number[] = [];
  private readonly dim: number[] = [];
  private readonly cut: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];

  constructor(
    private readonly points: Float64Array,
    readonly n: number,
    readonly p: number,
  ) {
    this.order = Int32Array.from({ length: n }, (_, i) => i);
    this.build(0, n);
  }

  private build(begin: number, end: number): number {
    const node = this.begin.length;
    this.begin.push(begin);
    this.end.push(end);
    this.dim.push(-1);
    this.cut.push(0);
    this.left.push(-1);
    this.right.push(-1);
    if (end - begin <= LEAF_SIZE) return node;
    const { points, p, order } = this;
    let bestDim = 0;
    let bestSpread = -1;
    for (let j = 0; j < p; j++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let m = begin; m < end; m++) {
        const v = points[order[m] * p + j];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi - lo > bestSpread) {
        bestSpread = hi - lo;
        bestDim = j;
      }
    }
    if (!(bestSpread > 0)) return node;
    const slice = Array.from(order.subarray(begin, end)).sort(
      (a, b) => points[a * p + bestDim] - points[b * p + bestDim],
    );
    order.set(slice, begin);
    const mid = begin + ((end - begin) >> 1);
    this.dim[node] = bestDim;
    this.cut[node] = points[order[mid] * p + bestDim];
    this.left[node] = this.build(begin, mid);
    this.right[node] = this.build(mid, end);
    return node;
  }

  query(q: Float64Array, k: number, skip: number, dist: Float64Array, index: Int32Array): void {
    const { points, p, order } = this;
    let found = 0;
    // Depth-first, nearer child first; a far child is visited only if its slab can hold a closer point.
    const stack: number[] = [0, 0];
    while (stack.length > 0) {
      const bound = stack.pop()!;
      const node = stack.pop()!;
      if (found === k && bound >= dist[k - 1]) continue;
      const dim = this.dim[node];
      if (dim < 0) {
        for (let m = this.begin[node]; m < this.end[node]; m++) {
          const i = order[m];
          if (i === skip) continue;
          let s = 0;
          const base = i * p;
          for (let j = 0; j < p; j++) {
            const e = points[base + j] - q[j];
            s += e * e;
          }
          found = offer(s, i, k, found, dist, index);
        }
        continue;
      }
      const diff = q[dim] - this.cut[node];
      const near = diff < 0 ? this.left[node] : this.right[node];
      const far = diff < 0 ? this.right[node] : this.left[node];
      stack.push(far, Math.max(bound, diff * diff), near, bound);
    }
    for (let m = 0; m < found; m++) dist[m] = Math.sqrt(dist[m]);
  }
}
