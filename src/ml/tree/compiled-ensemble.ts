import type { FeatureMatrix } from '../matrix.js';
import type { TreeEnsemble } from './ensemble.js';
import { flattenEnsemble, shareFlat, type FlatEnsemble } from './flatten-ensemble.js';

/** Rows copied row-major and routed together through every tree. */
const BLOCK = 64;

/**
 * A TreeEnsemble flattened for fast prediction. Trees of depth ≤ 10 are laid out as perfect binary
 * trees of the ensemble's depth D (node i's children at 2i + 1 and 2i + 2, leaves after the 2^D − 1
 * inner nodes; a leaf above depth D becomes a chain of always-left steps, threshold NaN). Every row
 * then takes exactly D steps per tree with no child pointers to load, and a block of rows walks a
 * tree level by level, so the rows' chains of dependent loads overlap. A numeric step is
 * branch-free: `2i + 1 + ((x >= t) | (missingRight & (x !== x)))`. Categorical nodes (feature
 * stored as f + features) test a bitset of codes; a code outside 0..k−1 or not whole is treated as
 * missing, as FeatureMatrix documents. Deeper ensembles use the same arrays with explicit children.
 */
export class CompiledEnsemble {
  readonly outputs: number;
  private readonly features: number;
  private readonly baseMargin: Float64Array;
  private readonly treeOutput: Int32Array;
  private readonly trees: number;
  /** Perfect layout depth, or 0 for the linked layout. */
  private readonly depth: number;
  /** Slots per tree: inner nodes then leaves (perfect), or nodes (linked). */
  private readonly width: number;
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly missingRight: Int32Array;
  /** Perfect layout: feature << 3 | bitset << 2 | categorical << 1 | missing right, one load per step. */
  private readonly packed: Int32Array;
  /** Linked layout: left child (right = left + 1); leaves have feature −1 and their value in threshold. */
  private readonly child: Int32Array;
  private readonly catStart: Int32Array;
  private readonly catLimit: Int32Array;
  private readonly catBits: Uint32Array;
  private readonly catLut: Uint8Array;
  private readonly bigCategorical: Uint8Array;
  private readonly arrays: FlatEnsemble;

  /** From an ensemble (flattened here) or from flat arrays (e.g. shared with a worker). */
  constructor(source: TreeEnsemble | FlatEnsemble) {
    const arrays =
      typeof source.trees === 'number' ? (source as FlatEnsemble) : flattenEnsemble(source as TreeEnsemble);
    this.outputs = arrays.outputs;
    this.features = arrays.features;
    this.baseMargin = arrays.baseMargin;
    this.treeOutput = arrays.treeOutput;
    this.trees = arrays.trees;
    this.depth = arrays.depth;
    this.width = arrays.width;
    this.feature = arrays.feature;
    this.threshold = arrays.threshold;
    this.missingRight = arrays.missingRight;
    this.packed = arrays.packed;
    this.child = arrays.child;
    this.catStart = arrays.catStart;
    this.catLimit = arrays.catLimit;
    this.catBits = arrays.catBits;
    this.catLut = arrays.catLut;
    this.bigCategorical = arrays.bigCategorical;
    this.arrays = arrays;
  }

  /** The flat arrays on SharedArrayBuffers, for workers (see predict-worker.ts). */
  shared(): FlatEnsemble {
    return shareFlat(this.arrays);
  }

  /** Raw margins of every row of X, row-major `out[r * outputs + k]`. */
  predictMargins(X: FeatureMatrix, out = new Float64Array(X.rows * this.outputs)): Float64Array {
    return this.predictRange(X.data, X.rows, 0, X.rows, out);
  }

  /**
   * Margins of rows from..to of column-major `data` with `n` rows, into the same rows of `out`
   * (row-major, `outputs` per row); threads can take disjoint ranges.
   */
  predictRange(data: Float64Array, n: number, from: number, to: number, out: Float64Array): Float64Array {
    const K = this.outputs;
    const F = this.features;
    for (let r = from; r < to; r++) for (let k = 0; k < K; k++) out[r * K + k] = this.baseMargin[k];
    const at = new Int32Array(BLOCK);
    const xs = new Float64Array(BLOCK * F);
    for (let r0 = from; r0 < to; r0 += BLOCK) {
      const m = Math.min(to, r0 + BLOCK) - r0;
      if (this.depth === 0) {
        for (let t = 0; t < this.trees; t++) {
          this.walkLinked(data, n, r0, r0 + m, t, at);
          const k = this.treeOutput[t];
          for (let i = 0; i < m; i++) out[(r0 + i) * K + k] += this.threshold[at[i]];
        }
        continue;
      }
      // Row-major copy of the block: a row's features share cache lines. Each tree then takes the
      // whole block, four rows walking it at once, so its nodes stay in cache across the block.
      for (let f = 0; f < F; f++) for (let i = 0; i < m; i++) xs[i * F + f] = data[f * n + r0 + i];
      const whole = m - (m % 4);
      for (let t = 0; t < this.trees; t++) {
        const k = this.treeOutput[t];
        for (let i = 0; i < whole; i += 4) this.walkFour(xs, i * F, t, out, (r0 + i) * K + k, K);
        for (let i = whole; i < m; i++) out[(r0 + i) * K + k] += this.walkTree(xs, i * F, t);
      }
    }
    return out;
  }

