/** Numbers per node in the packed node array: one node's fields share a cache line. */
const NODE = 8;
const COM_X = 0;
const COM_Y = 1;
const WIDTH2 = 2;
const COUNT = 3;
const CHILD = 4;
const START = 5;
const END = 6;
/** 50 halvings shrink a cell by 2⁻⁵⁰: points still together there are duplicates, kept in one leaf. */
const MAX_DEPTH = 50;

/**
 * A 2-D Barnes–Hut quadtree over embedding points (row-major n × 2), rebuilt every t-SNE iteration,
 * for the repulsive forces (van der Maaten 2014). Each node keeps its centre of mass, point count and
 * squared side; leaves hold one point, or several at one spot. Nodes are packed into one
 * Float64Array so a traversal touches one cache line per node.
 */
export class QuadTree {
  private node: Float64Array;
  private nodes = 0;
  /** Points in tree order: leaves' points are contiguous, and nearby points sit near each other. */
  readonly order: Int32Array;
  private readonly scratch: Int32Array;
  private readonly stack: Int32Array;
  private work: Float64Array;

  constructor(private readonly n: number) {
    this.node = new Float64Array(Math.max(16, 4 * n) * NODE);
    this.order = new Int32Array(n);
    this.scratch = new Int32Array(n);
    this.stack = new Int32Array(4 * MAX_DEPTH + 16);
    this.work = new Float64Array(4 * (4 * MAX_DEPTH + 16));
  }

  private ensure(nodes: number): void {
    if (nodes * NODE <= this.node.length) return;
    const bigger = new Float64Array(Math.max(this.node.length * 2, nodes * NODE));
    bigger.set(this.node);
    this.node = bigger;
  }

  /** Rebuilds the tree over Y. */
  build(Y: Float64Array): void {
    const n = this.n;
    const order = this.order;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      const x = Y[2 * i];
      const y = Y[2 * i + 1];
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    const side = Math.max(maxX - minX, maxY - minY) * (1 + 1e-9) + 1e-12;
    this.nodes = 1;
    let node = this.node;
    node[START] = 0;
    node[END] = n;
    node[WIDTH2] = side * side;
    // Work stack of [node, centre x, centre y, depth]; a node's children are laid out when it splits.
    let work = this.work;
    let top = 0;
    work[top++] = 0;
    work[top++] = minX + side / 2;
    work[top++] = minY + side / 2;
    work[top++] = 0;
    const counts = [0, 0, 0, 0];
    const cursor = [0, 0, 0, 0];
    while (top > 0) {
      const depth = work[--top];
      const cy = work[--top];
      const cx = work[--top];
      const at = work[--top] * NODE;
      const s = node[at + START];
      const e = node[at + END];
      let sx = 0;
      let sy = 0;
      for (let t = s; t < e; t++) {
        sx += Y[2 * order[t]];
        sy += Y[2 * order[t] + 1];
      }
      const m = e - s;
      node[at + COUNT] = m;
      node[at + COM_X] = m > 0 ? sx / m : cx;
      node[at + COM_Y] = m > 0 ? sy / m : cy;
      node[at + CHILD] = -1;
      if (m <= 1 || depth >= MAX_DEPTH) continue;
      this.ensure(this.nodes + 4);
      node = this.node;
      const first = this.nodes;
      this.nodes += 4;
      node[at + CHILD] = first;
      counts.fill(0);
      for (let t = s; t < e; t++) {
        const i = order[t];
        counts[(Y[2 * i] >= cx ? 1 : 0) + (Y[2 * i + 1] >= cy ? 2 : 0)]++;
      }
      cursor[0] = s;
      for (let q = 1; q < 4; q++) cursor[q] = cursor[q - 1] + counts[q - 1];
      for (let q = 0; q < 4; q++) {
        const c = (first + q) * NODE;
        node[c + START] = cursor[q];
        node[c + END] = cursor[q] + counts[q];
      }
      for (let t = s; t < e; t++) {
        const i = order[t];
        this.scratch[cursor[(Y[2 * i] >= cx ? 1 : 0) + (Y[2 * i + 1] >= cy ? 2 : 0)]++] = i;
      }
      for (let t = s; t < e; t++) order[t] = this.scratch[t];
      const width2 = node[at + WIDTH2] / 4;
      const quarter = Math.sqrt(width2) / 2;
      if (top + 16 > work.length) {
        const bigger = new Float64Array(work.length * 2);
        bigger.set(work);
        this.work = work = bigger;
      }
      for (let q = 0; q < 4; q++) {
        const c = first + q;
        node[c * NODE + WIDTH2] = width2;
        work[top++] = c;
        work[top++] = cx + (q & 1 ? quarter : -quarter);
        work[top++] = cy + (q & 2 ? quarter : -quarter);
        work[top++] = depth + 1;
      }
    }
  }

  /**
   * Adds point i's unnormalised repulsion Σ_j q_ij² (y_i − y_j) into out[2i], out[2i+1] (q_ij =
   * 1 / (1 + |y_i − y_j|²)) and returns Σ_j q_ij, with cells whose side / distance < theta
   * summarised by their centre of mass.
   */
  repulsion(Y: Float64Array, i: number, theta: number, out: Float64Array): number {
    const node = this.node;
    const order = this.order;
    const xi = Y[2 * i];
    const yi = Y[2 * i + 1];
    const theta2 = theta * theta;
    let fx = 0;
    let fy = 0;
    let sumQ = 0;
    const stack = this.stack;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const at = stack[--top] * NODE;
      const m = node[at + COUNT];
      if (m === 0) continue;
      const first = node[at + CHILD];
      if (first < 0 && m > 1) {
        // Several points at one spot (or at the depth limit): exact, skipping i itself.
        for (let t = node[at + START]; t < node[at + END]; t++) {
          const j = order[t];
          if (j === i) continue;
          const dx = xi - Y[2 * j];
          const dy = yi - Y[2 * j + 1];
          const q = 1 / (1 + dx * dx + dy * dy);
          sumQ += q;
          fx += q * q * dx;
          fy += q * q * dy;
        }
        continue;
      }
      if (first < 0 && order[node[at + START]] === i) continue;
      const dx = xi - node[at + COM_X];
      const dy = yi - node[at + COM_Y];
      const d2 = dx * dx + dy * dy;
      if (first < 0 || node[at + WIDTH2] < theta2 * d2) {
        const q = 1 / (1 + d2);
        sumQ += m * q;
        const mq2 = m * q * q;
        fx += mq2 * dx;
        fy += mq2 * dy;
        continue;
      }
      stack[top++] = first;
      stack[top++] = first + 1;
      stack[top++] = first + 2;
      stack[top++] = first + 3;
    }
    out[2 * i] += fx;
    out[2 * i + 1] += fy;
    return sumQ;
  }
}
