import type { Logger } from '../core/logger.js';
import { parseSpec } from '../models/spec.js';
import { checkTableName } from '../warehouse/sql.js';
import type { Database } from '../warehouse/database.js';
import { systemClock, type Clock } from './clock.js';
import { InProcessJobQueue } from './in-process-queue.js';
import type { JobQueue } from './job.js';
import { JobSchedules, type JobSchedule } from './job-schedules.js';
import { registerModelJobs, SCORE_JOB, scoreJob, TRAIN_JOB, type ScorePayload } from './model-jobs.js';
import { Scheduler } from './scheduler.js';
import { CairnError } from '../core/errors.js';

/** The workspace's jobs: the queue, the cron scheduler and the stored schedules, wired together. */
export interface Jobs {
  queue: JobQueue;
  /**
   * Cron registration for any module: `scheduler.add(id, cron, callback)` runs the callback on time
   * while a long-running process (`cairn serve`) has started the jobs.
   */
  scheduler: Scheduler;
  schedules: JobSchedules;
  /** Stores a spec's retraining schedule (its `schedule`, or `cron`) under `train:<name>`. */
  scheduleTraining(spec: unknown, cron?: string): Promise<JobSchedule>;
  /** Stores a re-scoring schedule under `score:<into>`. */
  scheduleScoring(payload: ScorePayload, cron: string): Promise<JobSchedule>;
  /** Runs queued jobs and fires stored schedules (for long-running processes). */
  start(): Promise<void>;
  /** Stops firing and taking jobs; running ones are interrupted to resume (or fail) on the next start. */
  stop(): Promise<void>;
}

export interface JobsOptions {
  db: Database;
  artifactsDir: string;
  logger?: Logger;
  clock?: Clock;
  concurrency?: number;
}

/** Opens the jobs of a workspace and settles jobs a crashed process left running. */
export async function openJobs(options: JobsOptions): Promise<Jobs> {
  const { db, artifactsDir, logger } = options;
  const clock = options.clock ?? systemClock;
  const queue = await InProcessJobQueue.open(db, { clock, logger, concurrency: options.concurrency });
  registerModelJobs(queue, db, artifactsDir);
  await queue.recover();
  await JobSchedules.ensureTable(db);
  const scheduler = new Scheduler({ clock, logger });
  const schedules = new JobSchedules(db, queue, scheduler, () => clock.now());
  let started = false;
  return {
    queue,
    scheduler,
    schedules,
    async scheduleTraining(raw, cron) {
      const spec = parseSpec(raw);
      const expression = cron ?? spec.schedule;
      if (!expression) {
        throw new CairnError(
          'INVALID_ARGUMENT',
          `spec '${spec.name}' has no schedule; add "schedule": "0 2 * * *" (cron, UTC) to it or pass --cron`,
        );
      }
      return schedules.save({
        id: `${TRAIN_JOB}:${spec.name}`,
        kind: TRAIN_JOB,
        payload: { spec: raw },
        cron: expression,
      });
    },
    async scheduleScoring(raw, cron) {
      const payload = scoreJob(db, artifactsDir).parse(raw);
      checkTableName(payload.table);
      checkTableName(payload.into);
      return schedules.save({ id: `${SCORE_JOB}:${payload.into}`, kind: SCORE_JOB, payload, cron });
    },
    async start() {
      if (started) return;
      started = true;
      queue.start();
      await schedules.start();
    },
    async stop() {
      started = false;
      schedules.stop();
      await scheduler.close();
      await queue.stop();
    },
  };
}
