import { CairnError } from '../core/errors.js';
import type { Database } from '../warehouse/database.js';
import { META_SCHEMA } from '../warehouse/metadata.js';
import { asText, type JsonRow } from '../warehouse/values.js';
import type { JobQueue } from './job.js';
import { nextCronTime, parseCron, type Scheduler } from './scheduler.js';

const TABLE = `${META_SCHEMA}.job_schedules`;

/** A stored schedule: enqueue a job of `kind` with `payload` each time `cron` falls due (UTC). */
export interface JobSchedule {
  /** `train:<model>` or `score:<output table>`: scheduling the same thing again replaces it. */
  id: string;
  kind: string;
  payload: unknown;
  cron: string;
  createdAt: string;
  lastFiredAt: string | null;
  /** When it next falls due. */
  next: string | null;
}

const ISO = (column: string) => `strftime(${column} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')`;

function fromRow(row: JsonRow, now: Date): JobSchedule {
  const cron = asText(row.cron);
  const last = row.last_fired_at === null ? null : asText(row.last_fired_at);
  const since = new Date(last ?? asText(row.created_at));
  return {
    id: asText(row.id),
    kind: asText(row.kind),
    payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
    cron,
    createdAt: asText(row.created_at),
    lastFiredAt: last,
    next: nextCronTime(cron, since < now ? now : since)?.toISOString() ?? null,
  };
}

/**
 * Schedules kept in the workspace (`cairn.job_schedules`) and, once `start` is called in a
 * long-running process (`cairn serve`), registered on the scheduler so each firing enqueues a job.
 */
export class JobSchedules {
  private active = false;

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly scheduler: Scheduler,
    private readonly now: () => number = Date.now,
  ) {}

  static async ensureTable(db: Database): Promise<void> {
    await db.run(`
      CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
      CREATE TABLE IF NOT EXISTS ${TABLE} (
        id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,
        payload JSON NOT NULL,
        cron VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        last_fired_at TIMESTAMPTZ
      )`);
  }

  /** Stores (or replaces) a schedule; the payload must already be valid for the kind. */
  async save(schedule: { id: string; kind: string; payload: unknown; cron: string }): Promise<JobSchedule> {
    parseCron(schedule.cron);
    await this.db.transaction(async (connection) => {
      await connection.run(`DELETE FROM ${TABLE} WHERE id = $1`, [schedule.id]);
      await connection.run(
        `INSERT INTO ${TABLE} (id, kind, payload, cron, created_at) VALUES ($1, $2, $3, $4, $5)`,
        [
          schedule.id,
          schedule.kind,
          JSON.stringify(schedule.payload),
          schedule.cron,
          new Date(this.now()).toISOString(),
        ],
      );
    });
    const saved = await this.get(schedule.id);
    if (this.active) this.register(saved);
    return saved;
  }

  async list(): Promise<JobSchedule[]> {
    const rows = await this.db.rows(
      `SELECT id, kind, payload, cron, ${ISO('created_at')} AS created_at, ${ISO('last_fired_at')} AS last_fired_at
       FROM ${TABLE} ORDER BY id`,
    );
    const now = new Date(this.now());
    return rows.map((row) => fromRow(row, now));
  }

  async get(id: string): Promise<JobSchedule> {
    const found = (await this.list()).find((s) => s.id === id);
    if (!found)
      throw new CairnError('NOT_FOUND', `there is no schedule '${id}'; \`cairn jobs schedules\` lists them`);
    return found;
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.db.run(`DELETE FROM ${TABLE} WHERE id = $1`, [id]);
    this.scheduler.remove(`job:${id}`);
  }

  /** Registers every stored schedule; a slot missed while no process ran fires once, now. */
  async start(): Promise<void> {
    this.active = true;
    for (const schedule of await this.list()) this.register(schedule);
  }

  stop(): void {
    this.active = false;
  }

  private register(schedule: JobSchedule): void {
    const since = new Date(schedule.lastFiredAt ?? schedule.createdAt);
    this.scheduler.add(
      `job:${schedule.id}`,
      schedule.cron,
      async (due) => {
        await this.db.run(`UPDATE ${TABLE} SET last_fired_at = $1 WHERE id = $2`, [
          due.toISOString(),
          schedule.id,
        ]);
        await this.queue.enqueue(schedule.kind, schedule.payload, { scheduleId: schedule.id });
      },
      { since },
    );
  }
}
