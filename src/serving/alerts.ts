import type { JobQueue } from '../jobs/job.js';

/** Job kind under which serving records problems a person must see (`cairn jobs`, GET /v1/jobs). */
export const ALERT_JOB = 'serving_alert';

const raisers = new WeakMap<JobQueue, (message: string) => void>();

/**
 * Registers the alert kind once per queue (its job logs the message at level `alert` and ends
 * failed) and returns the function that raises one.
 */
export function registerAlerts(queue: JobQueue): (message: string) => void {
  const known = raisers.get(queue);
  if (known !== undefined) return known;
  queue.register<{ message: string }, never>(ALERT_JOB, {
    parse: (payload) => {
      const message = (payload as { message?: unknown }).message;
      return { message: typeof message === 'string' ? message : JSON.stringify(message) };
    },
    run: ({ payload, log }) => {
      log('alert', payload.message);
      return Promise.reject(new Error(payload.message));
    },
  });
  const raise = (message: string) => {
    void queue.enqueue(ALERT_JOB, { message });
  };
  raisers.set(queue, raise);
  return raise;
}
