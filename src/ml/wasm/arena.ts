import { CairnError } from '../../core/errors.js';

interface TypedArrayType<T> {
  readonly BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
}

const PAGE = 65_536;
/** A WebAssembly memory addresses at most 4 GiB (65,536 pages). */
const MAX_PAGES = 65_536;
const ALIGN = 16;

/**
 * One WebAssembly.Memory carved into typed arrays, so that kernels (assembler.ts) reach them by
 * byteOffset. A shared arena's memory is a SharedArrayBuffer that workers get with the memory itself.
 */
export class Arena {
  readonly memory: WebAssembly.Memory;
  private used = 0;

  /** An arena for arrays of these byte lengths (each is aligned to 16 bytes, a SIMD vector). */
  constructor(lengths: readonly number[], shared: boolean) {
    const bytes = lengths.reduce((sum, length) => sum + Math.ceil(length / ALIGN) * ALIGN, 0);
    const pages = Math.ceil(bytes / PAGE) + 1;
    if (pages > MAX_PAGES) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `the training set needs ${(bytes / 2 ** 30).toFixed(1)} GiB of working memory, more than the 4 GiB a fit can address; sample its rows`,
      );
    }
    this.memory = new WebAssembly.Memory(
      shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages },
    );
  }

  take<T>(type: TypedArrayType<T>, length: number): T {
    const at = this.used;
    this.used += Math.ceil((length * type.BYTES_PER_ELEMENT) / ALIGN) * ALIGN;
    return new type(this.memory.buffer, at, length);
  }
}
