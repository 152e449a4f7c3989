import type { Kernel } from '../parallel.js';

/** Kernels for pool.test.ts: sums of slices of a shared array, and a kernel that throws. */
export function init(context: { values: Float64Array; sums: Float64Array }): Kernel[] {
  const sumSlice: Kernel = (args) => {
    let sum = 0;
    for (let i = args[0]; i < args[1]; i++) sum += context.values[i];
    context.sums[args[2]] = sum;
  };
  const fail: Kernel = (args) => {
    throw new Error(`kernel asked to fail with ${args[0]}`);
  };
  return [sumSlice, fail];
}
