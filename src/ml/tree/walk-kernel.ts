import { Code, compileKernel, I32, OP } from '../wasm/assembler.js';
import type { FlatEnsemble } from './flatten-ensemble.js';

/** Where a compiled ensemble's arrays sit in the kernel's memory (byte offsets) and their sizes. */
export interface WalkLayout {
  trees: number;
  /** Perfect layout depth: every walk takes exactly this many steps. */
  depth: number;
  /** Slots per tree (inner nodes, then leaves). */
  width: number;
  /** Binned values per row. */
  slots: number;
  outputs: number;
  /** Int32 per slot: binned-value slot << 16 | cut (cut 0: categorical). */
  packed: number;
  /** Int32 per slot: where the node's byte table starts in catLut (numeric nodes: a zero table). */
  catStart: number;
  catLut: number;
  /** Float64 per slot: leaf values. */
  leaf: number;
  /** Int32 per tree: the output it adds to. */
  treeOutput: number;
  /** Uint16 per row and slot: the block's binned rows. */
  bins: number;
  /** Float64 per row and output: the block's margins, added to tree by tree. */
  margins: number;
}

// Locals: the block's row count is parameter 0.
const M = 0;
const T = 1;
const BASE = 2;
const OUT = 3;
const I = 4;
const B = [5, 6, 7, 8];
const N = [9, 10, 11, 12];
const P = 13;
const V = 14;
const CUT = 15;
const ADDR = 16;
const LOCALS = 16;
/** Rows that walk a tree together, so that their chains of dependent loads overlap. */
const LANES = 4;

/**
 * A kernel `kernel(m)` adding every tree's leaf value, tree by tree, to the margins of the m binned
 * rows in the block (the same order of additions as a row walked alone, so the same bits). Each
 * step loads the node's packed word and the row's binned value, and takes the numeric outcome
 * (value ≥ cut) or the categorical one (the node's byte table) with `select`, not a branch.
 */
export function walkKernel(layout: WalkLayout, memory: WebAssembly.Memory): (rows: number) => void {
  const { trees, depth, width, slots, outputs } = layout;
  const code = new Code();
  const step = (n: number, b: number) =>
    code
      .get(BASE)
      .get(n)
      .op(OP.i32Add)
      .i32(2)
      .op(OP.i32Shl)
      .memory('i32Load', layout.packed)
      .set(P)
      .get(b)
      .get(P)
      .i32(16)
      .op(OP.i32ShrU, OP.i32Add)
      .i32(1)
      .op(OP.i32Shl)
      .memory('i32Load16U', layout.bins)
      .set(V)
      .get(P)
      .i32(0xffff)
      .op(OP.i32And)
      .set(CUT)
      // n = 2n + 1 + (categorical ? table[value] : value >= cut)
      .get(n)
      .i32(1)
      .op(OP.i32Shl)
      .i32(1)
      .op(OP.i32Add)
      .get(BASE)
      .get(n)
      .op(OP.i32Add)
      .i32(2)
      .op(OP.i32Shl)
      .memory('i32Load', layout.catStart)
      .get(V)
      .op(OP.i32Add)
      .memory('i32Load8U', layout.catLut)
      .get(V)
      .get(CUT)
      .op(OP.i32GeU)
      .get(CUT)
      .op(OP.i32Eqz, OP.select, OP.i32Add)
      .set(n);
  // margins[(i + lane) * outputs + out] += leaf[base + n]
  const addLeaf = (lane: number, n: number) =>
    code
      .get(I)
      .i32(lane)
      .op(OP.i32Add)
      .i32(outputs)
      .op(OP.i32Mul)
      .get(OUT)
      .op(OP.i32Add)
      .i32(3)
      .op(OP.i32Shl)
      .tee(ADDR)
      .get(ADDR)
      .memory('f64Load', layout.margins)
      .get(BASE)
      .get(n)
      .op(OP.i32Add)
      .i32(3)
      .op(OP.i32Shl)
      .memory('f64Load', layout.leaf)
      .op(OP.f64Add)
      .memory('f64Store', layout.margins);
  /** Walks rows i..i + lanes − 1 through the tree and adds their leaves. */
  const walkRows = (lanes: number) => {
    code.get(I).i32(slots).op(OP.i32Mul).set(B[0]);
    for (let lane = 1; lane < lanes; lane++)
      code
        .get(B[lane - 1])
        .i32(slots)
        .op(OP.i32Add)
        .set(B[lane]);
    for (let lane = 0; lane < lanes; lane++) code.i32(0).set(N[lane]);
    for (let d = 0; d < depth; d++) for (let lane = 0; lane < lanes; lane++) step(N[lane], B[lane]);
    for (let lane = 0; lane < lanes; lane++) addLeaf(lane, N[lane]);
    code.get(I).i32(lanes).op(OP.i32Add).set(I);
  };
  code.i32(0).set(T);
  code.loop(() => {
    code.get(T).i32(width).op(OP.i32Mul).set(BASE);
    code.get(T).i32(2).op(OP.i32Shl).memory('i32Load', layout.treeOutput).set(OUT);
    code.i32(0).set(I);
    code.block(() =>
      code.loop(() => {
        code.get(I).i32(LANES).op(OP.i32Add).get(M).op(OP.i32GtU).brIf(1);
        walkRows(LANES);
        code.br(0);
      }),
    );
    code.block(() =>
      code.loop(() => {
        code.get(I).get(M).op(OP.i32GeU).brIf(1);
        walkRows(1);
        code.br(0);
      }),
    );
    code.get(T).i32(1).op(OP.i32Add).tee(T).i32(trees).op(OP.i32LtU).brIf(0);
  });
  return compileKernel({ params: [I32], locals: Array<typeof I32>(LOCALS).fill(I32), code }, memory);
}

