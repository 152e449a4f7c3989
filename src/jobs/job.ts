/**
 * The job queue as the rest of Cairn sees it. The in-process queue (in-process-queue.ts) is the
 * default; the interface keeps to what a BullMQ queue on Redis also offers (ids, per-kind handlers,
 * progress, logs, cancellation), so a Redis-backed one can run the same handlers in worker processes.
 */

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** `alert` marks a problem a person must see (a failed model load, a job lost in a crash). */
export const LOG_LEVELS = ['info', 'warn', 'error', 'alert'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  status: JobStatus;
  /** 0..1 */
  progress: number;
  /** What the job is doing now, or how it ended. */
  message: string;
  /** What a succeeded job returned. */
  result: unknown;
  /** Why a failed job failed. */
  error: string | null;
  /** Times the job has started (more than 1 after a resume). */
  attempts: number;
  /** The stored schedule that enqueued it, if any. */
  scheduleId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobLogEntry {
  at: string;
  level: LogLevel;
  message: string;
}

export interface JobDetail extends Job {
  log: JobLogEntry[];
}

export interface JobFilter {
  status?: JobStatus;
  kind?: string;
  /** Newest first; default 100. */
  limit?: number;
}

/** What a handler gets: its payload, a cancellation signal, and progress and log reporting. */
export interface JobContext<P = unknown> {
  readonly id: string;
  readonly payload: P;
  /** Aborted when the job is cancelled or the queue stops; handlers check it between steps. */
  readonly signal: AbortSignal;
  /** True when the job ran before and was interrupted (a crash or a shutdown). */
  readonly resumed: boolean;
  /** Reports progress, 0..1, with what is happening now. */
  readonly progress: (fraction: number, message?: string) => void;
  /** Appends to the job's log, which is kept after the job ends. */
  readonly log: (level: LogLevel, message: string) => void;
}

export interface JobHandler<P = unknown, R = unknown> {
  /** Validates and normalises a payload at enqueue time; throws INVALID_ARGUMENT naming the field. */
  parse(payload: unknown): P;
  run(context: JobContext<P>): Promise<R>;
  /**
   * A resumable job found `running` after a crash is queued again (its handler continues from its
   * own checkpoints); any other is marked failed with an alert.
   */
  resumable?: boolean;
}

export interface EnqueueOptions {
  scheduleId?: string;
}

export interface JobQueue {
  /** Registers the handler for one kind of job; one handler per kind. */
  register<P, R>(kind: string, handler: JobHandler<P, R>): void;
  /** Validates the payload with the kind's handler and queues the job; returns its id. */
  enqueue(kind: string, payload: unknown, options?: EnqueueOptions): Promise<string>;
  /** The job with its log; NOT_FOUND if there is none. */
  get(id: string): Promise<JobDetail>;
  list(filter?: JobFilter): Promise<Job[]>;
  /** Cancels a queued job at once, a running one at its next check; CONFLICT once it has ended. */
  cancel(id: string): Promise<Job>;
  /** Resolves when the job has ended (succeeded, failed or cancelled). */
  wait(id: string): Promise<Job>;
  /** Starts running queued jobs. */
  start(): void;
  /** Stops taking jobs; running ones are interrupted and left to resume (or fail) on the next start. */
  stop(): Promise<void>;
}

export function isFinished(status: JobStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}
