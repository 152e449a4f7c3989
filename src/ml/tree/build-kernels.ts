import { Code, compileKernel, I32, OP, SIMD, V128, type MemoryOp } from '../wasm/assembler.js';
import type { OrderedRows } from './ordered-rows.js';

/**
 * Histogram builds as WebAssembly kernels over the ordered rows (which then live in one
 * WebAssembly.Memory, see fit-engine.ts): the same additions in the same order as the loops they
 * replace, about three times as fast — a typed-array store in JavaScript checks its bounds, a
 * WebAssembly one does not. Positions and histogram slots are element indexes; every kernel adds
 * rows s..e, feature positions featFrom..featTo.
 */
export interface BuildKernels {
  /** Every used feature of each row into hist[at..]. */
  all(s: number, e: number, featFrom: number, featTo: number, at: number): void;
  /** Even rows into hist[at..], odd ones into spare[spareAt..]; e − s must be even. */
  pairs(s: number, e: number, featFrom: number, featTo: number, at: number, spareAt: number): void;
  /** The features rows.features[featFrom..featTo) of each row (a tree's column sample) into hist[at..]. */
  sampled(s: number, e: number, featFrom: number, featTo: number, at: number): void;
  /** hist[at + k] −= hist[childAt + k] for k in from..to (even bounds): a sibling's histogram from its parent's. */
  subtract(from: number, to: number, at: number, childAt: number): void;
  /** hist[at + k] += spare[spareAt + k] for k in from..to (even bounds): the odd rows' sums of `pairs`. */
  fold(from: number, to: number, at: number, spareAt: number): void;
  /** rows.totals = G, H and the number of hessians > 0 over all positions, summed in position order. */
  totals(): void;
}

// Parameters, then locals.
const [S, E, FROM, TO, AT, SPARE_AT] = [0, 1, 2, 3, 4, 5];
const PARAMS = 6;
// A row's gradient pair is one two-lane vector: a bin's two sums take one load, add and store.
const [I, J, END, K, GH0, GH1] = [6, 7, 8, 9, 10, 11];
const LOCALS = [I32, I32, I32, I32, V128, V128] as const;

