import { Arena } from '../wasm/arena.js';
import { compileDistanceKernel, evenStride, padRows, type DistanceKernel } from './distance-kernel.js';
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
    const layout = {
      points: points.byteOffset,
      n,
      stride,
      centres: this.centres.byteOffset,
      triangle: false,
    };
    this.kernel = compileDistanceKernel({ ...layout, out: this.out.byteOffset }, arena.memory);
  }

  /**
   * The squared distances to the m ≤ capacity centres given (row-major m × d), as `[i * m + c]`
   * (n × m). The array is overwritten by the next call.
   */
  measure(centres: Float64Array, m: number): Float64Array {
    if (m > this.capacity) throw new RangeError(`${m} centres, room for ${this.capacity}`);
    padRows(centres, m, this.d, this.centres, this.stride);
    this.kernel(m);
    return this.out.subarray(0, this.n * m);
  }
}

/**
 * The n × n matrix of Euclidean distances between the points of P (squared when `squared`): the
 * kernel measures the upper triangle, mirrored here.
 */
export function pairwiseDistances(P: Points, squared = false): Float64Array {
  const { n, d } = P;
  const stride = evenStride(d);
  const arena = new Arena([n * stride * 8, n * n * 8], false);
  const points = arena.take(Float64Array, n * stride);
  padRows(P.data, n, d, points, stride);
  const D = arena.take(Float64Array, n * n);
  const at = points.byteOffset;
  compileDistanceKernel(
    { points: at, n, stride, centres: at, out: D.byteOffset, triangle: true },
    arena.memory,
  )(n);
  // Mirror in 64 × 64 blocks: a plain column walk misses the cache on every write.
  const B = 64;
  for (let bi = 0; bi < n; bi += B) {
    for (let bj = bi; bj < n; bj += B) {
      const iEnd = Math.min(bi + B, n);
      for (let i = bi; i < iEnd; i++) {
        D[i * n + i] = 0;
        for (let j = Math.max(bj, i + 1), jEnd = Math.min(bj + B, n); j < jEnd; j++) {
          const v = squared ? D[i * n + j] : Math.sqrt(D[i * n + j]);
          D[i * n + j] = v;
          D[j * n + i] = v;
        }
      }
    }
  }
  return D;
}
