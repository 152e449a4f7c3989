import { Code, compileKernel, I32, OP, SIMD, V128, type KernelSpec } from '../wasm/assembler.js';

/**
 * Squared Euclidean distances from every point to the first `m` rows of a centre block, into
 * `out[i * m + c]` (or, for a triangle, to rows c ≥ i only). Takes m.
 */
export type DistanceKernel = (m: number) => void;

/** Where a distance kernel's arrays sit in its memory (byte addresses) and their shapes. */
export interface DistanceLayout {
  /** Points: n rows of `stride` doubles (stride even, padding zero). */
  points: number;
  n: number;
  stride: number;
  /** Centres: rows of `stride` doubles, zero-padded the same way. */
  centres: number;
  out: number;
  /** Measure only pairs c ≥ i (points against themselves, for a symmetric matrix). */
  triangle: boolean;
}

/** Rows of d doubles padded to an even width, so distances run two features at a time. */
export const evenStride = (d: number) => d + (d % 2);

/** Copies `rows` rows of d doubles from `source` into `target`, `stride` apart (the padding stays zero). */
export function padRows(
  source: Float64Array,
  rows: number,
  d: number,
  target: Float64Array,
  stride: number,
): void {
  for (let i = 0; i < rows; i++) target.set(source.subarray(i * d, i * d + d), i * stride);
}

const [M, I, C, P, Q, ROW, ROW_BYTES_OUT] = [0, 1, 2, 3, 4, 5, 6];
const [X, DIFF, A0, A1, A2, A3] = [7, 8, 9, 10, 11, 12];
const LOCALS = [I32, I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, V128] as const;

/**
 * Compiles the kernel for `layout` in `memory`. Each point meets four centres at a time: each pair
 * of its features is loaded once and feeds four independent f64x2 sums. Differences are squared
 * directly (not |x|² + |c|² − 2x·c) so distances are exact to rounding, and a pair measured twice
 * gives the same number, which the linkages' tie-breaking relies on.
 */
export function compileDistanceKernel(layout: DistanceLayout, memory: WebAssembly.Memory): DistanceKernel {
  return compileKernel<DistanceKernel>(distanceSpec(layout), memory);
}

function distanceSpec({ points, n, stride, centres, out, triangle }: DistanceLayout): KernelSpec {
  const rowBytes = stride * 8;
  const pairs = stride / 2;
  const code = new Code();
  const sums = [A0, A1, A2, A3];
  /** Stores the squared distance held in f64x2 sum `sum` as out[i][c + t] (ROW = &out[i][0], C = c). */
  const store = (sum: number, t: number) =>
    code
      .get(ROW)
      .get(C)
      .i32(3)
      .op(OP.i32Shl, OP.i32Add)
      .get(sum)
      .f64x2Lane(0)
      .get(sum)
      .f64x2Lane(1)
      .op(OP.f64Add)
      .memory('f64Store', 8 * t);
  /** Sums over the features of the point at P against `count` centres from Q on, into sums[0..count). */
  const accumulate = (count: number) => {
    for (let j = 0; j < pairs; j++) {
      code
        .get(P)
        .v128Load(16 * j)
        .set(X);
      for (let t = 0; t < count; t++) {
        code
          .get(X)
          .get(Q)
          .v128Load(t * rowBytes + 16 * j)
          .simd(SIMD.f64x2Sub)
          .set(DIFF);
        code.get(DIFF).get(DIFF).simd(SIMD.f64x2Mul);
        if (j > 0) code.get(sums[t]).simd(SIMD.f64x2Add);
        code.set(sums[t]);
      }
    }
  };
  /** Loops over centres from C while `count` more remain, measuring `count` at a time. */
  const centreLoop = (count: number) =>
    code.block(() =>
      code.loop(() => {
        code.get(C).i32(count).op(OP.i32Add).get(M).op(OP.i32GtU).brIf(1);
        accumulate(count);
        for (let t = 0; t < count; t++) store(sums[t], t);
        code.get(C).i32(count).op(OP.i32Add).set(C);
        code
          .get(Q)
          .i32(count * rowBytes)
          .op(OP.i32Add)
          .set(Q);
        code.br(0);
      }),
    );

  code.get(M).i32(3).op(OP.i32Shl).set(ROW_BYTES_OUT);
  code.i32(0).set(I).i32(points).set(P).i32(out).set(ROW);
  code.loop(() => {
    if (triangle) code.get(I).set(C);
    else code.i32(0).set(C);
    code.get(C).i32(rowBytes).op(OP.i32Mul).i32(centres).op(OP.i32Add).set(Q);
    centreLoop(4);
    centreLoop(1);
    code.get(P).i32(rowBytes).op(OP.i32Add).set(P);
    code.get(ROW).get(ROW_BYTES_OUT).op(OP.i32Add).set(ROW);
    code.get(I).i32(1).op(OP.i32Add).tee(I).i32(n).op(OP.i32LtU).brIf(0);
  });
  return { params: [I32], locals: [...LOCALS], code };
}
