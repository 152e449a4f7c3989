import { assemble, Code, I32, OP } from '../wasm/assembler.js';
import { binKernel, binSizes } from './bin-kernel.js';
import { MISSING_BIN, SLOT, type FlatEnsemble } from './flatten-ensemble.js';

/** Rows that walk a tree together, so that their chains of dependent loads overlap (more would spill registers). */
const LANES = 8;
/**
 * Bytes per inner node: at 0 the address of the byte table its binned value indexes (RECORD where
 * the row goes left, else 0), at 4 its binned-value slot as a byte offset into the block's bins.
 */
const RECORD = 8;
/** Bytes per tree in the tree table: records base, leaves base, output byte offset, depth. */
const TREE = 16;
/**
 * Numeric nodes share one table, STEPS entries of RECORD then STEPS of 0: a node with cut c
 * indexes it from STEPS − c, so binned value v reads RECORD exactly when v < c.
 */
const STEPS = MISSING_BIN + 1;

// Parameters, then locals.
const M = 0;
const TREES_AT = 1;
const TREES_END = 2;
const BINS_AT = 3;
const MARGINS_AT = 4;
const PARAMS = 5;
const T = 5;
const R = 6;
const L = 7;
const OUT = 8;
const DEPTH = 9;
const I = 10;
const ROW_BINS = 11;
const ROW_MARGINS = 12;
const LEVEL = 13;
const N = Array.from({ length: LANES }, (_, lane) => 14 + lane);
const I32_LOCALS = 14 + LANES - PARAMS;

/**
 * The walk over any ensemble laid out by blockWalker: `kernel(m, treesAt, treesEnd, binsAt,
 * marginsAt)` adds every tree's leaf value, tree by tree, to the margins of the m binned rows in
 * the block (the order of additions of a row walked alone, so the same bits). A lane keeps its
 * node's address n = R + 8i (1-based i; children mirrored, right 2i and left 2i + 1): a step is
 * `n = 2n − R + table[value]`, the node's table giving 8 (left) or 0 for the row's binned value,
 * numeric and categorical nodes alike, with no branch. A tree of depth d takes d steps (the tree
 * table gives each tree's depth; the lanes' steps are unrolled, the levels a loop, which keeps
 * the function small to compile). Bins and margins are
 * column-major over the block, so the lanes of a group read at constant offsets from one address.
 * The kernel has no ensemble-specific constants, so each process compiles it once and every
 * ensemble's instance shares the compiled code.
 */
function walkCode(): Code {
  const code = new Code();
  const step = (lane: number) => {
    const n = N[lane];
    code.get(n).i32(1).op(OP.i32Shl).get(R).op(OP.i32Sub);
    code.get(n).memory('i32Load');
    code
      .get(n)
      .memory('i32Load', 4)
      .get(ROW_BINS)
      .op(OP.i32Add)
      .memory('i32Load16U', 2 * lane);
    code.op(OP.i32Add).memory('i32Load8U').op(OP.i32Add).set(n);
  };
  // margins[row + lane] += leaves[n]
  const addLeaf = (lane: number) =>
    code
      .get(ROW_MARGINS)
      .get(ROW_MARGINS)
      .memory('f64Load', 8 * lane)
      .get(L)
      .get(N[lane])
      .op(OP.i32Add)
      .memory('f64Load')
      .op(OP.f64Add)
      .memory('f64Store', 8 * lane);
  /** Walks rows I..I + lanes − 1 down the tree, DEPTH steps, and adds their leaves. */
  const walkRows = (lanes: number) => {
    code.get(I).i32(1).op(OP.i32Shl).get(BINS_AT).op(OP.i32Add).set(ROW_BINS);
    code.get(I).i32(3).op(OP.i32Shl).get(OUT).op(OP.i32Add).set(ROW_MARGINS);
    for (let lane = 0; lane < lanes; lane++) code.get(R).i32(RECORD).op(OP.i32Add).set(N[lane]);
    code.get(DEPTH).set(LEVEL);
    code.block(() =>
      code.loop(() => {
        code.get(LEVEL).op(OP.i32Eqz).brIf(1);
        for (let lane = 0; lane < lanes; lane++) step(lane);
        code.get(LEVEL).i32(1).op(OP.i32Sub).set(LEVEL).br(0);
      }),
    );
    for (let lane = 0; lane < lanes; lane++) addLeaf(lane);
    code.get(I).i32(lanes).op(OP.i32Add).set(I);
  };
  const walkTree = () => {
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
  };
  code.get(TREES_AT).set(T);
  code.block(() =>
    code.loop(() => {
      code.get(T).get(TREES_END).op(OP.i32GeU).brIf(1);
      code.get(T).memory('i32Load').set(R);
      code.get(T).memory('i32Load', 4).set(L);
      code.get(T).memory('i32Load', 8).get(MARGINS_AT).op(OP.i32Add).set(OUT);
      code.get(T).memory('i32Load', 12).set(DEPTH);
      walkTree();
      code.get(T).i32(TREE).op(OP.i32Add).set(T).br(0);
    }),
  );
  return code;
}

