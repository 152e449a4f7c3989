import { Code, compileKernel, F64, I32, OP } from '../wasm/assembler.js';
import { LEAF, LEAF_WIDTH, type BoostRows } from './boost-rows.js';
import type { OrderedRows } from './ordered-rows.js';

/**
 * Adds leaf entries leafOrder[from..to) of the boost state's table to the margins of output
 * `output` (see LEAF): a plain entry adds its value to each of its positions' rows, a routed one
 * sends each row left or right by its bin as the partition kernel does. Each row gets one
 * addition per tree, so the result does not depend on how entries are shared among threads.
 */
export type LeavesKernel = (from: number, to: number, output: number) => void;

const [FROM, TO, OUTPUT] = [0, 1, 2];
const [E, T, I, END, F, GB, MISSING, THRESHOLD, DEFAULT_LEFT, CATEGORICAL, MASK_AT, AT, LEFT, RIGHT] = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
];
const LOCALS = [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, F64] as const;

/** Compiles the kernel for `rows` and `state`, whose bins, ids, margins and leaf tables sit in `memory`. */
export function leavesKernel(rows: OrderedRows, state: BoostRows, memory: WebAssembly.Memory): LeavesKernel {
  const { stride } = rows;
  const binBytes = rows.bins.BYTES_PER_ELEMENT;
  const table = state.leaves.byteOffset;
  const code = new Code();
  /** Pushes table field `field` of the entry at byte T, as an i32 or an f64. */
  const field = (name: keyof typeof LEAF, type: 'i32' | 'f64') => {
    code.get(T).memory('f64Load', table + 8 * LEAF[name]);
    if (type === 'i32') code.i32TruncSatF64S();
  };
  /** margins[ids[I] × outputs + output] += the f64 on top of the stack (pushed by `value`). */
  const addToMargin = (value: () => void) => {
    code.get(I).i32(2).op(OP.i32Shl).memory('i32Load', rows.ids.byteOffset);
    code.i32(state.outputs).op(OP.i32Mul).get(OUTPUT).op(OP.i32Add).i32(3).op(OP.i32Shl).tee(AT);
    code.get(AT).memory('f64Load', state.margins.byteOffset);
    value();
    code.op(OP.f64Add).memory('f64Store', state.margins.byteOffset);
  };
  /** for I in start..end: body. */
  const positions = (body: () => void) => {
    code.block(() =>
      code.loop(() => {
        code.get(I).get(END).op(OP.i32GeU).brIf(1);
        body();
        code.get(I).i32(1).op(OP.i32Add).set(I).br(0);
      }),
    );
  };

  code.get(FROM).set(E);
  code.block(() =>
    code.loop(() => {
      code.get(E).get(TO).op(OP.i32GeU).brIf(1);
      code.get(E).i32(2).op(OP.i32Shl).memory('i32Load', state.leafOrder.byteOffset).tee(MASK_AT);
      code
        .i32(8 * LEAF_WIDTH)
        .op(OP.i32Mul)
        .set(T);
      field('start', 'i32');
      code.set(I);
      field('end', 'i32');
      code.set(END);
      field('left', 'f64');
      code.set(LEFT);
      field('feature', 'i32');
      code.set(F);
      code.block(() => {
        // A plain leaf.
        code.get(F).i32(-1).op(OP.i32GtS).brIf(0);
        positions(() => addToMargin(() => code.get(LEFT)));
      });
      code.block(() => {
        // A routed split: missing → defaultLeft, category → its flag, else bin ≤ threshold.
        code.get(F).i32(-1).op(OP.i32GtS, OP.i32Eqz).brIf(0);
        field('right', 'f64');
        code.set(RIGHT);
        field('threshold', 'i32');
        code.set(THRESHOLD);
        field('defaultLeft', 'i32');
        code.set(DEFAULT_LEFT);
        field('categorical', 'i32');
        code.set(CATEGORICAL);
        field('missing', 'i32');
        code.set(MISSING);
        code.get(MASK_AT).i32(256).op(OP.i32Mul).get(MISSING).op(OP.i32Sub).set(MASK_AT);
        positions(() => {
          code.get(I).i32(stride).op(OP.i32Mul).get(F).op(OP.i32Add);
          code
            .i32(Math.log2(binBytes))
            .op(OP.i32Shl)
            .memory(binBytes === 4 ? 'i32Load' : 'i32Load16U', rows.bins.byteOffset);
          code.set(GB);
          addToMargin(() => {
            code.get(LEFT).get(RIGHT);
            code.get(DEFAULT_LEFT);
            code.get(MASK_AT).get(GB).op(OP.i32Add).memory('i32Load8U', state.leafMasks.byteOffset);
            code.get(GB).get(THRESHOLD).op(OP.i32LeU).get(CATEGORICAL).op(OP.select);
            code.get(GB).get(MISSING).op(OP.i32Eq, OP.select);
            code.op(OP.select);
          });
        });
      });
      code.get(E).i32(1).op(OP.i32Add).set(E).br(0);
    }),
  );
  return compileKernel<LeavesKernel>({ params: [I32, I32, I32], locals: [...LOCALS], code }, memory);
}
