import { Code, compileKernel, I32, I64, OP, V128, type MemoryOp } from '../wasm/assembler.js';
import type { OrderedRows } from './ordered-rows.js';

/**
 * Partitions positions s..e in place by one split (Hoare's scheme, as partitionTask describes):
 * rows going left end up first. Writes the first right position and the number of in-sample rows
 * on the left to partitions[result] and partitions[result + 1]. `maskAt` is where the split's
 * category flags start in catMasks minus the feature's first (missing) bin.
 */
export type PartitionKernel = (
  s: number,
  e: number,
  feature: number,
  threshold: number,
  defaultLeft: number,
  categorical: number,
  maskAt: number,
  missing: number,
  result: number,
) => void;

const [S, E, FEATURE, THRESHOLD, DEFAULT_LEFT, CATEGORICAL, MASK_AT, MISSING, RESULT] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8,
];
const PARAMS = 9;
const [I, J, LEFT, GB, RA, RB, TMP, WIDE, VECTOR] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
const LOCALS = [I32, I32, I32, I32, I32, I32, I32, I64, V128] as const;
/** Pieces a row is swapped in: 16-byte vectors, then 8- and 4-byte words. */
const PIECES = [
  {
    bytes: 16,
    temp: VECTOR,
    load: (code: Code, at: number) => code.v128Load(at),
    store: (code: Code, at: number) => code.v128Store(at),
  },
  {
    bytes: 8,
    temp: WIDE,
    load: (code: Code, at: number) => code.memory('i64Load', at),
    store: (code: Code, at: number) => code.memory('i64Store', at),
  },
  {
    bytes: 4,
    temp: TMP,
    load: (code: Code, at: number) => code.memory('i32Load', at),
    store: (code: Code, at: number) => code.memory('i32Store', at),
  },
] as const;

/** Compiles the partition kernel for `rows`, whose bins, gradient pairs, ids, masks and tasks sit in `memory`. */
export function partitionKernel(rows: OrderedRows, memory: WebAssembly.Memory): PartitionKernel {
  const { stride } = rows;
  const binBytes = rows.bins.BYTES_PER_ELEMENT;
  const binLoad: MemoryOp = binBytes === 4 ? 'i32Load' : 'i32Load16U';
  const rowBytes = stride * binBytes;
  const bins = rows.bins.byteOffset;
  const gh = rows.gh.byteOffset;
  const code = new Code();
  /** Pushes 1 when the row in local `row` goes left: missing → defaultLeft, category → its flag, else bin ≤ threshold. */
  const goesLeft = (row: number) => {
    code.get(row).i32(stride).op(OP.i32Mul).get(FEATURE).op(OP.i32Add);
    code.i32(Math.log2(binBytes)).op(OP.i32Shl).memory(binLoad, bins).set(GB);
    code.get(DEFAULT_LEFT);
    code.get(MASK_AT).get(GB).op(OP.i32Add).memory('i32Load8U', rows.catMasks.byteOffset);
    code.get(GB).get(THRESHOLD).op(OP.i32LeU).get(CATEGORICAL).op(OP.select);
    code.get(GB).get(MISSING).op(OP.i32Eq, OP.select);
  };
  /** left += 1 when the row in local `row` is in the tree's sample (hessian > 0). */
  const countInSample = (row: number) =>
    code
      .get(LEFT)
      .get(row)
      .i32(4)
      .op(OP.i32Shl)
      .memory('f64Load', gh + 8)
      .i32(0)
      .op(OP.f64ConvertI32S, OP.f64Gt, OP.i32Add)
      .set(LEFT);
  /** Swaps rows i and j (byte addresses RA, RB) of the array at `base`, `bytes` (a multiple of 4) per row, in the largest pieces that fit. */
  const swap = (base: number, bytes: number) => {
    for (let at = 0; at < bytes;) {
      const piece = PIECES.find((p) => p.bytes <= bytes - at)!;
      piece.load(code.get(RA), base + at).set(piece.temp);
      piece.store(piece.load(code.get(RA).get(RB), base + at), base + at);
      piece.store(code.get(RB).get(piece.temp), base + at);
      at += piece.bytes;
    }
  };
  const rowAddresses = (bytes: number) =>
    code.get(I).i32(bytes).op(OP.i32Mul).set(RA).get(J).i32(bytes).op(OP.i32Mul).set(RB);

  code.get(S).set(I).get(E).i32(1).op(OP.i32Sub).set(J).i32(0).set(LEFT);
  code.block(() =>
    code.loop(() => {
      code.block(() =>
        code.loop(() => {
          code.get(I).get(J).op(OP.i32GtS).brIf(1);
          goesLeft(I);
          code.op(OP.i32Eqz).brIf(1);
          countInSample(I);
          code.get(I).i32(1).op(OP.i32Add).set(I).br(0);
        }),
      );
      code.block(() =>
        code.loop(() => {
          code.get(I).get(J).op(OP.i32GtS).brIf(1);
          goesLeft(J);
          code.brIf(1);
          code.get(J).i32(1).op(OP.i32Sub).set(J).br(0);
        }),
      );
      code.get(I).get(J).op(OP.i32GtS).brIf(1);
      // Rows move as raw bits (bins and gradient pairs as vectors and words), never through a double.
      rowAddresses(rowBytes);
      swap(bins, rowBytes);
      rowAddresses(16);
      swap(gh, 16);
      rowAddresses(4);
      swap(rows.ids.byteOffset, 4);
      countInSample(I);
      code.get(I).i32(1).op(OP.i32Add).set(I).get(J).i32(1).op(OP.i32Sub).set(J).br(0);
    }),
  );
  for (const [local, offset] of [
    [I, 0],
    [LEFT, 8],
  ]) {
    code
      .get(RESULT)
      .i32(3)
      .op(OP.i32Shl)
      .get(local)
      .op(OP.f64ConvertI32S)
      .memory('f64Store', rows.partitions.byteOffset + offset);
  }
  return compileKernel<PartitionKernel>(
    { params: Array<typeof I32>(PARAMS).fill(I32), locals: [...LOCALS], code },
    memory,
  );
}

/**
 * Puts positions from..to back in their original order for the next tree: bins from `pristine`
 * (in the same memory) and ids from..to. A WebAssembly memory.copy: copying one shared array into
 * another from JavaScript took a seventh of a fit's time.
 */
export function resetKernel(
  rows: OrderedRows,
  memory: WebAssembly.Memory,
): (from: number, to: number) => void {
  const code = new Code();
  const [FROM, TO, R] = [0, 1, 2];
  const rowBytes = rows.stride * rows.bins.BYTES_PER_ELEMENT;
  const rowStart = (base: number) => code.get(FROM).i32(rowBytes).op(OP.i32Mul).i32(base).op(OP.i32Add);
  rowStart(rows.bins.byteOffset);
  rowStart(rows.pristine.byteOffset);
  code.get(TO).get(FROM).op(OP.i32Sub).i32(rowBytes).op(OP.i32Mul).memoryCopy();
  code.get(FROM).set(R);
  code.block(() =>
    code.loop(() => {
      code.get(R).get(TO).op(OP.i32GeU).brIf(1);
      code.get(R).i32(2).op(OP.i32Shl).get(R).memory('i32Store', rows.ids.byteOffset);
      code.get(R).i32(1).op(OP.i32Add).set(R).br(0);
    }),
  );
  return compileKernel<(from: number, to: number) => void>(
    { params: [I32, I32], locals: [I32], code },
    memory,
  );
}
