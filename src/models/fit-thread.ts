import { Worker } from 'node:worker_threads';
import { CairnError, errorMessage } from '../core/errors.js';
import type { FeatureMatrix } from '../ml/matrix.js';
import type { Algorithm, Estimator, FitInput } from './estimator.js';
import type { SupervisedTask } from './spec.js';

/**
 * Fits a model: `input.random` was made from `seed`, so a fitter that runs elsewhere can rebuild
 * it and fit the same model.
 */
export type Fitter = (algorithm: Algorithm, input: FitInput, seed: number) => Promise<Estimator>;

/** Fits on the calling thread (the CLI: nothing else needs it meanwhile). */
export const inlineFitter: Fitter = async (algorithm, input) => algorithm.fit(input);

export interface FitRequest {
  algorithm: string;
  task: SupervisedTask;
  X: FeatureMatrix;
  y: Float64Array;
  classes: number;
  params: Record<string, unknown>;
  seed: number;
}

export type FitMessage =
  { kind: 'progress'; fraction: number; message?: string } | { kind: 'result'; json: unknown };

const BOOTSTRAP = new URL('../core/workers/bootstrap.js', import.meta.url);
const ENTRY = new URL('./fit-worker.ts', import.meta.url).href;

/**
 * Fits in a thread of its own, so a server keeps answering requests while a model trains; the
 * fitted model comes back as its JSON and is loaded here (loading gives the same predictions).
 * Aborting `signal` stops the thread at once.
 */
export function threadFitter(signal?: AbortSignal): Fitter {
  return (algorithm, input, seed) =>
    new Promise<Estimator>((resolve, reject) => {
      const request: FitRequest = {
        algorithm: algorithm.name,
        task: input.task,
        X: { ...input.X, names: [...input.X.names] },
        y: input.y,
        classes: input.classes,
        params: input.params,
        seed,
      };
      const worker = new Worker(BOOTSTRAP, { workerData: { entry: ENTRY, request } });
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', abort);
        outcome();
        void worker.terminate();
      };
      const abort = () => finish(() => reject(signal!.reason as Error));
      signal?.addEventListener('abort', abort, { once: true });
      worker.on('message', (message: FitMessage) => {
        if (message.kind === 'progress') input.onProgress?.(message.fraction, message.message);
        else finish(() => resolve(algorithm.load(message.json, input.task)));
      });
      worker.on('error', (error) =>
        finish(() =>
          reject(
            error instanceof CairnError
              ? error
              : new CairnError('INTERNAL', `fitting ${algorithm.name} failed: ${errorMessage(error)}`, {
                  cause: error,
                }),
          ),
        ),
      );
      worker.on('exit', (code) =>
        finish(() => reject(new CairnError('INTERNAL', `the fitting thread stopped (exit code ${code})`))),
      );
    });
}
