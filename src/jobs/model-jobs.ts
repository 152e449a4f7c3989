import os from 'node:os';
import { z } from 'zod';
import { CairnError } from '../core/errors.js';
import { WorkerPool } from '../core/workers/pool.js';
import { STAGES } from '../models/registry.js';
import { parseSpec, type ModelSpec } from '../models/spec.js';
import { threadFitter } from '../models/fit-thread.js';
import { trainModel, type TrainReport } from '../models/train.js';
import { scoreTable, type ScoreReport } from '../serving/batch/score-table.js';
import type { Database } from '../warehouse/database.js';
import type { JobHandler, JobQueue } from './job.js';

export const TRAIN_JOB = 'train';
export const SCORE_JOB = 'score';

export const trainPayloadSchema = z.object({
  spec: z.record(z.string(), z.unknown()).describe('A model spec, as `cairn train` reads from a file'),
});

export const scorePayloadSchema = z
  .object({
    model: z.string().min(1),
    version: z.number().int().positive().optional(),
    stage: z.enum(STAGES).optional(),
    table: z.string().min(1).describe('Input table'),
    into: z.string().min(1).describe('Output table: the input columns plus predictions'),
    chunk_rows: z.number().int().min(1).max(10_000_000).optional(),
  })
  .strict();

export type TrainPayload = { spec: ModelSpec };
export type ScorePayload = z.output<typeof scorePayloadSchema>;

function parseWith<T>(schema: z.ZodType<T>, kind: string, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
    throw new CairnError(
      'INVALID_ARGUMENT',
      `the ${kind} job's payload is not valid: ${problems.join('; ')}`,
    );
  }
  return result.data;
}

/** Training: not resumable (a crash mid-fit loses the fit), so an interrupted one fails with an alert. */
export function trainJob(db: Database, artifactsDir: string): JobHandler<TrainPayload, TrainReport> {
  return {
    parse: (payload) => ({
      spec: parseSpec(parseWith(trainPayloadSchema, TRAIN_JOB, payload).spec, 'the train job spec'),
    }),
    async run({ payload, signal, progress, log }) {
      log(
        'info',
        `training ${payload.spec.name} (${payload.spec.algorithm}) from table ${payload.spec.data.table}`,
      );
      const report = await trainModel(db, artifactsDir, payload.spec, {
        onProgress: (fraction, message) => {
          signal.throwIfAborted();
          progress(fraction, message);
        },
        // The fit runs in a thread of its own: the server keeps answering, and cancelling stops it at once.
        fitter: threadFitter(signal),
      });
      log('info', `${report.model} v${report.version} registered (${report.seconds.toFixed(1)} s)`);
      return report;
    },
  };
}

/** Batch scoring: resumable, since each committed chunk is a checkpoint (serving/batch). */
export function scoreJob(
  db: Database,
  artifactsDir: string,
  threads = os.availableParallelism(),
): JobHandler<ScorePayload, ScoreReport> {
  return {
    resumable: true,
    parse: (payload) => parseWith(scorePayloadSchema, SCORE_JOB, payload),
    async run({ payload, signal, progress, log, resumed }) {
      log(
        'info',
        `${resumed ? 'resuming' : 'scoring'} ${payload.table} into ${payload.into} with ${payload.model}`,
      );
      const pool = threads > 1 ? new WorkerPool(threads) : undefined;
      try {
        const report = await scoreTable(
          db,
          artifactsDir,
          {
            model: payload.model,
            version: payload.version,
            stage: payload.stage,
            table: payload.table,
            into: payload.into,
            chunkRows: payload.chunk_rows,
          },
          {
            pool,
            signal,
            onProgress: (p) =>
              progress(
                p.fraction,
                `${p.rows.toLocaleString('en')} rows, chunk ${p.chunks} of ${p.totalChunks}`,
              ),
          },
        );
        log(
          'info',
          `${report.model} v${report.version}: ${report.rows.toLocaleString('en')} rows in ${report.into}` +
            (report.resumedChunks ? ` (${report.resumedChunks} chunks kept from the interrupted run)` : ''),
        );
        return report;
      } finally {
        await pool?.close();
      }
    },
  };
}

export function registerModelJobs(queue: JobQueue, db: Database, artifactsDir: string): void {
  queue.register(TRAIN_JOB, trainJob(db, artifactsDir));
  queue.register(SCORE_JOB, scoreJob(db, artifactsDir));
}
