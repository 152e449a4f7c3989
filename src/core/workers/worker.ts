import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Kernel } from '../parallel.js';
import { CLOSE, CONTROL, OPEN, type ErrorMessage, type OpenMessage } from './protocol.js';

interface WorkerData {
  control: Int32Array;
  args: Float64Array;
  port: MessagePort;
}

interface KernelModule {
  init?: (context: unknown) => Kernel[];
}

const { control, args, port } = workerData as WorkerData;
let kernels: Kernel[] = [];
let seen = 0;
let lastTurn = performance.now();
/**
 * How often the worker lets its event loop turn. The loop below never returns to it on its own,
 * and V8 installs the optimised tier of WebAssembly code through tasks on that loop: without a turn
 * a worker kept running the baseline code (batch prediction on two threads: 266k → 346k rows/s).
 */
const TURN_EVERY_MS = 20;

/**
 * How long the worker checks for the next command before it sleeps: callers send commands in
 * bursts (a GBDT tree: a dozen within a few milliseconds). Short, because an endless spin was
 * tried before and hurt on a busy machine; a caller claims back a call the worker is slow to begin.
 */
const SPIN_MS = 0.05;

// The loop blocks on Atomics.wait instead of listening for messages: the pool's caller is blocked
// too (it waits for the result synchronously), and a shared-memory wake-up costs ~10 µs where a
// message costs ~30 µs. The only awaits are module imports, which need no help from the caller.
for (;;) {
  const spinUntil = performance.now() + SPIN_MS;
  while (Atomics.load(control, CONTROL.request) === seen && performance.now() < spinUntil);
  Atomics.wait(control, CONTROL.request, seen);
  seen = Atomics.load(control, CONTROL.request);
  // A request the pool claimed back first is done already: only report it.
  const mine = Atomics.compareExchange(control, CONTROL.claimed, seen - 1, seen) === seen - 1;
  const command = Atomics.load(control, CONTROL.command);
  let failed = 0;
  try {
    if (mine && command === OPEN) {
      const message = receiveMessageOnPort(port)?.message as OpenMessage | undefined;
      if (message === undefined) throw new Error('worker was told to open a session but got no message');
      const module = (await import(message.moduleUrl)) as KernelModule;
      if (typeof module.init !== 'function') {
        throw new Error(`kernel module ${message.moduleUrl} does not export init(context)`);
      }
      kernels = module.init(message.context);
    } else if (mine && command === CLOSE) {
      kernels = [];
    } else if (mine) {
      const kernel = kernels[command];
      if (kernel === undefined) throw new Error(`no kernel ${command} in the open session`);
      kernel(args);
    }
  } catch (error) {
    failed = 1;
    const report: ErrorMessage =
      error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };
    port.postMessage(report);
  }
  Atomics.store(control, CONTROL.failed, failed);
  Atomics.store(control, CONTROL.done, seen);
  Atomics.notify(control, CONTROL.done);
  if (performance.now() - lastTurn >= TURN_EVERY_MS) {
    await new Promise((resolve) => setImmediate(resolve));
    lastTurn = performance.now();
  }
}
