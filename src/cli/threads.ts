import os from 'node:os';
import { CairnError } from '../core/errors.js';
import { WorkerPool } from '../core/workers/pool.js';

/**
 * Runs `work` with a worker pool of `threads` threads (default: every core), or with none when one
 * thread is asked for or available; the pool is closed afterwards.
 */
export async function withThreads<T>(
  threads: number | undefined,
  work: (pool: WorkerPool | undefined) => Promise<T>,
): Promise<T> {
  const count = threads ?? os.availableParallelism();
  if (!Number.isInteger(count) || count < 1) {
    throw new CairnError('INVALID_ARGUMENT', `--threads must be a whole number ≥ 1; got ${threads}`);
  }
  const pool = count > 1 ? new WorkerPool(count) : undefined;
  try {
    return await work(pool);
  } finally {
    await pool?.close();
  }
}
