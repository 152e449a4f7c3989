import type { Kernel, ParallelPool } from '../../core/parallel.js';
import { Random } from '../../core/random.js';
import { HamerlyWorkspace } from './hamerly-kernel.js';
import { elkanLloyd } from './kmeans-elkan.js';
import { hamerlyLloyd } from './kmeans-hamerly.js';
import { CentreDistances } from './centre-distances.js';
import { kmeansPlusPlus, seedingTrials } from './kmeans-init.js';
import type { Points } from './points.js';

/** The kernel module pool workers load for k-means restarts (see core/parallel.ts). */
export const KMEANS_WORKER_MODULE = import.meta.url;

/** Elkan's n × k bounds up to this many numbers (64 MB) per thread; beyond, Hamerly's n bounds. */
const ELKAN_MAX_BOUNDS = 1 << 23;
/**
 * Hamerly's WebAssembly pass measures all k centres when its one bound fails; Elkan's bound per
 * centre skips most of them, which pays once a full scan costs more than about this many
 * multiply-adds (k × d). Measured: on digits (d = 64) Hamerly's kernel was faster at k = 10 and 16
 * and Elkan twice as fast at k = 24 and 40; on California (d = 8) Hamerly's was twice as fast from
 * k = 8 to 64.
 */
const ELKAN_MIN_SCAN = 1200;

/** Everything a thread needs to run restarts; on SharedArrayBuffers when workers take part. */
export interface RestartContext {
  points: Points;
  k: number;
  maxIterations: number;
  tolerance: number;
  /** One seed per restart (as unsigned 32-bit numbers). */
  seeds: Float64Array;
  /** The next restart to claim (one Int32). */
  next: Int32Array;
  /** Per restart: centres (k × d), inertia, iterations. */
  centres: Float64Array;
  inertia: Float64Array;
  iterations: Float64Array;
}

/** What the best restart ended with. */
export interface RestartsResult {
  centres: Float64Array;
  inertia: number;
  iterations: number;
}

/**
 * Runs k-means from `seeds.length` k-means++ seedings, each with its own generator, and returns the
 * lowest-inertia run (the first on ties). With a pool of more than one thread the restarts are shared
 * out as each thread frees up; the result does not depend on how many threads ran them.
 */
export function runRestarts(
  P: Points,
  k: number,
  maxIterations: number,
  tolerance: number,
  seeds: Float64Array,
  pool?: ParallelPool,
): RestartsResult {
  const runs = seeds.length;
  const threads = pool === undefined ? 1 : Math.min(pool.threads, runs);
  const shared = threads > 1;
  const allocate = (length: number) =>
    shared ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length);
  let points = P;
  if (shared) {
    const data = allocate(P.data.length);
    data.set(P.data);
    points = { n: P.n, d: P.d, data };
  }
  const seedArray = allocate(runs);
  seedArray.set(seeds);
  const context: RestartContext = {
    points,
    k,
    maxIterations,
    tolerance,
    seeds: seedArray,
    next: new Int32Array(shared ? new SharedArrayBuffer(4) : new ArrayBuffer(4)),
    centres: allocate(runs * k * P.d),
    inertia: allocate(runs),
    iterations: allocate(runs),
  };
  if (shared) {
    const session = pool!.open(KMEANS_WORKER_MODULE, context);
    try {
      session.start(0, threads - 1);
      claimRestarts(context);
      session.wait();
    } finally {
      session.close();
    }
  } else claimRestarts(context);
  let best = 0;
  for (let r = 1; r < runs; r++) if (context.inertia[r] < context.inertia[best]) best = r;
  const size = k * P.d;
  return {
    centres: context.centres.slice(best * size, (best + 1) * size),
    inertia: context.inertia[best],
    iterations: context.iterations[best],
  };
}

/** Kernel 0: claim and run restarts until none is left. */
export function init(context: RestartContext): Kernel[] {
  return [() => claimRestarts(context)];
}

function claimRestarts(context: RestartContext): void {
  const { points: P, k, maxIterations, tolerance } = context;
  const elkan = k * P.d >= ELKAN_MIN_SCAN && P.n * k <= ELKAN_MAX_BOUNDS;
  const table = elkan ? new Float64Array(P.n * k) : undefined;
  const distances = new CentreDistances(P, seedingTrials(k));
  let workspace: HamerlyWorkspace | undefined;
  for (;;) {
    const r = Atomics.add(context.next, 0, 1);
    if (r >= context.seeds.length) return;
    const initial = kmeansPlusPlus(P, k, new Random(context.seeds[r]), table, distances);
    const result =
      table === undefined
        ? hamerlyLloyd(P, initial, maxIterations, tolerance, (workspace ??= new HamerlyWorkspace(P, k)))
        : elkanLloyd(P, initial, table, maxIterations, tolerance);
    context.centres.set(result.centres, r * k * P.d);
    context.inertia[r] = result.inertia;
    context.iterations[r] = result.iterations;
  }
}
