import { parentPort, workerData } from 'node:worker_threads';
import { Random } from '../core/random.js';
import { algorithmNamed } from './algorithms.js';
import type { FitRequest, FitMessage } from './fit-thread.js';

// A task thread that fits one model (see fit-thread.ts) and posts its progress and its JSON.
const request = (workerData as { request: FitRequest }).request;
const post = (message: FitMessage) => parentPort!.postMessage(message);
const algorithm = algorithmNamed(request.algorithm, request.task);
const estimator = await algorithm.fit({
  task: request.task,
  X: request.X,
  y: request.y,
  classes: request.classes,
  params: request.params,
  random: new Random(request.seed),
  onProgress: (fraction, message) => post({ kind: 'progress', fraction, message }),
});
post({ kind: 'result', json: estimator.toJSON() });
