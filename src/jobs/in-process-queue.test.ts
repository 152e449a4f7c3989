import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support.js';
import { openWorkspace } from '../warehouse/workspace.js';
import { InProcessJobQueue } from './in-process-queue.js';
import type { JobHandler } from './job.js';
import { contractHandlers, jobQueueContract } from './job-queue-contract.js';

jobQueueContract('in-process queue', async () => {
  const tmp = tempDir();
  const workspace = await openWorkspace(path.join(tmp.dir, 'ws'));
  const queue = await InProcessJobQueue.open(workspace.db, { progressIntervalMs: 0 });
  const { handlers, release } = contractHandlers();
  for (const [kind, handler] of Object.entries(handlers)) queue.register(kind, handler);
  queue.start();
  return {
    queue,
    release,
    dispose: async () => {
      await queue.stop();
      workspace.close();
      tmp.remove();
    },
  };
});

const object = (payload: unknown) => payload as Record<string, unknown>;

test('jobs, progress and logs outlast the process; jobs a crash left running resume or fail', async () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'ws');
  try {
    let workspace = await openWorkspace(home);
    let queue = await InProcessJobQueue.open(workspace.db, { progressIntervalMs: 0 });
    let reached: () => void = () => undefined;
    const atCheckpoint = new Promise<void>((resolve) => (reached = resolve));
    const hang: JobHandler = {
      parse: object,
      run: ({ progress, log }) => {
        progress(0.4, 'chunk 2 of 5');
        log('info', 'checkpoint 2');
        reached();
        return new Promise(() => undefined); // the "crash" comes while it runs
      },
    };
    queue.register('score', { ...hang, resumable: true });
    queue.register('train', hang);
    queue.register('echo', { parse: object, run: ({ payload }) => Promise.resolve(payload) });
    queue.start();
    const done = await queue.wait(await queue.enqueue('echo', { ok: true }));
    const score = await queue.enqueue('score', { table: 't' });
    await atCheckpoint;
    // Let the checkpoint's writes land, then drop the process's state without stopping the queue.
    await queue.get(score);
    workspace.close();

    workspace = await openWorkspace(home);
    queue = await InProcessJobQueue.open(workspace.db);
    let resumedWith: boolean | undefined;
    queue.register('score', {
      parse: object,
      resumable: true,
      run: ({ resumed }) => {
        resumedWith = resumed;
        return Promise.resolve('finished');
      },
    });
    queue.register('train', hang);
    queue.register('echo', { parse: object, run: ({ payload }) => Promise.resolve(payload) });
    const before = await queue.get(done.id);
    assert.equal(before.status, 'succeeded');
    assert.deepEqual(before.result, { ok: true });
    const interrupted = await queue.get(score);
    assert.equal(interrupted.status, 'running');
    assert.equal(interrupted.progress, 0.4);
    assert.equal(interrupted.message, 'chunk 2 of 5');
    assert.ok(interrupted.log.some((e) => e.message === 'checkpoint 2'));

    await queue.recover();
    assert.equal((await queue.get(score)).status, 'queued');
    queue.start();
    const resumed = await queue.wait(score);
    assert.equal(resumed.status, 'succeeded');
    assert.equal(resumed.attempts, 2);
    assert.equal(resumedWith, true);
    await queue.stop();
    workspace.close();

    // A job that cannot resume fails with an alert in its log.
    workspace = await openWorkspace(home);
    queue = await InProcessJobQueue.open(workspace.db, { progressIntervalMs: 0 });
    queue.register('train', hang);
    queue.start();
    const train = await queue.enqueue('train', {});
    while ((await queue.get(train)).status !== 'running') await new Promise((r) => setTimeout(r, 10));
    // get() waits for the queue's pending writes: nothing is in flight when the database closes.
    await queue.get(train);
    workspace.close();
    workspace = await openWorkspace(home);
    queue = await InProcessJobQueue.open(workspace.db);
    queue.register('train', hang);
    await queue.recover();
    const failed = await queue.get(train);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /stopped before it finished/);
    assert.equal(failed.log.at(-1)?.level, 'alert');
    workspace.close();
  } finally {
    tmp.remove();
  }
});
