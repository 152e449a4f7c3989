import { Worker } from 'node:worker_threads';
import { CairnError, errorMessage } from '../../core/errors.js';
import type { FraudEnsemble, FraudEnsembleJson } from './ensemble.js';
import type { Verdict, VerdictPolicy, VerdictRows } from './verdict.js';

export type ThreadRequest =
  | { kind: 'model'; json: FraudEnsembleJson }
  | { kind: 'rows'; id: number; rows: VerdictRows; policy: VerdictPolicy };

export type ThreadReply =
  { id: number; verdicts: Verdict[] } | { id: number; error: string } | { ready: true };

const BOOTSTRAP = new URL('../../core/workers/bootstrap.js', import.meta.url);
const ENTRY = new URL('./verdict-worker.ts', import.meta.url).href;

/**
 * The ensemble's part of stream decisions on a second thread, so scoring overlaps the main thread's
 * features, rules, broker and warehouse work. Batches are answered in the order sent; the thread
 * receives the ensemble again whenever the service has loaded another one. If the thread fails,
 * every waiting and later batch is rejected (the caller scores it itself).
 */
export class VerdictThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { resolve: (v: Verdict[]) => void; reject: (e: Error) => void }
  >();
  private next = 0;
  private sent: FraudEnsemble | null = null;
  private failure: Error | null = null;
  /** Resolves once the thread has loaded its code (or has failed): its first batch need not wait. */
  readonly ready: Promise<void>;

  constructor() {
    let ready!: () => void;
    this.ready = new Promise((resolve) => (ready = resolve));
    this.worker = new Worker(BOOTSTRAP, { workerData: { entry: ENTRY } });
    this.worker.on('message', (reply: ThreadReply) => {
      if ('ready' in reply) return ready();
      const waiter = this.waiting.get(reply.id)!;
      this.waiting.delete(reply.id);
      this.settled();
      if ('error' in reply) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply.verdicts);
    });
    this.worker.on('error', (error) => {
      this.fail(error);
      ready();
    });
    this.worker.on('exit', (code) => {
      this.fail(new Error(`the scoring thread stopped (exit code ${code})`));
      ready();
    });
    // Kept alive while loading or scoring; an idle thread never holds the process.
    void this.ready.then(() => this.settled());
  }

  /** The verdicts of `ensemble` on `rows` (copied to the thread: the caller keeps them). */
  verdicts(ensemble: FraudEnsemble, rows: VerdictRows, policy: VerdictPolicy): Promise<Verdict[]> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (ensemble !== this.sent) {
      this.worker.postMessage({ kind: 'model', json: ensemble.toJSON() } satisfies ThreadRequest);
      this.sent = ensemble;
    }
    const id = this.next++;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ kind: 'rows', id, rows, policy } satisfies ThreadRequest);
    });
  }

  /** Lets the process exit once nothing waits on the thread. */
  private settled(): void {
    if (this.waiting.size === 0) this.worker.unref();
  }

  async close(): Promise<void> {
    this.failure ??= new CairnError('CONFLICT', 'the scoring thread is closed');
    await this.worker.terminate();
  }

  private fail(error: unknown): void {
    this.failure ??= new Error(`the scoring thread failed: ${errorMessage(error)}`);
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
  }
}
