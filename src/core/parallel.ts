/**
 * Synchronous data parallelism over shared memory, as library code sees it. The implementation
 * (`workers/pool.ts`, on node:worker_threads) is created by the composition root, a benchmark or a
 * test, and passed in; code under src/ml/ uses only these interfaces, so it stays free of Node.
 *
 * A kernel module exports `init(context): Kernel[]`. `context` is structured-cloned into each worker
 * once per session, so its typed arrays should sit on SharedArrayBuffers (shared, not copied); each
 * call then passes only a few numbers through a shared argument vector. The caller runs its own
 * share of the work on its thread between `start` and `wait`.
 */
export interface ParallelPool {
  /** Threads a kernel can run on at once, the calling thread included (workers + 1). */
  readonly threads: number;
  /**
   * Loads `moduleUrl` in every worker and calls its `init(context)`; blocks until all are ready.
   * One session is open at a time: close it before opening another.
   */
  open(moduleUrl: string, context: unknown): ParallelSession;
}

/** A kernel as a worker runs it: its arguments are the worker's shared argument vector. */
export type Kernel = (args: Float64Array) => void;

export interface ParallelSession {
  /** Number of workers (threads − 1). */
  readonly workers: number;
  /** Worker w's argument vector (ARGUMENT_SLOTS numbers), to fill before `start`. */
  args(worker: number): Float64Array;
  /** Wakes workers 0..count−1 to run kernel `kernel` (an index into init's result); returns at once. */
  start(kernel: number, count: number): void;
  /**
   * Takes back worker `worker`'s call from the last `start` if the worker has not begun it (it can be
   * slow to wake when other processes keep the cores busy): returns true, and then the caller runs
   * that share itself, with the same arguments, and `wait` does not wait for that worker.
   */
  claim(worker: number): boolean;
  /** Blocks until the workers started last have finished (those not claimed back); rethrows a worker's error. */
  wait(): void;
  /** Releases the workers' references to the context. */
  close(): void;
}

/** Length of each worker's argument vector. */
export const ARGUMENT_SLOTS = 32;
