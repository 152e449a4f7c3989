import type { Kernel } from '../parallel.js';

/** Kernels for pool.test.ts: sums of slices of a shared array, a kernel that throws, and one that counts its calls. */
export function init(context: { values: Float64Array; sums: Float64Array; calls?: Int32Array }): Kernel[] {
  const sumSlice: Kernel = (args) => {
    let sum = 0;
    for (let i = args[0]; i < args[1]; i++) sum += context.values[i];
    context.sums[args[2]] = sum;
  };
  const fail: Kernel = (args) => {
    throw new Error(`kernel asked to fail with ${args[0]}`);
  };
  const count: Kernel = () => {
    Atomics.add(context.calls!, 0, 1);
  };
  return [sumSlice, fail, count];
}
