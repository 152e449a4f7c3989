// A worker's entry point. Node 20 cannot start a worker from a .ts file and workers do not inherit
// the parent's --import hooks, so each worker registers tsx itself before loading the TypeScript loop.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
