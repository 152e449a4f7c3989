/**
 * Just enough of the WebAssembly binary format to build one-function kernels at run time: i32/f64
 * locals, integer arithmetic, loads and stores, select, blocks and loops. A kernel is generated for
 * the very data it will run on (sizes and addresses become constants), then compiled synchronously.
 * Wasm memory accesses need no bounds check per access (the engine guards the memory), which is
 * what makes such kernels faster than the same loops over typed arrays.
 */

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
/** A 128-bit SIMD vector (two f64 lanes where the kernels use it). */
export const V128 = 0x7b;
export type ValueType = typeof I32 | typeof I64 | typeof F64 | typeof V128;

/** Opcodes that take no immediate. */
export const OP = {
  end: 0x0b,
  select: 0x1b,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32LeU: 0x4d,
  i32GeU: 0x4f,
  f64Eq: 0x61,
  f64Lt: 0x63,
  f64Gt: 0x64,
  f64Le: 0x65,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  f64Sqrt: 0x9f,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Min: 0xa4,
  f64Max: 0xa5,
  f64ConvertI32S: 0xb7,
} as const;

/** SIMD opcodes without an immediate (after the 0xfd prefix, as LEB128). */
export const SIMD = {
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
} as const;

/** Loads and stores: opcode and the natural alignment (log2 bytes). */
const MEMORY_OPS = {
  i32Load: [0x28, 2],
  i64Load: [0x29, 3],
  f64Load: [0x2b, 3],
  i32Load8U: [0x2d, 0],
  i32Load16U: [0x2f, 1],
  i32Store: [0x36, 2],
  i32Store16: [0x3b, 1],
  i64Store: [0x37, 3],
  f64Store: [0x39, 3],
} as const;
export type MemoryOp = keyof typeof MEMORY_OPS;

/** The body of one function, written as a sequence of instructions. */
export class Code {
  readonly bytes: number[] = [];

  op(...codes: number[]): this {
    this.bytes.push(...codes);
    return this;
  }

  get(local: number): this {
    return this.op(0x20, ...unsigned(local));
  }

  set(local: number): this {
    return this.op(0x21, ...unsigned(local));
  }

  tee(local: number): this {
    return this.op(0x22, ...unsigned(local));
  }

  i32(value: number): this {
    return this.op(0x41, ...signed(value));
  }

  /** A load or store at the address on the stack plus a constant byte offset. */
  memory(op: MemoryOp, offset = 0): this {
    const [code, align] = MEMORY_OPS[op];
    return this.op(code, ...unsigned(align), ...unsigned(offset));
  }

  /** An f64 constant. */
  f64(value: number): this {
    return this.op(0x44, ...new Uint8Array(Float64Array.of(value).buffer));
  }

  simd(op: (typeof SIMD)[keyof typeof SIMD]): this {
    return this.op(0xfd, ...unsigned(op));
  }

  /** v128.load / v128.store at the address on the stack plus a constant byte offset (hinted 16-byte aligned; any address works). */
  v128Load(offset = 0): this {
    return this.op(0xfd, 0x00, 4, ...unsigned(offset));
  }

  v128Store(offset = 0): this {
    return this.op(0xfd, 0x0b, 4, ...unsigned(offset));
  }

  /** f64x2.extract_lane: the vector on the stack's lane 0 or 1. */
  f64x2Lane(lane: 0 | 1): this {
    return this.op(0xfd, 0x21, lane);
  }

  /** i32.trunc_sat_f64_s: the f64 on the stack toward zero, saturated at the i32 range (NaN: 0). */
  i32TruncSatF64S(): this {
    return this.op(0xfc, 0x02);
  }

  /** memory.copy: copies [length] bytes from [source] to [destination] (operands in that order, last on top). */
  memoryCopy(): this {
    return this.op(0xfc, 0x0a, 0x00, 0x00);
  }

  /** `block` (branch to its end) or `loop` (branch to its start) around `body`, without a result. */
  block(body: (code: this) => void): this {
    this.op(0x02, 0x40);
    body(this);
    return this.op(OP.end);
  }

  loop(body: (code: this) => void): this {
    this.op(0x03, 0x40);
    body(this);
    return this.op(OP.end);
  }

  /** Branches to the enclosing block or loop `depth` levels out (0 = innermost). */
  br(depth: number): this {
    return this.op(0x0c, ...unsigned(depth));
  }

  brIf(depth: number): this {
    return this.op(0x0d, ...unsigned(depth));
  }
}

export interface KernelSpec {
  params: ValueType[];
  locals: ValueType[];
  code: Code;
}

/** The memory a module imports: a shared one must be declared shared, with its maximum size. */
export interface MemoryType {
  shared: boolean;
  /** Maximum size in 64 KiB pages (shared memories only). */
  pages: number;
}

/** A module importing memory `env.memory` and exporting `kernel`: the function described. */
export function assemble(
  { params, locals, code }: KernelSpec,
  memory: MemoryType = { shared: false, pages: 0 },
): Uint8Array {
  const type = [0x60, ...vector(params.map((p) => [p])), ...vector([])];
  const limits = memory.shared ? [0x03, ...unsigned(0), ...unsigned(memory.pages)] : [0x00, ...unsigned(0)];
  const memoryImport = [...name('env'), ...name('memory'), 0x02, ...limits];
  const body = [...vector(locals.map((t) => [1, t])), ...code.bytes, OP.end];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([type])),
    ...section(2, vector([memoryImport])),
    ...section(3, vector([[0]])),
    ...section(7, vector([[...name('kernel'), 0x00, 0]])),
    ...section(10, vector([[...unsigned(body.length), ...body]])),
  ]);
}

/** Assembles and compiles a kernel against `memory`; returns its function. */
export function compileKernel<F extends (...args: number[]) => void>(
  spec: KernelSpec,
  memory: WebAssembly.Memory,
): F {
  const shared = memory.buffer instanceof SharedArrayBuffer;
  const bytes = assemble(spec, { shared, pages: memory.buffer.byteLength / 65_536 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return instance.exports.kernel as F;
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsigned(content.length), ...content];
}

function vector(items: number[][]): number[] {
  return [...unsigned(items.length), ...items.flat()];
}

function name(text: string): number[] {
  return vector([...new TextEncoder().encode(text)].map((b) => [b]));
}

/** LEB128 encodings. */
export function unsigned(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

export function signed(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}
