import { Arena } from '../wasm/arena.js';
import { Code, compileKernel, F64, I32, OP, SIMD, V128, type KernelSpec } from '../wasm/assembler.js';
import { evenStride, padRows } from './distance-kernel.js';
import type { Points } from './points.js';

/**
 * One Hamerly assignment pass over every point (see kmeans-hamerly.ts): `largest` and `second` are
 * the two largest centre movements since the last pass and `largestAt` the centre that moved most.
 * Writes the number of points that changed cluster to `changed[0]`.
 */
export type HamerlyPass = (largest: number, second: number, largestAt: number) => void;

/**
 * The arrays of a Hamerly k-means run, in one WebAssembly memory, and the pass compiled for them.
 * Rows are `stride` wide (d rounded up to even, zero-padded) so distances run two features at a time
 * as f64x2 vectors. One workspace serves every restart on the same points.
 */
export class HamerlyWorkspace {
  readonly stride: number;
  /** Points, row-major n × stride. */
  readonly points: Float64Array;
  /** Centres, row-major k × stride. */
  readonly centres: Float64Array;
  readonly labels: Int32Array;
  /** Per point: upper bound on the distance to its centre, lower bound on the distance to any other. */
  readonly upper: Float64Array;
  readonly lower: Float64Array;
  /** Per centre: half the distance to the nearest other centre, and how far it moved last. */
  readonly half: Float64Array;
  readonly drift: Float64Array;
  /** Per centre: the sum of its points (k × stride) and their number. */
  readonly sums: Float64Array;
  readonly counts: Float64Array;
  readonly changed: Int32Array;
  readonly pass: HamerlyPass;

  constructor(
    P: Points,
    readonly k: number,
  ) {
    const { n, d } = P;
    const stride = evenStride(d);
    const arena = new Arena(
      [n * stride * 8, k * stride * 8, n * 4, n * 8, n * 8, k * 8, k * 8, k * stride * 8, k * 8, 8],
      false,
    );
    this.stride = stride;
    this.points = arena.take(Float64Array, n * stride);
    this.centres = arena.take(Float64Array, k * stride);
    this.labels = arena.take(Int32Array, n);
    this.upper = arena.take(Float64Array, n);
    this.lower = arena.take(Float64Array, n);
    this.half = arena.take(Float64Array, k);
    this.drift = arena.take(Float64Array, k);
    this.sums = arena.take(Float64Array, k * stride);
    this.counts = arena.take(Float64Array, k);
    this.changed = arena.take(Int32Array, 1);
    padRows(P.data, n, d, this.points, stride);
    this.pass = compileKernel<HamerlyPass>(passSpec(this, n), arena.memory);
  }
}

const [LARGEST, SECOND, LARGEST_AT] = [0, 1, 2];
const [I, A, P, Q, C, BEST, CHANGED, U, L, M, DIST, FIRST, NEXT, SUM0, SUM1, DIFF] = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
];
const LOCALS = [I32, I32, I32, I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, V128, V128, V128] as const;

/**
 * The pass: for each point, loosen its bounds by the centres' movements; only when the upper bound
 * passes both the lower bound and half the distance from its centre to the next is the upper bound
 * tightened, and only when it still passes are all k distances measured. A point that changes
 * cluster moves its coordinates between the two centres' sums.
 */
