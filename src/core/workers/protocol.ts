/** The shared control words between a pool and one worker (an Int32Array on a SharedArrayBuffer). */
export const CONTROL = {
  /** Incremented by the pool to hand the worker a command. */
  request: 0,
  /** Set by the worker to the request number it has finished. */
  done: 1,
  /** The command: a kernel index, or OPEN / CLOSE. */
  command: 2,
  /** 0 when the last command succeeded, 1 when it threw (the error follows on the port). */
  failed: 3,
  /**
   * The last request someone took on: the worker, or the pool taking a kernel call back before the
   * worker began it (ParallelSession.claim). Each request is taken once, by a compare-and-swap from
   * the request before it.
   */
  claimed: 4,
} as const;

export const CONTROL_WORDS = 5;
export const OPEN = -1;
export const CLOSE = -2;

export interface OpenMessage {
  moduleUrl: string;
  context: unknown;
}

export interface ErrorMessage {
  message: string;
  stack?: string;
}
