import { Cron } from 'croner';
import { CairnError, errorMessage } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { systemClock, type Clock } from './clock.js';

/** Parses a cron expression (5 fields, or 6 with seconds; UTC); throws INVALID_ARGUMENT naming it. */
export function parseCron(expression: string, what = 'schedule'): Cron {
  try {
    return new Cron(expression, { paused: true, timezone: 'UTC' });
  } catch (error) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${what} '${expression}' is not a cron expression: ${errorMessage(error)}; for example '0 2 * * *' is 02:00 UTC daily`,
      { cause: error },
    );
  }
}

/** The next time `expression` falls due strictly after `after`, or null if it never does again. */
export function nextCronTime(expression: string, after: Date): Date | null {
  return parseCron(expression).nextRun(after);
}

/** Called when a schedule falls due, with the slot it fell due for. */
export type ScheduledCallback = (due: Date) => void | Promise<void>;

export interface ScheduleOptions {
  /**
   * The last slot already handled (e.g. stored by the caller). A slot between it and now that was
   * missed while nothing ran fires once at registration; absent, only future slots fire.
   */
  since?: Date;
}

interface Entry {
  cron: Cron;
  callback: ScheduledCallback;
  last: Date;
  cancelTimer: () => void;
  busy: boolean;
}

/** setTimeout cannot wait longer than about 24.8 days; longer waits are taken in steps. */
const MAX_WAIT_MS = 6 * 60 * 60 * 1000;

/**
 * Runs callbacks on cron schedules (UTC). Generic: model retraining, re-scoring and quality checks
 * all register here. A callback still running when its next slot comes skips that slot. Time comes
 * from the injected clock, so tests fire schedules by advancing a ManualClock.
 */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: { clock?: Clock; logger?: Logger } = {}) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  /** Runs `callback` each time `cron` falls due, under `id` (replacing an earlier one); returns a remover. */
  add(id: string, cron: string, callback: ScheduledCallback, options: ScheduleOptions = {}): () => void {
    this.remove(id);
    const now = new Date(this.clock.now());
    const entry: Entry = {
      cron: parseCron(cron),
      callback,
      last: options.since && options.since < now ? options.since : now,
      cancelTimer: () => undefined,
      busy: false,
    };
    this.entries.set(id, entry);
    this.arm(id, entry);
    return () => {
      if (this.entries.get(id) === entry) this.remove(id);
    };
  }

  remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.cancelTimer();
    this.entries.delete(id);
  }

  /** The ids registered and when each next falls due. */
  list(): { id: string; next: string | null }[] {
    return [...this.entries].map(([id, entry]) => ({
      id,
      next: entry.cron.nextRun(entry.last)?.toISOString() ?? null,
    }));
  }

  /** Removes every schedule and waits for callbacks already running. */
  async close(): Promise<void> {
    for (const id of [...this.entries.keys()]) this.remove(id);
    await Promise.allSettled([...this.inFlight]);
  }

  /** Resolves once the callbacks running now have finished (tests use it after advancing the clock). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private arm(id: string, entry: Entry): void {
    const due = entry.cron.nextRun(entry.last);
    if (!due) return;
    const wait = due.getTime() - this.clock.now();
    if (wait > MAX_WAIT_MS) {
      entry.cancelTimer = this.clock.setTimer(() => this.arm(id, entry), MAX_WAIT_MS);
      return;
    }
    entry.cancelTimer = this.clock.setTimer(() => this.fire(id, entry, due), wait);
  }

  private fire(id: string, entry: Entry, due: Date): void {
    if (this.entries.get(id) !== entry) return;
    // Every slot up to now counts as handled, so a long pause fires once, not once per missed slot.
    entry.last = new Date(Math.max(due.getTime(), this.clock.now()));
    if (entry.busy) {
      this.logger.warn({ schedule: id, due }, 'schedule skipped: its previous run is still going');
    } else {
      this.call(id, entry, due);
    }
    this.arm(id, entry);
  }

  /** A synchronous callback is done when it returns; an async one keeps its schedule busy until it settles. */
  private call(id: string, entry: Entry, due: Date): void {
    const failed = (error: unknown) =>
      this.logger.error({ err: error, schedule: id }, 'scheduled callback failed');
    let result: void | Promise<void>;
    try {
      result = entry.callback(due);
    } catch (error) {
      failed(error);
      return;
    }
    if (!(result instanceof Promise)) return;
    entry.busy = true;
    const run = result.catch(failed).finally(() => {
      entry.busy = false;
      this.inFlight.delete(run);
    });
    this.inFlight.add(run);
  }
}
