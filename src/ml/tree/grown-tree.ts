import type { Tree } from './tree.js';
import type { BinMapper } from './binning.js';
import type { Split } from './split.js';

/**
 * A tree while it grows: its nodes in growable arrays, with each split kept both as bins (to route
 * binned rows — validation rows, rows left out by subsampling) and as raw values (the Tree format).
 * Node ids follow creation order, children right after their parent's split, as XGBoost numbers them.
 */
export class GrownTree {
  readonly left: number[] = [];
  readonly right: number[] = [];
  readonly feature: number[] = [];
  readonly binThreshold: number[] = [];
  readonly catMask: (Uint8Array | null)[] = [];
  readonly defaultLeft: number[] = [];
  readonly value: number[] = [];
  readonly cover: number[] = [];
  readonly gain: number[] = [];
  /** Each node's rows: rows[start..end) of the grower's row array once growth is done (leaves). */
  readonly start: number[] = [];
  readonly end: number[] = [];
  /**
   * Splits whose rows were not partitioned because both children are final leaves: their rows are
   * still the parent's range, and the children's ranges are empty; route them by the split.
   */
  readonly unpartitioned: number[] = [];

  get size(): number {
    return this.left.length;
  }

  addNode(start: number, end: number, cover: number, value: number): number {
    this.left.push(-1);
    this.right.push(-1);
    this.feature.push(-1);
    this.binThreshold.push(0);
    this.catMask.push(null);
    this.defaultLeft.push(0);
    this.value.push(value);
    this.cover.push(cover);
    this.gain.push(0);
    this.start.push(start);
    this.end.push(end);
    return this.left.length - 1;
  }

  setSplit(node: number, split: Split, left: number, right: number): void {
    this.left[node] = left;
    this.right[node] = right;
    this.feature[node] = split.feature;
    this.binThreshold[node] = split.categorical ? -1 : split.threshold;
    this.catMask[node] = split.categorical ? Uint8Array.from(split.catMask) : null;
    this.defaultLeft[node] = split.defaultLeft ? 1 : 0;
    this.gain[node] = split.gain;
  }

  /** The leaf a binned row reaches (`bins[f * n + r]`). */
  leafOfBinned(bins: Uint8Array, n: number, r: number): number {
    let node = 0;
    const left = this.left;
    while (left[node] >= 0) {
      const b = bins[this.feature[node] * n + r];
      const mask = this.catMask[node];
      const goLeft =
        b === 0 ? this.defaultLeft[node] === 1 : mask === null ? b <= this.binThreshold[node] : mask[b] === 1;
      node = goLeft ? left[node] : this.right[node];
    }
    return node;
  }

  /** The Tree format: raw thresholds (cut points) and category codes from the mapper. */
  toTree(mapper: BinMapper): Tree {
    const m = this.size;
    const threshold = new Float64Array(m);
    const catOffsets = new Int32Array(m + 1);
    const codes: number[] = [];
    for (let i = 0; i < m; i++) {
      const f = this.feature[i];
      const mask = this.catMask[i];
      if (this.left[i] >= 0 && mask !== null) {
        const binCodes = mapper.binCodes[f];
        const set: number[] = [];
        for (let b = 1; b < binCodes.length; b++)
          if (mask[b] === 1 && binCodes[b] >= 0) set.push(binCodes[b]);
        codes.push(...set.sort((a, b) => a - b));
      } else if (this.left[i] >= 0) {
        // Threshold bin nBins − 1 sends every value left and only missing right ("is missing").
        const cuts = mapper.cuts[f];
        const b = this.binThreshold[i];
        threshold[i] = b - 1 < cuts.length ? cuts[b - 1] : Number.MAX_VALUE;
      }
      catOffsets[i + 1] = codes.length;
    }
    return {
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      feature: Int32Array.from(this.feature, (f, i) => (this.left[i] >= 0 ? f : -1)),
      threshold,
      defaultLeft: Uint8Array.from(this.defaultLeft),
      catOffsets,
      catCodes: Int32Array.from(codes),
      value: Float64Array.from(this.value),
      cover: Float64Array.from(this.cover),
      gain: Float64Array.from(this.gain),
    };
  }
}
