import type { Database } from '../warehouse/database.js';
import { META_SCHEMA } from '../warehouse/metadata.js';
import { asText, type JsonRow } from '../warehouse/values.js';
import type { Job, JobFilter, JobLogEntry, JobStatus, LogLevel } from './job.js';

export const JOB_TABLES = {
  jobs: `${META_SCHEMA}.jobs`,
  log: `${META_SCHEMA}.job_log`,
} as const;

export async function ensureJobTables(db: Database): Promise<void> {
  await db.run(`
    CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
    CREATE TABLE IF NOT EXISTS ${JOB_TABLES.jobs} (
      id VARCHAR PRIMARY KEY,
      seq BIGINT NOT NULL,
      kind VARCHAR NOT NULL,
      payload JSON NOT NULL,
      status VARCHAR NOT NULL,
      progress DOUBLE NOT NULL DEFAULT 0,
      message VARCHAR NOT NULL DEFAULT '',
      result JSON,
      error VARCHAR,
      attempts INTEGER NOT NULL DEFAULT 0,
      schedule_id VARCHAR,
      created_at TIMESTAMPTZ NOT NULL,
      started_at TIMESTAMPTZ,
      finished_at TIMESTAMPTZ
    );
    CREATE TABLE IF NOT EXISTS ${JOB_TABLES.log} (
      job_id VARCHAR NOT NULL,
      logged_at TIMESTAMPTZ NOT NULL,
      level VARCHAR NOT NULL,
      message VARCHAR NOT NULL
    );
  `);
}

const ISO = (column: string) => `strftime(${column} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')`;
const JOB_COLUMNS = `id, kind, payload, status, progress, message, result, error, attempts, schedule_id,
  ${ISO('created_at')} AS created_at, ${ISO('started_at')} AS started_at, ${ISO('finished_at')} AS finished_at`;

function parseJson(value: JsonRow[string]): unknown {
  return typeof value === 'string' ? JSON.parse(value) : (value ?? null);
}

function jobFromRow(row: JsonRow): Job {
  return {
    id: asText(row.id),
    kind: asText(row.kind),
    payload: parseJson(row.payload),
    status: asText(row.status) as JobStatus,
    progress: Number(row.progress),
    message: asText(row.message),
    result: parseJson(row.result),
    error: row.error === null ? null : asText(row.error),
    attempts: Number(row.attempts),
    scheduleId: row.schedule_id === null ? null : asText(row.schedule_id),
    createdAt: asText(row.created_at),
    startedAt: row.started_at === null ? null : asText(row.started_at),
    finishedAt: row.finished_at === null ? null : asText(row.finished_at),
  };
}

export async function insertJob(
  db: Database,
  job: { id: string; kind: string; payload: unknown; scheduleId: string | null; createdAt: Date },
): Promise<void> {
  await db.run(
    `INSERT INTO ${JOB_TABLES.jobs} (id, seq, kind, payload, status, schedule_id, created_at)
     SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, 'queued', $4, $5 FROM ${JOB_TABLES.jobs}`,
    [job.id, job.kind, JSON.stringify(job.payload), job.scheduleId, job.createdAt.toISOString()],
  );
}

export async function readJob(db: Database, id: string): Promise<Job | null> {
  const [row] = await db.rows(`SELECT ${JOB_COLUMNS} FROM ${JOB_TABLES.jobs} WHERE id = $1`, [id]);
  return row ? jobFromRow(row) : null;
}

export async function readLog(db: Database, id: string): Promise<JobLogEntry[]> {
  const rows = await db.rows(
    `SELECT ${ISO('logged_at')} AS logged_at, level, message FROM ${JOB_TABLES.log} WHERE job_id = $1 ORDER BY rowid`,
    [id],
  );
  return rows.map((r) => ({
    at: asText(r.logged_at),
    level: asText(r.level) as LogLevel,
    message: asText(r.message),
  }));
}

export async function listJobs(db: Database, filter: JobFilter = {}): Promise<Job[]> {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.status) {
    params.push(filter.status);
    where.push(`status = $${params.length}`);
  }
  if (filter.kind) {
    params.push(filter.kind);
    where.push(`kind = $${params.length}`);
  }
  const limit = Math.max(1, Math.min(filter.limit ?? 100, 10_000));
  const rows = await db.rows(
    `SELECT ${JOB_COLUMNS} FROM ${JOB_TABLES.jobs} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY seq DESC LIMIT ${limit}`,
    params,
  );
  return rows.map(jobFromRow);
}

/** The oldest queued job, or null. */
export async function nextQueued(db: Database): Promise<Job | null> {
  const [row] = await db.rows(
    `SELECT ${JOB_COLUMNS} FROM ${JOB_TABLES.jobs} WHERE status = 'queued' ORDER BY seq LIMIT 1`,
  );
  return row ? jobFromRow(row) : null;
}

export interface JobUpdate {
  status?: JobStatus;
  progress?: number;
  message?: string;
  result?: unknown;
  error?: string | null;
  startedAt?: Date;
  finishedAt?: Date;
  /** Adds one to `attempts`. */
  attempt?: boolean;
}

/** Changes the given fields; with `onlyIf`, only while the job has that status (returns whether it did). */
export async function updateJob(
  db: Database,
  id: string,
  update: JobUpdate,
  onlyIf?: JobStatus,
): Promise<boolean> {
  const sets: string[] = [];
  const params: (string | number | null)[] = [];
  const set = (column: string, value: string | number | null) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (update.status !== undefined) set('status', update.status);
  if (update.progress !== undefined) set('progress', update.progress);
  if (update.message !== undefined) set('message', update.message);
  if (update.result !== undefined) set('result', JSON.stringify(update.result ?? null));
  if (update.error !== undefined) set('error', update.error);
  if (update.startedAt !== undefined) set('started_at', update.startedAt.toISOString());
  if (update.finishedAt !== undefined) set('finished_at', update.finishedAt.toISOString());
  if (update.attempt) sets.push('attempts = attempts + 1');
  if (sets.length === 0) return true;
  params.push(id);
  let where = `id = $${params.length}`;
  if (onlyIf !== undefined) {
    params.push(onlyIf);
    where += ` AND status = $${params.length}`;
  }
  const rows = await db.rows(
    `UPDATE ${JOB_TABLES.jobs} SET ${sets.join(', ')} WHERE ${where} RETURNING id`,
    params,
  );
  return rows.length > 0;
}

export async function appendLog(
  db: Database,
  id: string,
  entry: { at: Date; level: LogLevel; message: string },
): Promise<void> {
  await db.run(`INSERT INTO ${JOB_TABLES.log} (job_id, logged_at, level, message) VALUES ($1, $2, $3, $4)`, [
    id,
    entry.at.toISOString(),
    entry.level,
    entry.message,
  ]);
}
