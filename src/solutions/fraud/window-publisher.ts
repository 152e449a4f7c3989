import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../../core/logger.js';
import type { FeatureRecord, OnlineStore } from '../../features/online/online-store.js';
import type { UserWindows } from './user-windows.js';

/** The online feature view holding each user's fraud windows (`GET /v1/features/fraud_user_windows/:user`). */
export const USER_WINDOWS_VIEW = 'fraud_user_windows';

/**
 * Users copied per turn of the event loop. Reading a user's windows takes a few microseconds, so a
 * slice holds requests for a fraction of a millisecond where all users of an interval (hundreds at
 * a few thousand transactions/s) would hold them for milliseconds.
 */
const USERS_PER_SLICE = 64;

/**
 * Copies the windows of users who transacted into the online store, every `intervalMs` and off the
 * scoring path and in slices, so other services and the dashboard read a user's counts, sums and
 * last-event values.
 */
export class WindowPublisher {
  private touched = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private publishing: Promise<void> = Promise.resolve();

  constructor(
    private readonly online: OnlineStore,
    private readonly windows: UserWindows,
    private readonly logger: Logger,
    intervalMs = 250,
  ) {
    this.timer = setInterval(() => void this.publish(), intervalMs);
    this.timer.unref();
  }

  touch(userId: string): void {
    this.touched.add(userId);
  }

  /** Every user with windows (after a restart rebuilt them). */
  touchAll(): void {
    for (const user of this.windows.users()) this.touched.add(user);
  }

  /** Writes the windows of the users touched since the last call. */
  publish(): Promise<void> {
    this.publishing = this.publishing.then(async () => {
      const users = [...this.touched];
      this.touched = new Set();
      for (let start = 0; start < users.length; start += USERS_PER_SLICE) {
        if (start > 0) await nextTurn();
        const records = new Map<string, FeatureRecord>();
        for (const user of users.slice(start, start + USERS_PER_SLICE)) {
          const record = this.windows.record(user);
          if (record !== null) records.set(user, record);
        }
        try {
          await this.online.write(USER_WINDOWS_VIEW, records);
        } catch (error) {
          for (const user of users.slice(start)) this.touched.add(user);
          this.logger.error(
            { err: error },
            'fraud: user windows not written to the online store; will retry',
          );
          return;
        }
      }
    });
    return this.publishing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.publish();
  }
}
