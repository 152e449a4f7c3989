import { randomUUID } from 'node:crypto';
import { CairnError, errorMessage } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Database } from '../warehouse/database.js';
import { systemClock, type Clock } from './clock.js';
import {
  isFinished,
  type EnqueueOptions,
  type Job,
  type JobContext,
  type JobDetail,
  type JobFilter,
  type JobHandler,
  type JobQueue,
  type LogLevel,
} from './job.js';
import {
  appendLog,
  ensureJobTables,
  insertJob,
  listJobs,
  nextQueued,
  readJob,
  readLog,
  updateJob,
  type JobUpdate,
} from './job-store.js';

export interface InProcessQueueOptions {
  /** Jobs run at once; default 1, since DuckDB has one writer. */
  concurrency?: number;
  clock?: Clock;
  logger?: Logger;
  /** Progress is written to the database at most this often, in ms; default 500. */
  progressIntervalMs?: number;
}

/** Why a running job's signal was aborted. */
const SHUTDOWN = 'shutdown';
const CANCEL = 'cancel';

interface Running {
  controller: AbortController;
  progress: number;
  message: string;
  lastWrite: number;
}

/**
 * Jobs run in this process, one at a time by default; jobs, progress and logs live in DuckDB
 * (schema `cairn`), so they outlast the process. Database writes go through one chain, in order.
 */
export class InProcessJobQueue implements JobQueue {
  private readonly handlers = new Map<string, JobHandler<unknown, unknown>>();
  private readonly running = new Map<string, Running>();
  private readonly waiters = new Map<string, ((job: Job) => void)[]>();
  private readonly concurrency: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly progressInterval: number;
  private writes: Promise<unknown> = Promise.resolve();
  private started = false;
  private pumping = false;
  private again = false;
  private active: Promise<void>[] = [];

  private constructor(
    private readonly db: Database,
    options: InProcessQueueOptions,
  ) {
    this.concurrency = options.concurrency ?? 1;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.progressInterval = options.progressIntervalMs ?? 500;
  }

  /** Opens the queue on a workspace database, creating its tables. Call `recover` once handlers are registered. */
  static async open(db: Database, options: InProcessQueueOptions = {}): Promise<InProcessJobQueue> {
    await ensureJobTables(db);
    return new InProcessJobQueue(db, options);
  }

  register<P, R>(kind: string, handler: JobHandler<P, R>): void {
    if (this.handlers.has(kind)) throw new CairnError('CONFLICT', `job kind '${kind}' already has a handler`);
    this.handlers.set(kind, handler);
  }

  /**
   * Settles jobs a crashed process left `running`: only one process opens a workspace, so none of
   * them is running now. Resumable kinds are queued again; the others fail with an alert.
   */
  async recover(): Promise<void> {
    for (const job of await listJobs(this.db, { status: 'running', limit: 10_000 })) {
      if (this.running.has(job.id)) continue;
      const resumable = this.handlers.get(job.kind)?.resumable === true;
      const now = new Date(this.clock.now());
      if (resumable) {
        await updateJob(this.db, job.id, { status: 'queued', message: 'interrupted; waiting to resume' });
        await appendLog(this.db, job.id, {
          at: now,
          level: 'warn',
          message: 'the process running this job stopped; it will resume from its last checkpoint',
        });
      } else {
        const error = 'the process running this job stopped before it finished; enqueue it again';
        await updateJob(this.db, job.id, { status: 'failed', error, message: error, finishedAt: now });
        await appendLog(this.db, job.id, { at: now, level: 'alert', message: error });
      }
    }
  }

