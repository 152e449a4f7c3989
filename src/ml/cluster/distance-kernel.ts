import { assemble, Code, I32, OP, SIMD, V128, type KernelSpec } from '../wasm/assembler.js';

/**
 * Squared Euclidean distances from each of n points to the first m rows of a centre block, into
 * `out[i * m + c]`; for a triangle kernel, point i meets only rows c ≥ first + i (the points being
 * rows first.. of the centre block). Points and centres are rows of the kernel's stride (see
 * evenStride); `points`, `centres` and `out` are byte addresses in its memory.
 */
export type DistanceKernel = (
  m: number,
  n: number,
  points: number,
  centres: number,
  out: number,
  first: number,
) => void;

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

const [M, N, POINTS, CENTRES, OUT, FIRST] = [0, 1, 2, 3, 4, 5];
const [I, C, P, Q, ROW, ROW_BYTES_OUT] = [6, 7, 8, 9, 10, 11];
const [X, DIFF, A0, A1, A2, A3] = [12, 13, 14, 15, 16, 17];
const LOCALS = [I32, I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, V128] as const;

/** Compiled kernels by stride and shape: compiling costs ~0.5 ms, more than small tables' distances. */
const modules = new Map<string, WebAssembly.Module>();

/**
 * The kernel for rows of `stride` doubles (all pairs, or the triangle c ≥ i), working in `memory`
 * (not shared). Each point meets four centres at a time: each pair of its features is loaded once
 * and feeds four independent f64x2 sums. Differences are squared directly (not |x|² + |c|² − 2x·c)
 * so distances are exact to rounding, and a pair measured twice gives the same number, which the
 * linkages' tie-breaking relies on.
 */
export function distanceKernel(
  stride: number,
  triangle: boolean,
  memory: WebAssembly.Memory,
): DistanceKernel {
  const key = `${stride}${triangle ? 't' : ''}`;
  let module = modules.get(key);
  if (module === undefined) {
    module = new WebAssembly.Module(assemble(distanceSpec(stride, triangle)));
    modules.set(key, module);
  }
  return new WebAssembly.Instance(module, { env: { memory } }).exports.kernel as DistanceKernel;
}

function distanceSpec(stride: number, triangle: boolean): KernelSpec {
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
  code.i32(0).set(I).get(POINTS).set(P).get(OUT).set(ROW);
  code.loop(() => {
    if (triangle) code.get(FIRST).get(I).op(OP.i32Add).set(C);
    else code.i32(0).set(C);
    code.get(C).i32(rowBytes).op(OP.i32Mul).get(CENTRES).op(OP.i32Add).set(Q);
    centreLoop(4);
    centreLoop(1);
    code.get(P).i32(rowBytes).op(OP.i32Add).set(P);
    code.get(ROW).get(ROW_BYTES_OUT).op(OP.i32Add).set(ROW);
    code.get(I).i32(1).op(OP.i32Add).tee(I).get(N).op(OP.i32LtU).brIf(0);
  });
  return { params: [I32, I32, I32, I32, I32, I32], locals: [...LOCALS], code };
}