  /** Margins of one row (a dense feature vector). */
  predictRowMargins(x: Float64Array, out = new Float64Array(this.outputs)): Float64Array {
    out.set(this.baseMargin);
    if (this.depth === 0) {
      const at = new Int32Array(1);
      for (let t = 0; t < this.trees; t++) {
        this.walkLinked(x, 1, 0, 1, t, at);
        out[this.treeOutput[t]] += this.threshold[at[0]];
      }
      return out;
    }
    // Tree by tree, as predictMargins adds them, so one row and a batch give the same bits. The
    // walk is written out here, with every array in a local, as this is the latency path.
    const { packed, threshold, treeOutput, width, depth, catLimit, catStart, catLut } = this;
    for (let t = 0; t < this.trees; t++) {
      const base = t * width;
      let node = 0;
      for (let d = 0; d < depth; d++) {
        const s = base + node;
        const p = packed[s];
        const v = x[p >> 3];
        let right: number;
        if ((p & 6) === 0) right = +(v >= threshold[s]) | (p & 1 & +(v !== v));
        else if ((p & 4) === 0) {
          const c = v | 0;
          right = c === v && c >= 0 && c < catLimit[s] ? catLut[catStart[s] + c] : p & 1;
        } else right = this.categoricalRight(s, p, v);
        node = 2 * node + 1 + right;
      }
      out[treeOutput[t]] += threshold[base + node];
    }
    return out;
  }

  /** The leaf value tree t gives the row at xs[b..b + F). */
  private walkTree(xs: Float64Array, b: number, t: number): number {
    const { packed, threshold } = this;
    const base = t * this.width;
    let node = 0;
    for (let d = 0; d < this.depth; d++) {
      const s = base + node;
      const p = packed[s];
      const x = xs[b + (p >> 3)];
      node =
        2 * node +
        1 +
        ((p & 6) === 0 ? +(x >= threshold[s]) | (p & 1 & +(x !== x)) : this.categoricalRight(s, p, x));
    }
    return threshold[base + node];
  }

  /** Adds tree t's values for the four rows at xs[b0..), xs[b0 + F..), … to out[o], out[o + K], …. */
  private walkFour(xs: Float64Array, b0: number, t: number, out: Float64Array, o: number, K: number): void {
    const { packed, threshold } = this;
    const F = this.features;
    const base = t * this.width;
    const b1 = b0 + F;
    const b2 = b1 + F;
    const b3 = b2 + F;
    let n0 = 0;
    let n1 = 0;
    let n2 = 0;
    let n3 = 0;
    for (let d = 0; d < this.depth; d++) {
      let s = base + n0;
      let p = packed[s];
      let x = xs[b0 + (p >> 3)];
      n0 =
        2 * n0 +
        1 +
        ((p & 6) === 0 ? +(x >= threshold[s]) | (p & 1 & +(x !== x)) : this.categoricalRight(s, p, x));
      s = base + n1;
      p = packed[s]!;
      x = xs[b1 + (p >> 3)]!;
      n1 =
        2 * n1 +
        1 +
        ((p & 6) === 0 ? +(x >= threshold[s]) | (p & 1 & +(x !== x)) : this.categoricalRight(s, p, x));
      s = base + n2;
      p = packed[s]!;
      x = xs[b2 + (p >> 3)]!;
      n2 =
        2 * n2 +
        1 +
        ((p & 6) === 0 ? +(x >= threshold[s]) | (p & 1 & +(x !== x)) : this.categoricalRight(s, p, x));
      s = base + n3;
      p = packed[s]!;
      x = xs[b3 + (p >> 3)]!;
      n3 =
        2 * n3 +
        1 +
        ((p & 6) === 0 ? +(x >= threshold[s]) | (p & 1 & +(x !== x)) : this.categoricalRight(s, p, x));
    }
    out[o] += threshold[base + n0];
    out[o + K] += threshold[base + n1];
    out[o + 2 * K] += threshold[base + n2];
    out[o + 3 * K] += threshold[base + n3];
  }

  /** Linked layout: the slots of the leaves rows r0..r1 reach in tree t, into `at`. */
  private walkLinked(data: Float64Array, n: number, r0: number, r1: number, t: number, at: Int32Array): void {
    const { feature, threshold, missingRight, child, bigCategorical } = this;
    const F = this.features;
    const root = t * this.width;
    for (let r = r0; r < r1; r++) {
      let slot = root;
      let f = feature[slot];
      while (f >= 0) {
        if (f < F) {
          const x = data[f * n + r];
          slot = child[slot] + (+(x >= threshold[slot]) | (missingRight[slot] & +(x !== x)));
        } else {
          const p = (bigCategorical[slot] << 2) | 2 | missingRight[slot];
          slot = child[slot] + this.categoricalRight(slot, p, data[(f - F) * n + r]);
        }
        f = feature[slot]!;
      }
      at[r - r0] = slot;
    }
  }

  /**
   * 1 when x goes right at categorical slot s: a byte table by code (the whole set fits) or, past
   * LUT_CODES codes, a bitset. Integer tests only (NaN | 0 is 0 ≠ NaN, so NaN counts as missing).
   */
  private categoricalRight(s: number, p: number, x: number): number {
    const c = x | 0;
    if (c !== x || c < 0 || c >= this.catLimit[s]) return p & 1;
    if ((p & 4) === 0) return this.catLut[this.catStart[s] + c];
    if (c >= this.threshold[s]) return 1;
    return ((this.catBits[this.catStart[s] + (c >> 5)] >>> (c & 31)) & 1) ^ 1;
  }
}
