import type { FeatureMatrix } from '../matrix.js';
import type { TreeEnsemble } from './ensemble.js';
import { flattenEnsemble, shareFlat, type FlatEnsemble } from './flatten-ensemble.js';
import { blockWalker } from './walk-kernel.js';

/** Rows binned and routed together through every tree. */
const BLOCK = 256;

/**
 * A TreeEnsemble flattened for fast prediction. Trees of depth ≤ 10 are laid out as perfect binary
 * trees of the ensemble's depth D (node i's children at 2i + 1 and 2i + 2, leaves after the 2^D − 1
 * inner nodes; a leaf above depth D becomes a chain of always-left steps). A block of rows is first
 * binned — each feature the trees split on becomes the number of the feature's thresholds the value
 * reaches, or the category code (see FlatEnsemble) — so every step is one packed word and one
 * 16-bit value, compared as integers without branches, and exactly `x >= threshold`. A row takes
 * as many steps per tree as that tree is deep, with no child pointers to load; the walk itself is
 * a WebAssembly kernel (walk-kernel.ts). A code outside 0..k−1 or not whole is treated as missing,
 * as FeatureMatrix documents. Deeper ensembles use explicit children on the raw values.
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
  /** Numeric thresholds (linked layout) and leaf values (both layouts). */
  private readonly threshold: Float64Array;
  private readonly missingRight: Int32Array;
  /** Binned values per row (perfect layout): at least 1, so a walk's reads stay in bounds. */
  private readonly slots: number;
  /** Linked layout: left child (right = left + 1); leaves have feature −1 and their value in threshold. */
  private readonly child: Int32Array;
  private readonly catStart: Int32Array;
  private readonly catLimit: Int32Array;
  private readonly catBits: Uint32Array;
  private readonly catLut: Uint8Array;
  private readonly bigCategorical: Uint8Array;
  private readonly arrays: FlatEnsemble;
  /** Perfect layout: the block's binning and walk (walk-kernel.ts) and its margins. */
  private readonly bin: (data: Float64Array, n: number, r0: number, m: number) => void;
  private readonly walk: (rows: number) => void;
  private readonly blockMargins: Float64Array;

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
    this.slots = Math.max(arrays.slotFeature.length, 1);
    this.child = arrays.child;
    this.catStart = arrays.catStart;
    this.catLimit = arrays.catLimit;
    this.catBits = arrays.catBits;
    this.catLut = arrays.catLut;
    this.bigCategorical = arrays.bigCategorical;
    this.arrays = arrays;
    const kernel = this.depth > 0 ? blockWalker(arrays, this.slots, BLOCK) : null;
    this.bin = kernel?.bin ?? (() => {});
    this.walk = kernel?.walk ?? (() => {});
    this.blockMargins = kernel?.margins ?? new Float64Array(0);
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
    if (this.depth === 0) {
      for (let r = from; r < to; r++) for (let k = 0; k < K; k++) out[r * K + k] = this.baseMargin[k];
      const at = new Int32Array(BLOCK);
      for (let r0 = from; r0 < to; r0 += BLOCK) {
        const m = Math.min(to, r0 + BLOCK) - r0;
        for (let t = 0; t < this.trees; t++) {
          this.walkLinked(data, n, r0, r0 + m, t, at);
          const k = this.treeOutput[t];
          for (let i = 0; i < m; i++) out[(r0 + i) * K + k] += this.threshold[at[i]];
        }
      }
      return out;
    }
    const margins = this.blockMargins;
    for (let r0 = from; r0 < to; r0 += BLOCK) {
      const m = Math.min(to, r0 + BLOCK) - r0;
      this.bin(data, n, r0, m);
      for (let k = 0; k < K; k++) margins.fill(this.baseMargin[k], k * BLOCK, k * BLOCK + m);
      this.walk(m);
      if (K === 1) out.set(margins.subarray(0, m), r0);
      else
        for (let k = 0; k < K; k++)
          for (let i = 0; i < m; i++) out[(r0 + i) * K + k] = margins[k * BLOCK + i];
    }
    return out;
  }

  /** Margins of one row (a dense feature vector): the same additions as in a batch, so the same bits. */
  predictRowMargins(x: Float64Array, out = new Float64Array(this.outputs)): Float64Array {
    if (this.depth > 0) return this.predictRange(x, 1, 0, 1, out);
    out.set(this.baseMargin);
    const at = new Int32Array(1);
    for (let t = 0; t < this.trees; t++) {
      this.walkLinked(x, 1, 0, 1, t, at);
      out[this.treeOutput[t]] += this.threshold[at[0]];
    }
    return out;
  }

  /** Linked layout: the slots of the leaves rows r0..r1 reach in tree t, into `at`. */
  private walkLinked(data: Float64Array, n: number, r0: number, r1: number, t: number, at: Int32Array): void {
    const { feature, threshold, missingRight, child } = this;
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
          const x = data[(f - F) * n + r];
          const c = x | 0;
          const limit = this.catLimit[slot];
          const code = c === x && c >= 0 && c < limit ? c : limit;
          slot = child[slot] + this.categoricalRight(slot, code);
        }
        f = feature[slot]!;
      }
      at[r - r0] = slot;
    }
  }

  /**
   * Linked layout: 1 when a row with category `code` goes right at categorical slot s; a code ≥ the
   * node's limit follows the missing direction. A byte table by code when the whole set fits, past
   * LUT_CODES codes a bitset.
   */
  private categoricalRight(s: number, code: number): number {
    if (code >= this.catLimit[s]) return this.missingRight[s];
    if (this.bigCategorical[s] === 0) return this.catLut[this.catStart[s] + code];
    if (code >= this.threshold[s]) return 1;
    return ((this.catBits[this.catStart[s] + (code >> 5)] >>> (code & 31)) & 1) ^ 1;
  }
}
