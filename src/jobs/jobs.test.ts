import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CHURN_CSV, tempWorkspace } from '../../test/support.js';
import type { CairnError } from '../core/errors.js';
import { ensureRegistry, listVersions } from '../models/registry.js';
import { ingest } from '../warehouse/ingest/ingest.js';
import { ManualClock } from './clock.js';
import { openJobs, type Jobs } from './jobs.js';

type Ws = Awaited<ReturnType<typeof tempWorkspace>>;
let ws: Ws;
let jobs: Jobs;
const clock = new ManualClock(new Date('2026-03-01T00:00:00Z'));

before(async () => {
  ws = await tempWorkspace();
  await ensureRegistry(ws.db);
  await ingest(ws.db, { source: CHURN_CSV, table: 'churn' });
  jobs = await openJobs({ db: ws.db, artifactsDir: ws.artifacts, clock });
});
after(async () => {
  await jobs.stop();
  ws.dispose();
});

const spec = {
  name: 'churn',
  algorithm: 'gbdt',
  data: { table: 'churn' },
  target: 'Churn',
  params: { n_estimators: 20 },
  schedule: '0 2 * * *',
};

/** Advances the clock to `iso`, then waits for the jobs the schedules queued to end. */
async function runUntil(iso: string): Promise<void> {
  clock.advanceTo(new Date(iso));
  await jobs.scheduler.settled();
  for (const job of await jobs.queue.list()) await jobs.queue.wait(job.id);
}

test("a spec's schedule retrains on time and a score schedule re-scores, from stored schedules", async () => {
  const training = await jobs.scheduleTraining(spec);
  assert.equal(training.id, 'train:churn');
  assert.equal(training.next, '2026-03-01T02:00:00.000Z');
  const scoring = await jobs.scheduleScoring(
    { model: 'churn', table: 'churn', into: 'churn_scores', chunk_rows: 2000 },
    '30 2 * * *',
  );
  assert.equal(scoring.id, 'score:churn_scores');
  await jobs.start();

  await runUntil('2026-03-01T01:59:00Z');
  assert.deepEqual(await jobs.queue.list(), []);
  await runUntil('2026-03-01T02:00:00Z');
  let listed = await jobs.queue.list();
  assert.deepEqual(
    listed.map((j) => [j.kind, j.status, j.scheduleId]),
    [['train', 'succeeded', 'train:churn']],
  );
  assert.equal((await listVersions(ws.db, 'churn')).length, 1);

  await runUntil('2026-03-01T02:30:00Z');
  listed = await jobs.queue.list();
  assert.deepEqual(
    listed.map((j) => [j.kind, j.status]),
    [
      ['score', 'succeeded'],
      ['train', 'succeeded'],
    ],
  );
  const [counts] = await ws.db.rows('SELECT count(*) AS n FROM churn_scores');
  assert.equal(counts.n, 7043);
  const scoreJob = await jobs.queue.get(listed[0].id);
  assert.ok(
    scoreJob.log.some((e) => /7,043 rows in churn_scores/.test(e.message)),
    JSON.stringify(scoreJob.log),
  );

  await runUntil('2026-03-02T03:00:00Z');
  assert.equal((await listVersions(ws.db, 'churn')).length, 2);
  assert.equal((await jobs.queue.list()).length, 4);
  const [stored] = await jobs.schedules.list();
  assert.equal(stored.lastFiredAt, '2026-03-02T02:30:00.000Z');
  assert.equal(stored.next, '2026-03-03T02:30:00.000Z');

  await jobs.schedules.remove('train:churn');
  await runUntil('2026-03-03T03:00:00Z');
  assert.equal((await listVersions(ws.db, 'churn')).length, 2);
});

test('a spec without a schedule and bad score payloads are refused', async () => {
  const unscheduled: Record<string, unknown> = { ...spec };
  delete unscheduled.schedule;
  await assert.rejects(
    jobs.scheduleTraining(unscheduled),
    (e: CairnError) => e.code === 'INVALID_ARGUMENT' && /has no schedule/.test(e.message),
  );
  await assert.rejects(
    jobs.scheduleScoring({ model: 'churn', table: 'churn', into: 'bad name' }, '0 * * * *'),
    (e: CairnError) => e.code === 'INVALID_NAME',
  );
  await assert.rejects(
    jobs.scheduleTraining(spec, 'now'),
    (e: CairnError) => e.code === 'INVALID_ARGUMENT' && /not a cron expression/.test(e.message),
  );
});
