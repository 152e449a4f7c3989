import os from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { CairnError } from '../errors.js';
import { ARGUMENT_SLOTS, type ParallelPool, type ParallelSession } from '../parallel.js';
import { CLOSE, CONTROL, CONTROL_WORDS, OPEN, type ErrorMessage, type OpenMessage } from './protocol.js';

const BOOTSTRAP = new URL('./bootstrap.js', import.meta.url);
/**
 * How long a caller checks for a worker to finish before it sleeps: it usually waits for a share
 * about as long as its own, and waking from Atomics.wait took 10–30 µs on this project's machines
 * (a kernel call's round trip: ~45 µs → ~5 µs with this and the worker's own short spin).
 */
const SPIN_MS = 0.05;

interface Slot {
  worker: Worker;
  control: Int32Array;
  args: Float64Array;
  port: MessagePort;
  request: number;
}

/**
 * A fixed set of worker threads that run kernels synchronously on shared memory (see
 * core/parallel.ts). Workers are unref'd, so an idle pool never keeps the process alive; `close`
 * stops them. Start-up costs about 0.1–0.5 s per worker, paid in the background and, at the latest,
 * by the first `open`: create one pool and reuse it.
 */
export class WorkerPool implements ParallelPool {
  readonly threads: number;
  private readonly slots: Slot[];
  private session: Session | null = null;
  private closed = false;

  /** `threads` counts the calling thread: 2 starts one worker. Default: the machine's parallelism. */
  constructor(threads = os.availableParallelism()) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new CairnError('INVALID_ARGUMENT', `WorkerPool needs threads ≥ 1, got ${threads}`);
    }
    this.threads = threads;
    this.slots = Array.from({ length: threads - 1 }, () => startWorker());
  }

  open(moduleUrl: string, context: unknown): ParallelSession {
    if (this.closed) throw new CairnError('CONFLICT', 'the worker pool is closed');
    if (this.session !== null) {
      throw new CairnError('CONFLICT', 'the worker pool already has an open session; close it first');
    }
    const message: OpenMessage = { moduleUrl, context };
    for (const slot of this.slots) slot.port.postMessage(message);
    this.slots.forEach((slot) => command(slot, OPEN));
    awaitSlots(this.slots, `opening ${moduleUrl}`);
    this.session = new Session(this.slots, () => {
      this.session = null;
    });
    return this.session;
  }

  /** Stops the workers; the pool cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}

class Session implements ParallelSession {
  readonly workers: number;
  private running = 0;
  private readonly claimed: boolean[];
  private open = true;

  constructor(
    private readonly slots: Slot[],
    private readonly onClose: () => void,
  ) {
    this.workers = slots.length;
    this.claimed = slots.map(() => false);
  }

  args(worker: number): Float64Array {
    return this.slots[worker].args;
  }

  start(kernel: number, count: number): void {
    if (!this.open) throw new CairnError('CONFLICT', 'the parallel session is closed');
    if (this.running > 0) throw new CairnError('CONFLICT', 'start called twice without wait');
    if (count > this.slots.length) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `start asked for ${count} workers; the pool has ${this.slots.length}`,
      );
    }
    for (let w = 0; w < count; w++) command(this.slots[w], kernel);
    this.running = count;
  }

  claim(worker: number): boolean {
    if (worker >= this.running || this.claimed[worker]) return false;
    const { control, request } = this.slots[worker];
    this.claimed[worker] =
      Atomics.compareExchange(control, CONTROL.claimed, request - 1, request) === request - 1;
    return this.claimed[worker];
  }

  wait(): void {
    const waiting = this.slots.slice(0, this.running).filter((_, w) => !this.claimed[w]);
    this.running = 0;
    this.claimed.fill(false);
    awaitSlots(waiting, 'running a kernel');
  }

  close(): void {
    if (!this.open) return;
    if (this.running > 0) this.wait();
    this.open = false;
    this.slots.forEach((slot) => command(slot, CLOSE));
    awaitSlots(this.slots, 'closing a session');
    this.onClose();
  }
}

function startWorker(): Slot {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  const args = new Float64Array(new SharedArrayBuffer(ARGUMENT_SLOTS * 8));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(BOOTSTRAP, { workerData: { control, args, port: port2 }, transferList: [port2] });
  worker.unref();
  port1.unref();
  return { worker, control, args, port: port1, request: 0 };
}

function command(slot: Slot, code: number): void {
  slot.request++;
  Atomics.store(slot.control, CONTROL.command, code);
  Atomics.store(slot.control, CONTROL.request, slot.request);
  Atomics.notify(slot.control, CONTROL.request);
}

/** Blocks until these workers have finished their last command; throws the first failure. */
function awaitSlots(slots: Slot[], what: string): void {
  let failure: ErrorMessage | null = null;
  for (const slot of slots) {
    const spinUntil = performance.now() + SPIN_MS;
    for (;;) {
      const done = Atomics.load(slot.control, CONTROL.done);
      if (done === slot.request) break;
      if (performance.now() < spinUntil) continue;
      Atomics.wait(slot.control, CONTROL.done, done);
    }
    if (Atomics.load(slot.control, CONTROL.failed) === 1) {
      failure ??= (receiveMessageOnPort(slot.port)?.message as ErrorMessage | undefined) ?? {
        message: 'unknown error',
      };
    }
  }
  if (failure !== null) {
    const cause = Object.assign(new Error(failure.message), { stack: failure.stack });
    throw new CairnError('INTERNAL', `a worker thread failed while ${what}: ${failure.message}`, { cause });
  }
}