function passSpec(w: HamerlyWorkspace, n: number): KernelSpec {
  const { k, stride } = w;
  const rowBytes = stride * 8;
  const pairs = stride / 2;
  const code = new Code();
  const at = (array: { byteOffset: number }) => array.byteOffset;

  /** Pushes the squared distance between the point at byte address P and the centre at Q. */
  const distance = () => {
    for (let j = 0; j < pairs; j++) {
      code.get(P).v128Load(at(w.points) + 16 * j);
      code.get(Q).v128Load(at(w.centres) + 16 * j);
      code.simd(SIMD.f64x2Sub).set(DIFF).get(DIFF).get(DIFF).simd(SIMD.f64x2Mul);
      // Two running sums halve the chain of dependent additions.
      const sum = j % 2 === 0 ? SUM0 : SUM1;
      if (j >= 2) code.get(sum).simd(SIMD.f64x2Add);
      code.set(sum);
    }
    if (pairs > 1) code.get(SUM0).get(SUM1).simd(SIMD.f64x2Add).set(SUM0);
    code.get(SUM0).f64x2Lane(0).get(SUM0).f64x2Lane(1).op(OP.f64Add);
  };
  /** sums[centre in local `c`] += or −= the point at P, two features at a time. */
  const addPoint = (c: number, op: typeof SIMD.f64x2Add | typeof SIMD.f64x2Sub) => {
    code.get(c).i32(rowBytes).op(OP.i32Mul).set(Q);
    for (let j = 0; j < pairs; j++) {
      const offset = at(w.sums) + 16 * j;
      code
        .get(Q)
        .get(Q)
        .v128Load(offset)
        .get(P)
        .v128Load(at(w.points) + 16 * j)
        .simd(op)
        .v128Store(offset);
    }
  };
  /** counts[centre in local `c`] += delta. */
  const count = (c: number, delta: number) =>
    code
      .get(c)
      .i32(3)
      .op(OP.i32Shl)
      .get(c)
      .i32(3)
      .op(OP.i32Shl)
      .memory('f64Load', at(w.counts))
      .f64(delta)
      .op(OP.f64Add)
      .memory('f64Store', at(w.counts));

  code.i32(0).set(CHANGED).i32(0).set(I).i32(0).set(P);
  code.loop(() => {
    // a = labels[i]; u = upper[i] + drift[a]; l = lower[i] − (a moved most ? second : largest)
    code.get(I).i32(2).op(OP.i32Shl).memory('i32Load', at(w.labels)).set(A);
    code.get(I).i32(3).op(OP.i32Shl).memory('f64Load', at(w.upper));
    code.get(A).i32(3).op(OP.i32Shl).memory('f64Load', at(w.drift)).op(OP.f64Add).set(U);
    code.get(I).i32(3).op(OP.i32Shl).memory('f64Load', at(w.lower));
    code.get(SECOND).get(LARGEST).get(A).get(LARGEST_AT).op(OP.i32Eq, OP.select).op(OP.f64Sub).set(L);
    code.get(A).i32(3).op(OP.i32Shl).memory('f64Load', at(w.half)).get(L).op(OP.f64Max).set(M);
    code.block(() => {
      code.get(U).get(M).op(OP.f64Le).brIf(0);
      code.get(A).i32(rowBytes).op(OP.i32Mul).set(Q);
      distance();
      code.op(OP.f64Sqrt).tee(U).get(M).op(OP.f64Le).brIf(0);
      code.f64(Infinity).set(FIRST).f64(Infinity).set(NEXT).i32(0).set(BEST).i32(0).set(C).i32(0).set(Q);
      code.loop(() => {
        distance();
        code.set(DIST);
        // Branch-free: the nearest so far (first on ties) and the second nearest.
        code
          .get(FIRST)
          .get(NEXT)
          .get(DIST)
          .op(OP.f64Min)
          .get(DIST)
          .get(FIRST)
          .op(OP.f64Lt, OP.select)
          .set(NEXT);
        code.get(C).get(BEST).get(DIST).get(FIRST).op(OP.f64Lt, OP.select).set(BEST);
        code.get(DIST).get(FIRST).get(DIST).get(FIRST).op(OP.f64Lt, OP.select).set(FIRST);
        code.get(Q).i32(rowBytes).op(OP.i32Add).set(Q);
        code.get(C).i32(1).op(OP.i32Add).tee(C).i32(k).op(OP.i32LtU).brIf(0);
      });
      code.get(FIRST).op(OP.f64Sqrt).set(U).get(NEXT).op(OP.f64Sqrt).set(L);
      code.get(BEST).get(A).op(OP.i32Eq).brIf(0);
      code.get(I).i32(2).op(OP.i32Shl).get(BEST).memory('i32Store', at(w.labels));
      code.get(CHANGED).i32(1).op(OP.i32Add).set(CHANGED);
      count(A, -1);
      count(BEST, 1);
      addPoint(A, SIMD.f64x2Sub);
      addPoint(BEST, SIMD.f64x2Add);
    });
    code.get(I).i32(3).op(OP.i32Shl).get(U).memory('f64Store', at(w.upper));
    code.get(I).i32(3).op(OP.i32Shl).get(L).memory('f64Store', at(w.lower));
    code.get(P).i32(rowBytes).op(OP.i32Add).set(P);
    code.get(I).i32(1).op(OP.i32Add).tee(I).i32(n).op(OP.i32LtU).brIf(0);
  });
  code.i32(0).get(CHANGED).memory('i32Store', at(w.changed));
  return { params: [F64, F64, I32], locals: [...LOCALS], code };
}
