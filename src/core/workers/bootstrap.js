// A worker's entry point. Node 20 cannot start a worker from a .ts file and workers do not inherit
// the parent's --import hooks, so each worker registers tsx itself before loading its TypeScript:
// the pool's kernel loop, or the module named by workerData.entry (a one-off task thread).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData?.entry ?? './worker.ts');