/** Compiles the build kernels for `rows`, whose bins, gradient pairs, histograms and feature list sit in `memory`. */
export function buildKernels(rows: OrderedRows, memory: WebAssembly.Memory): BuildKernels {
  const { stride } = rows;
  const wide = rows.bins.BYTES_PER_ELEMENT === 4;
  const binLoad: MemoryOp = wide ? 'i32Load' : 'i32Load16U';
  const binShift = wide ? 2 : 1;
  // Every kernel takes all six parameters, so that the locals' numbers are the same in each.
  const compile = <F extends (...args: number[]) => void>(code: Code) =>
    compileKernel<F>({ params: Array<typeof I32>(PARAMS).fill(I32), locals: [...LOCALS], code }, memory);

  /** Pushes the byte address of histogram pair `at + 2 * bin` for the bin at element index `index()`. */
  const pairAddress = (code: Code, at: number, index: (code: Code) => void) => {
    index(code);
    code.i32(binShift).op(OP.i32Shl).memory(binLoad, rows.bins.byteOffset);
    code.i32(1).op(OP.i32Shl).get(at).op(OP.i32Add).i32(3).op(OP.i32Shl).set(K);
  };
  /** array[K], array[K + 1] += the pair in `gh`, for the Float64Array at byte `base`. */
  const addPair = (code: Code, base: number, gh: number) => {
    code.get(K).get(K).v128Load(base).get(gh).simd(SIMD.f64x2Add).v128Store(base);
  };
  /** gh = the gradient pair of the row in local I plus `plus`. */
  const loadPair = (code: Code, plus: number, gh: number) => {
    code
      .get(I)
      .i32(4)
      .op(OP.i32Shl)
      .v128Load(rows.gh.byteOffset + 16 * plus)
      .set(gh);
  };
  /** for i in s..e by `step`: body (with J..END the row's feature positions). */
  const rowsLoop = (code: Code, step: number, body: () => void) => {
    code.get(S).set(I);
    code.block(() =>
      code.loop(() => {
        code.get(I).get(E).op(OP.i32GeU).brIf(1);
        body();
        code.get(I).i32(step).op(OP.i32Add).set(I).br(0);
      }),
    );
  };
  /** for j in from..to: body. */
  const featureLoop = (code: Code, from: () => void, to: () => void, body: () => void) => {
    from();
    code.set(J);
    to();
    code.set(END);
    code.block(() =>
      code.loop(() => {
        code.get(J).get(END).op(OP.i32GeU).brIf(1);
        body();
        code.get(J).i32(1).op(OP.i32Add).set(J).br(0);
      }),
    );
  };
  const rowStart = (code: Code, plus: number) =>
    code.get(I).i32(stride).op(OP.i32Mul).get(plus).op(OP.i32Add);
  const hist = rows.hist.byteOffset;

  const all = new Code();
  rowsLoop(all, 1, () => {
    loadPair(all, 0, GH0);
    featureLoop(
      all,
      () => rowStart(all, FROM),
      () => rowStart(all, TO),
      () => {
        pairAddress(all, AT, (c) => c.get(J));
        addPair(all, hist, GH0);
      },
    );
  });

  const pairs = new Code();
  rowsLoop(pairs, 2, () => {
    loadPair(pairs, 0, GH0);
    loadPair(pairs, 1, GH1);
    featureLoop(
      pairs,
      () => rowStart(pairs, FROM),
      () => rowStart(pairs, TO),
      () => {
        pairAddress(pairs, AT, (c) => c.get(J));
        addPair(pairs, hist, GH0);
        pairAddress(pairs, SPARE_AT, (c) => c.get(J).i32(stride).op(OP.i32Add));
        addPair(pairs, rows.spare.byteOffset, GH1);
      },
    );
  });

  const sampled = new Code();
  rowsLoop(sampled, 1, () => {
    loadPair(sampled, 0, GH0);
    featureLoop(
      sampled,
      () => sampled.get(FROM),
      () => sampled.get(TO),
      () => {
        pairAddress(sampled, AT, (c) =>
          c
            .get(I)
            .i32(stride)
            .op(OP.i32Mul)
            .get(J)
            .i32(2)
            .op(OP.i32Shl)
            .memory('i32Load', rows.features.byteOffset)
            .op(OP.i32Add),
        );
        addPair(sampled, hist, GH0);
      },
    );
  });

  /** For k in from..to by pairs: hist[at + k] = hist[at + k] `op` other[otherAt + k], `other` at byte `otherBase`. */
  const pairwise = (op: (typeof SIMD)[keyof typeof SIMD], otherBase: number) => {
    const [FROM_K, TO_K, AT_K, OTHER_AT] = [S, E, FROM, TO];
    const code = new Code();
    const address = (base: number, at: number, k: number) =>
      code.get(at).get(k).op(OP.i32Add).i32(3).op(OP.i32Shl).i32(base).op(OP.i32Add);
    address(hist, AT_K, FROM_K).set(I);
    address(hist, AT_K, TO_K).set(END);
    address(otherBase, OTHER_AT, FROM_K).get(I).op(OP.i32Sub).set(K);
    code.block(() =>
      code.loop(() => {
        code.get(I).get(END).op(OP.i32GeU).brIf(1);
        code.get(I).get(I).v128Load().get(I).get(K).op(OP.i32Add).v128Load().simd(op).v128Store();
        code.get(I).i32(16).op(OP.i32Add).set(I).br(0);
      }),
    );
    return code;
  };

  const totals = new Code();
  rowsLoop(totals, 1, () => {
    loadPair(totals, 0, GH0);
    totals.get(GH1).get(GH0).simd(SIMD.f64x2Add).set(GH1);
    totals.get(GH0).f64x2Lane(1).f64(0).op(OP.f64Gt).get(K).op(OP.i32Add).set(K);
  });
  totals.i32(0).get(GH1).v128Store(rows.totals.byteOffset);
  totals
    .i32(0)
    .get(K)
    .op(OP.f64ConvertI32S)
    .memory('f64Store', rows.totals.byteOffset + 16);

  return {
    all: compile(all),
    pairs: compile(pairs),
    sampled: compile(sampled),
    subtract: compile(pairwise(SIMD.f64x2Sub, hist)),
    fold: compile(pairwise(SIMD.f64x2Add, rows.spare.byteOffset)),
    totals: (() => {
      const run = compile<(s: number, e: number) => void>(totals);
      return () => run(0, rows.n);
    })(),
  };
}
