import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CairnError } from '../core/errors.js';
import type { JobHandler, JobQueue } from './job.js';

/** A queue under test with the kinds `echo`, `fail`, `gate` and `wait` registered (see contractHandlers). */
export interface QueueFixture {
  queue: JobQueue;
  /** Opens the gate the `gate` job waits at. */
  release: () => void;
  dispose: () => Promise<void>;
}

/** Handlers every implementation's suite registers. */
export function contractHandlers(): { handlers: Record<string, JobHandler>; release: () => void } {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const object = (payload: unknown) => {
    if (typeof payload !== 'object' || payload === null) {
      throw new CairnError('INVALID_ARGUMENT', 'payload must be an object');
    }
    return payload as Record<string, unknown>;
  };
  return {
    release: () => open(),
    handlers: {
      echo: {
        parse: object,
        run: ({ payload, progress, log }) => {
          progress(0.5, 'half way');
          log('info', 'echoing');
          return Promise.resolve(payload);
        },
      },
      fail: {
        parse: object,
        run: ({ log }) => {
          log('alert', 'about to fail');
          return Promise.reject(new CairnError('INVALID_ARGUMENT', 'column x of table t holds text'));
        },
      },
      gate: {
        parse: object,
        async run({ progress }) {
          progress(0.25, 'waiting at the gate');
          await gate;
          return 'through';
        },
      },
      wait: {
        parse: object,
        run: ({ signal }) =>
          new Promise((_, reject) => {
            signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true });
          }),
      },
    },
  };
}

/** The behaviour every JobQueue implementation shares: run `jobQueueContract(open)` in its test file. */
export function jobQueueContract(name: string, open: () => Promise<QueueFixture>): void {
  const withQueue = (title: string, body: (fixture: QueueFixture) => Promise<void>): void =>
    void test(`${name}: ${title}`, async () => {
      const fixture = await open();
      try {
        await body(fixture);
      } finally {
        fixture.release();
        await fixture.dispose();
      }
    });

  withQueue('a job runs to success with its result, progress and log', async ({ queue }) => {
    const id = await queue.enqueue('echo', { n: 1 });
    const job = await queue.wait(id);
    assert.equal(job.status, 'succeeded');
    assert.deepEqual(job.result, { n: 1 });
    assert.equal(job.progress, 1);
    assert.equal(job.attempts, 1);
    const detail = await queue.get(id);
    assert.deepEqual(
      detail.log.map((e) => [e.level, e.message]),
      [
        ['info', 'started'],
        ['info', 'echoing'],
        ['info', 'succeeded'],
      ],
    );
  });

  withQueue('a failing job keeps its error in its status and log', async ({ queue }) => {
    const job = await queue.wait(await queue.enqueue('fail', {}));
    assert.equal(job.status, 'failed');
    assert.equal(job.error, 'column x of table t holds text');
    const { log } = await queue.get(job.id);
    assert.ok(log.some((e) => e.level === 'alert' && e.message === 'about to fail'));
    assert.ok(log.some((e) => e.level === 'error' && e.message === 'column x of table t holds text'));
  });

  withQueue('progress of a running job is visible; jobs run one at a time', async ({ queue, release }) => {
    const first = await queue.enqueue('gate', {});
    const second = await queue.enqueue('echo', {});
    for (let i = 0; i < 100 && (await queue.get(first)).status !== 'running'; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const running = await queue.get(first);
    assert.equal(running.status, 'running');
    assert.equal(running.progress, 0.25);
    assert.equal(running.message, 'waiting at the gate');
    assert.equal((await queue.get(second)).status, 'queued');
    const listed = await queue.list({ status: 'queued' });
    assert.deepEqual(
      listed.map((j) => j.id),
      [second],
    );
    release();
    assert.equal((await queue.wait(first)).status, 'succeeded');
    assert.equal((await queue.wait(second)).status, 'succeeded');
    assert.deepEqual(
      (await queue.list()).map((j) => j.id),
      [second, first],
    );
  });

  withQueue('cancelling: running jobs stop, finished ones cannot be', async ({ queue }) => {
    const id = await queue.enqueue('wait', {});
    for (let i = 0; i < 100 && (await queue.get(id)).status !== 'running'; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await queue.cancel(id);
    const job = await queue.wait(id);
    assert.equal(job.status, 'cancelled');
    await assert.rejects(queue.cancel(id), (e: CairnError) => e.code === 'CONFLICT');
  });

  withQueue('bad kinds and payloads are refused before anything is queued', async ({ queue }) => {
    await assert.rejects(
      queue.enqueue('nope', {}),
      (e: CairnError) => e.code === 'INVALID_ARGUMENT' && /job kind 'nope' is not known/.test(e.message),
    );
    await assert.rejects(queue.enqueue('echo', 3), (e: CairnError) => e.code === 'INVALID_ARGUMENT');
    await assert.rejects(queue.get('missing'), (e: CairnError) => e.code === 'NOT_FOUND');
    assert.deepEqual(await queue.list(), []);
  });
}