/** A compiled walk over one ensemble: call walk(m) after binning m rows into `bins` and setting `margins`. */
export interface BlockWalker {
  walk: (rows: number) => void;
  /** Row-major binned rows of the block: bins[i * slots + s]. */
  bins: Uint16Array;
  /** Row-major margins of the block: margins[i * outputs + k]. */
  margins: Float64Array;
}

/** Copies a perfect-layout ensemble into a kernel's own memory and compiles its walk for blocks of `block` rows. */
export function blockWalker(flat: FlatEnsemble, slots: number, block: number): BlockWalker {
  const size = flat.trees * flat.width;
  let end = 0;
  const take = (bytes: number) => {
    const at = end;
    end += Math.ceil(bytes / 8) * 8;
    return at;
  };
  const layout: WalkLayout = {
    trees: flat.trees,
    depth: flat.depth,
    width: flat.width,
    slots,
    outputs: flat.outputs,
    leaf: take(8 * size),
    margins: take(8 * block * flat.outputs),
    packed: take(4 * size),
    catStart: take(4 * size),
    treeOutput: take(4 * flat.trees),
    bins: take(2 * block * slots),
    catLut: take(flat.catLut.length),
  };
  const memory = new WebAssembly.Memory({ initial: Math.ceil(end / 65536) + 1 });
  const buffer = memory.buffer;
  new Float64Array(buffer, layout.leaf, size).set(flat.threshold.subarray(0, size));
  new Int32Array(buffer, layout.packed, size).set(flat.packed.subarray(0, size));
  new Int32Array(buffer, layout.catStart, size).set(flat.catStart.subarray(0, size));
  new Int32Array(buffer, layout.treeOutput, flat.trees).set(flat.treeOutput);
  new Uint8Array(buffer, layout.catLut, flat.catLut.length).set(flat.catLut);
  return {
    walk: walkKernel(layout, memory),
    bins: new Uint16Array(buffer, layout.bins, block * slots),
    margins: new Float64Array(buffer, layout.margins, block * flat.outputs),
  };
}