  async enqueue(kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
    const handler = this.handlers.get(kind);
    if (!handler) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `job kind '${kind}' is not known; the kinds are ${[...this.handlers.keys()].join(', ')}`,
      );
    }
    const parsed = handler.parse(payload);
    const id = randomUUID();
    await this.write(() =>
      insertJob(this.db, {
        id,
        kind,
        payload: parsed,
        scheduleId: options.scheduleId ?? null,
        createdAt: new Date(this.clock.now()),
      }),
    );
    this.pump();
    return id;
  }

  async get(id: string): Promise<JobDetail> {
    await this.writes;
    const job = await readJob(this.db, id);
    if (!job) throw new CairnError('NOT_FOUND', `there is no job '${id}'; \`cairn jobs list\` shows them`);
    return { ...this.withLiveProgress(job), log: await readLog(this.db, id) };
  }

  async list(filter: JobFilter = {}): Promise<Job[]> {
    await this.writes;
    return (await listJobs(this.db, filter)).map((job) => this.withLiveProgress(job));
  }

  async cancel(id: string): Promise<Job> {
    const job = await this.get(id);
    if (isFinished(job.status)) {
      throw new CairnError(
        'CONFLICT',
        `job '${id}' has already ${job.status}; only queued or running jobs can be cancelled`,
      );
    }
    const live = this.running.get(id);
    if (live) {
      live.controller.abort(CANCEL);
      this.appendLog(id, 'info', 'cancellation requested');
      return this.get(id);
    }
    const now = new Date(this.clock.now());
    const cancelled = await this.write(() =>
      updateJob(
        this.db,
        id,
        { status: 'cancelled', message: 'cancelled before it started', finishedAt: now },
        'queued',
      ),
    );
    if (cancelled) this.appendLog(id, 'info', 'cancelled before it started');
    const after = await this.get(id);
    if (isFinished(after.status)) this.notify(after);
    return after;
  }

  wait(id: string): Promise<Job> {
    // The waiter is in place before the status is read, so an end between the two is not missed.
    return new Promise((resolve, reject) => {
      this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]);
      this.get(id).then((job) => {
        if (isFinished(job.status)) this.notify(job);
      }, reject);
    });
  }

  start(): void {
    this.started = true;
    this.pump();
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const live of this.running.values()) live.controller.abort(SHUTDOWN);
    await Promise.allSettled(this.active);
    await this.writes;
  }

  private withLiveProgress(job: Job): Job {
    const live = this.running.get(job.id);
    return live && job.status === 'running'
      ? { ...job, progress: live.progress, message: live.message }
      : job;
  }

  /** Serialises every database write of the queue, in call order; a failed write is logged, not thrown at others. */
  private write<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.writes.then(fn);
    this.writes = next.catch((error: unknown) => this.logger.error({ err: error }, 'job queue write failed'));
    return next;
  }

  private appendLog(id: string, level: LogLevel, message: string): void {
    const at = new Date(this.clock.now());
    if (level === 'alert' || level === 'error') this.logger.error({ job: id }, message);
    void this.write(() => appendLog(this.db, id, { at, level, message })).catch(() => undefined);
  }

  private pump(): void {
    if (!this.started) return;
    if (this.pumping) {
      // A job queued or finished while the loop was looking: look again before it stops.
      this.again = true;
      return;
    }
    this.pumping = true;
    void (async () => {
      try {
        while (this.started && this.running.size < this.concurrency) {
          this.again = false;
          await this.writes;
          const job = await nextQueued(this.db);
          if (!job) {
            if (this.again) continue;
            break;
          }
          const claimed = await this.write(() =>
            updateJob(
              this.db,
              job.id,
              { status: 'running', startedAt: new Date(this.clock.now()), attempt: true, message: 'started' },
              'queued',
            ),
          );
          if (!claimed) continue;
          const done = this.execute(job);
          this.active.push(done);
          void done.finally(() => {
            this.active = this.active.filter((p) => p !== done);
            this.pump();
          });
        }
      } catch (error) {
        this.logger.error({ err: error }, 'the job queue could not take the next job');
      } finally {
        this.pumping = false;
      }
    })();
  }

  private async execute(job: Job): Promise<void> {
    const handler = this.handlers.get(job.kind);
    const controller = new AbortController();
    const live: Running = { controller, progress: job.progress, message: 'started', lastWrite: 0 };
    this.running.set(job.id, live);
    const resumed = job.attempts > 0;
    let update: JobUpdate;
    try {
      if (!handler) throw new CairnError('INTERNAL', `no handler is registered for job kind '${job.kind}'`);
      this.appendLog(job.id, 'info', resumed ? `resumed (attempt ${job.attempts + 1})` : 'started');
      const context: JobContext = {
        id: job.id,
        payload: job.payload,
        signal: controller.signal,
        resumed,
        progress: (fraction, message) => this.reportProgress(job.id, live, fraction, message),
        log: (level, message) => this.appendLog(job.id, level, message),
      };
      const result = await handler.run(context);
      update = { status: 'succeeded', progress: 1, message: 'done', result: result ?? null };
      this.appendLog(job.id, 'info', 'succeeded');
    } catch (error) {
      const reason: unknown = controller.signal.reason;
      if (controller.signal.aborted && reason === SHUTDOWN) {
        update = handler?.resumable
          ? { status: 'queued', message: 'interrupted by shutdown; waiting to resume' }
          : { status: 'failed', error: 'interrupted by shutdown', message: 'interrupted by shutdown' };
        this.appendLog(job.id, handler?.resumable ? 'warn' : 'alert', 'interrupted by shutdown');
      } else if (controller.signal.aborted && reason === CANCEL) {
        update = { status: 'cancelled', message: 'cancelled' };
        this.appendLog(job.id, 'info', 'cancelled');
      } else {
        const message = errorMessage(error);
        update = { status: 'failed', error: message, message: 'failed' };
        this.appendLog(job.id, 'error', message);
      }
    } finally {
      this.running.delete(job.id);
    }
    if (update.status !== 'queued') update.finishedAt = new Date(this.clock.now());
    if (update.progress === undefined) update.progress = live.progress;
    await this.write(() => updateJob(this.db, job.id, update)).catch(() => undefined);
    if (update.status !== 'queued') this.notify(await this.get(job.id));
  }

  private reportProgress(id: string, live: Running, fraction: number, message?: string): void {
    live.progress = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    if (message !== undefined) live.message = message;
    const now = this.clock.now();
    if (now - live.lastWrite < this.progressInterval) return;
    live.lastWrite = now;
    const { progress, message: text } = live;
    void this.write(() => updateJob(this.db, id, { progress, message: text }, 'running')).catch(
      () => undefined,
    );
  }

  private notify(job: Job): void {
    const waiting = this.waiters.get(job.id) ?? [];
    this.waiters.delete(job.id);
    for (const resolve of waiting) resolve(job);
  }
}
