// The stream's scoring thread (see verdict-thread.ts): holds the current ensemble and answers each
// batch of feature rows with the ensemble's verdicts, or the error that stopped it.
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../../core/errors.js';
import { FraudEnsemble } from './ensemble.js';
import type { ThreadReply, ThreadRequest } from './verdict-thread.js';
import { batchVerdicts } from './verdict.js';

let ensemble: FraudEnsemble | null = null;

parentPort!.on('message', (request: ThreadRequest) => {
  if (request.kind === 'model') {
    ensemble = FraudEnsemble.fromJSON(request.json);
    return;
  }
  let reply: ThreadReply;
  try {
    if (ensemble === null) throw new Error('no model was sent to the scoring thread');
    reply = { id: request.id, verdicts: batchVerdicts(ensemble, request.rows, request.policy) };
  } catch (error) {
    reply = { id: request.id, error: errorMessage(error) };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ ready: true } satisfies ThreadReply);
