import { Arena } from '../wasm/arena.js';
import { distanceKernel, evenStride, padRows, type DistanceKernel } from './distance-kernel.js';
import type { Points } from './points.js';

/**
 * Squared Euclidean distances from every point of P to blocks of up to `capacity` centres, by the
 * WebAssembly kernel of distance-kernel.ts. The points are copied into the kernel's memory once, so
 * one instance serves every block (k-means++ measures a few candidates at a time).
 */
export class CentreDistances {
  private readonly n: number;
  private readonly d: number;
  private readonly stride: number;
  private readonly centres: Float64Array;
  private readonly out: Float64Array;
  private readonly points: number;
  private readonly kernel: DistanceKernel;

  constructor(
    P: Points,
    private readonly capacity: number,
  ) {
    const { n, d } = P;
    const stride = evenStride(d);
    const arena = new Arena([n * stride * 8, capacity * stride * 8, n * capacity * 8], false);
    const points = arena.take(Float64Array, n * stride);
    padRows(P.data, n, d, points, stride);
    this.n = n;
    this.d = d;
    this.stride = stride;
    this.centres = arena.take(Float64Array, capacity * stride);
    this.out = arena.take(Float64Array, n * capacity);
    this.points = points.byteOffset;
    this.kernel = distanceKernel(stride, false, arena.memory);
  }

  /**
   * The squared distances to the m ≤ capacity centres given (row-major m × d), as `[i * m + c]`
   * (n × m). The array is overwritten by the next call.
   */
  measure(centres: Float64Array, m: number): Float64Array {
    if (m > this.capacity) throw new RangeError(`${m} centres, room for ${this.capacity}`);
    padRows(centres, m, this.d, this.centres, this.stride);
    this.kernel(m, this.n, this.points, this.centres.byteOffset, this.out.byteOffset, 0);
    return this.out.subarray(0, this.n * m);
  }
}

/** Rows of the matrix the kernel measures per call: their block stays in cache while it is mirrored. */
const BLOCK_ROWS = 64;

/**
 * The n × n matrix of Euclidean distances between the points of P (squared when `squared`). The
 * kernel measures the upper triangle a block of rows at a time into its own memory, and each block
 * is mirrored from there into the matrix, which lives on the JavaScript heap: fresh WebAssembly
 * pages for all n² numbers cost more than the distances on small tables.
 */
export function pairwiseDistances(P: Points, squared = false): Float64Array {
  const { n, d } = P;
  const stride = evenStride(d);
  const arena = new Arena([n * stride * 8, BLOCK_ROWS * n * 8], false);
  const points = arena.take(Float64Array, n * stride);
  padRows(P.data, n, d, points, stride);
  const block = arena.take(Float64Array, BLOCK_ROWS * n);
  const kernel = distanceKernel(stride, true, arena.memory);
  const D = new Float64Array(n * n);
  for (let i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, n - i0);
    kernel(n, rows, points.byteOffset + i0 * stride * 8, points.byteOffset, block.byteOffset, i0);
    // Column by column, so the writes below the diagonal fill runs of `rows` consecutive numbers.
    for (let j = i0; j < n; j++) {
      for (let i = i0, iEnd = Math.min(i0 + rows, j); i < iEnd; i++) {
        const v = squared ? block[(i - i0) * n + j] : Math.sqrt(block[(i - i0) * n + j]);
        D[i * n + j] = v;
        D[j * n + i] = v;
      }
    }
  }
  return D;
}
