import { assemble, Code, F64, I32, OP } from '../wasm/assembler.js';
import { MISSING_BIN, SLOT, type FlatEnsemble } from './flatten-ensemble.js';

/**
 * Bytes per slot in the bin kernel's slot table: categorical (1) or not (0); the address of its
 * feature's values in the block; of its bins; of its cuts; the number of cuts; the bin of a
 * missing value (a categorical slot: its code limit); what a numeric bin adds to its count of cuts.
 */
const SLOT_BYTES = 28;
/** Rows below which values are copied into the kernel's memory one by one. */
const SHORT_COPY = 16;

// Parameters, then locals.
const M = 0;
const SLOTS_AT = 1;
const SLOTS_END = 2;
const PARAMS = 3;
const S = 3;
const COLUMN = 4;
const BINS = 5;
const CUTS = 6;
const COUNT = 7;
const MISSING = 8;
const SHIFT = 9;
const I = 10;
const BASE = 11;
const N = 12;
const HALF = 13;
const CODE = 14;
const I32_LOCALS = 15 - PARAMS;
const X = 15;

/**
 * `kernel(m, slotsAt, slotsEnd)`: the binned values of the m rows in the block for every slot in
 * the table, as FlatEnsemble.slotFeature defines them. A numeric bin counts the cuts ≤ x with a
 * branchless binary search (its trip count depends only on the slot); a categorical one is the
 * code when x is a whole number below the limit, else the limit.
 */
function binCode(): Code {
  const code = new Code();
  const forRows = (body: () => void) => {
    code.i32(0).set(I);
    code.block(() =>
      code.loop(() => {
        code.get(I).get(M).op(OP.i32GeU).brIf(1);
        code.get(BINS).get(I).i32(1).op(OP.i32Shl, OP.i32Add); // store address
        code.get(COLUMN).get(I).i32(3).op(OP.i32Shl, OP.i32Add).memory('f64Load').set(X);
        body();
        code.memory('i32Store16');
        code.get(I).i32(1).op(OP.i32Add).set(I).br(0);
      }),
    );
  };
  const categorical = () =>
    forRows(() => {
      code.get(X).i32TruncSatF64S().tee(CODE).get(MISSING);
      code
        .get(CODE)
        .op(OP.f64ConvertI32S)
        .get(X)
        .op(OP.f64Eq)
        .get(CODE)
        .get(MISSING)
        .op(OP.i32LtU, OP.i32And);
      code.op(OP.select);
    });
  const numeric = () =>
    forRows(() => {
      // While n > 1: the first `base` cuts are ≤ x and the count lies in base..base + n.
      code.get(CUTS).set(BASE).get(COUNT).set(N);
      code.block(() =>
        code.loop(() => {
          code.get(N).i32(2).op(OP.i32LtU).brIf(1);
          code.get(N).i32(1).op(OP.i32ShrU).set(HALF);
          code.get(BASE).get(HALF).i32(3).op(OP.i32Shl, OP.i32Add).get(BASE);
          code.get(BASE).get(HALF).i32(3).op(OP.i32Shl, OP.i32Add).memory('f64Load').get(X).op(OP.f64Le);
          code.op(OP.select).set(BASE);
          code.get(N).get(HALF).op(OP.i32Sub).set(N).br(0);
        }),
      );
      code.get(BASE).get(CUTS).op(OP.i32Sub).i32(3).op(OP.i32ShrU);
      code.get(BASE).memory('f64Load').get(X).op(OP.f64Le, OP.i32Add).get(SHIFT).op(OP.i32Add);
      code.get(MISSING).get(X).get(X).op(OP.f64Eq, OP.select);
    });
  code.get(SLOTS_AT).set(S);
  code.block(() =>
    code.loop(() => {
      code.get(S).get(SLOTS_END).op(OP.i32GeU).brIf(1);
      [COLUMN, BINS, CUTS, COUNT, MISSING, SHIFT].forEach((local, k) =>
        code
          .get(S)
          .memory('i32Load', 4 * (k + 1))
          .set(local),
      );
      code.block(() => {
        code.block(() => {
          code.get(S).memory('i32Load').brIf(0);
          numeric();
          code.br(1);
        });
        categorical();
      });
      code.get(S).i32(SLOT_BYTES).op(OP.i32Add).set(S).br(0);
    }),
  );
  return code;
}

let binModule: WebAssembly.Module | undefined;

/** Where the bin kernel's inputs sit in memory (byte offsets); see binKernel. */
export interface BinLayout {
  /** Slot table: SLOT_BYTES per slot that is not a zero slot. */
  slotsAt: number;
  cutsAt: number;
  /** The block's values: `block` f64 per feature the slots read, in `features` order. */
  valuesAt: number;
  binsAt: number;
  block: number;
}

/** Bytes the bin kernel needs at slotsAt (slot table) and at cutsAt (cuts), and the features whose values it reads. */
export function binSizes(flat: FlatEnsemble): { table: number; cuts: number; features: number[] } {
  const used = [...flat.slotKind].map((kind, s) => (kind === SLOT.zero ? -1 : flat.slotFeature[s]));
  return {
    table: Math.ceil((SLOT_BYTES * used.filter((f) => f >= 0).length) / 8) * 8,
    cuts: 8 * flat.cuts.length,
    features: [...new Set(used.filter((f) => f >= 0))],
  };
}

/**
 * Writes the slot table and cuts into `memory` and returns `bin(data, n, r0, m)`: rows r0..r0 + m
 * of column-major `data` (n rows) binned into the block's bins (column-major, `block` per slot).
 */
export function binKernel(
  flat: FlatEnsemble,
  layout: BinLayout,
  memory: WebAssembly.Memory,
): (data: Float64Array, n: number, r0: number, m: number) => void {
  const { block, slotsAt, cutsAt, valuesAt, binsAt } = layout;
  const { features } = binSizes(flat);
  const i32 = new Int32Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  f64.set(flat.cuts, cutsAt / 8);
  let at = slotsAt;
  flat.slotKind.forEach((kind, s) => {
    if (kind === SLOT.zero) return;
    const lo = flat.cutStart[s];
    const column = valuesAt + 8 * block * features.indexOf(flat.slotFeature[s]);
    const missing =
      kind === SLOT.categorical ? flat.slotLimit[s] : kind === SLOT.missingHigh ? MISSING_BIN : 0;
    const count = flat.cutStart[s + 1] - lo;
    const categorical = kind === SLOT.categorical ? 1 : 0;
    i32.set(
      [
        categorical,
        column,
        binsAt + 2 * block * s,
        cutsAt + 8 * lo,
        count,
        missing,
        kind === SLOT.missingLow ? 1 : 0,
      ],
      at / 4,
    );
    at += SLOT_BYTES;
  });
  binModule ??= new WebAssembly.Module(
    assemble({
      params: Array<typeof I32>(PARAMS).fill(I32),
      locals: [...Array<typeof I32>(I32_LOCALS).fill(I32), F64],
      code: binCode(),
    }),
  );
  const kernel = new WebAssembly.Instance(binModule, { env: { memory } }).exports.kernel as (
    ...args: number[]
  ) => void;
  const slotsEnd = at;
  return (data, n, r0, m) => {
    for (let k = 0; k < features.length; k++) {
      const from = features[k] * n + r0;
      const to = valuesAt / 8 + block * k;
      // A loop for a row or a few (no view to make), a native copy for more (no warm-up needed).
      if (m < SHORT_COPY) for (let i = 0; i < m; i++) f64[to + i] = data[from + i];
      else f64.set(data.subarray(from, from + m), to);
    }
    kernel(m, slotsAt, slotsEnd);
  };
}