/**
 * Compiled once per process; instantiated for each ensemble's memory. (The engine's baseline code
 * for this kernel walks as fast as its optimised code, so the first batches need no warm-up.)
 */
let walkModule: WebAssembly.Module | undefined;

/** A compiled walk over one ensemble: bin m rows, set `margins`, then walk(m). */
export interface BlockWalker {
  /** Rows r0..r0 + m of column-major `data` (n rows) into the block's bins. */
  bin: (data: Float64Array, n: number, r0: number, m: number) => void;
  walk: (rows: number) => void;
  /** Column-major margins of the block: margins[k * block + i]. */
  margins: Float64Array;
}

/**
 * Lays a perfect-layout ensemble out in a kernel's own memory — each tree cut to its own depth
 * (the always-left steps below its deepest split dropped), nodes as RECORD-byte records, then its
 * leaves — and instantiates the walk for blocks of `block` rows.
 */
export function blockWalker(flat: FlatEnsemble, slots: number, block: number): BlockWalker {
  const depths = Array.from({ length: flat.trees }, (_, t) => treeDepth(flat, t));
  let end = flat.trees * TREE;
  const treeAt = depths.map((depth) => {
    const at = end;
    end += RECORD * (2 ** depth - 1) + 8 * 2 ** depth;
    return at;
  });
  const stepsAt = end;
  end += 2 * STEPS;
  const tablesAt = end;
  end += Math.ceil(flat.catLut.length / 8) * 8;
  const binsAt = end;
  end += Math.ceil((2 * block * slots) / 8) * 8;
  const marginsAt = end;
  end += 8 * block * flat.outputs;
  const sizes = binSizes(flat);
  const slotsAt = end;
  end += sizes.table;
  const cutsAt = end;
  end += sizes.cuts;
  const valuesAt = end;
  end += 8 * block * sizes.features.length;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(end / 65536) });
  const buffer = memory.buffer;
  const i32 = new Int32Array(buffer);
  const f64 = new Float64Array(buffer);
  new Uint8Array(buffer, stepsAt, STEPS).fill(RECORD);
  // flat.catLut says 1 where a code goes right; the kernel's tables give RECORD where it goes left.
  new Uint8Array(buffer, tablesAt, flat.catLut.length).set(flat.catLut.map((right) => RECORD * (1 - right)));
  for (let t = 0; t < flat.trees; t++) {
    const depth = depths[t];
    const records = treeAt[t];
    const leaves = records + RECORD * (2 ** depth - 1);
    // The kernel walks node addresses R + 8i and reads leaf i at L + R + 8i.
    const r = records - RECORD;
    i32.set([r, leaves - 8 * 2 ** depth - r, 8 * block * flat.treeOutput[t], depth], (t * TREE) / 4);
    const base = t * flat.width - 1;
    for (let node = 1; node < 2 ** depth; node++) {
      const packed = flat.packed[base + mirrored(node)];
      const slot = packed >>> 16;
      const categorical = flat.slotKind[slot] === SLOT.categorical && packed !== 0;
      const table = categorical
        ? tablesAt + flat.catStart[base + mirrored(node)]
        : stepsAt + STEPS - (packed & 0xffff);
      const at = (r + RECORD * node) / 4;
      i32[at] = table;
      i32[at + 1] = 2 * block * slot;
    }
    // Leaf i of the cut tree is the first leaf under its node in the perfect layout.
    for (let leaf = 2 ** depth; leaf < 2 ** (depth + 1); leaf++)
      f64[(leaves + 8 * (leaf - 2 ** depth)) / 8] =
        flat.threshold[base + mirrored(leaf) * 2 ** (flat.depth - depth)];
  }
  walkModule ??= new WebAssembly.Module(
    assemble({
      params: Array<typeof I32>(PARAMS).fill(I32),
      locals: Array<typeof I32>(I32_LOCALS).fill(I32),
      code: walkCode(),
    }),
  );
  const kernel = new WebAssembly.Instance(walkModule, { env: { memory } }).exports.kernel as (
    ...args: number[]
  ) => void;
  const treesEnd = flat.trees * TREE;
  return {
    bin: binKernel(flat, { slotsAt, cutsAt, valuesAt, binsAt, block }, memory),
    walk: (rows) => kernel(rows, 0, treesEnd, binsAt, marginsAt),
    margins: new Float64Array(buffer, marginsAt, block * flat.outputs),
  };
}

/** Levels down to the tree's deepest split (a node that is not an always-left step, see FlatEnsemble.packed). */
function treeDepth(flat: FlatEnsemble, t: number): number {
  const base = t * flat.width - 1;
  const below = (node: number, level: number): number =>
    level === flat.depth || flat.packed[base + node] === 1
      ? 0
      : 1 + Math.max(below(2 * node, level + 1), below(2 * node + 1, level + 1));
  return below(1, 0);
}

/** The perfect layout's node (1-based) at kernel node i: the same level, its order reversed. */
function mirrored(i: number): number {
  return i ^ ((1 << (31 - Math.clz32(i))) - 1);
}
