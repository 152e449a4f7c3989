import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CairnError } from '../core/errors.js';
import { ManualClock } from './clock.js';
import { Scheduler } from './scheduler.js';

const at = (iso: string) => new Date(iso);

test('a cron schedule fires at each slot of the injected clock, not before', async () => {
  const clock = new ManualClock(at('2026-03-01T00:00:00Z'));
  const scheduler = new Scheduler({ clock });
  const fired: string[] = [];
  scheduler.add('nightly', '0 2 * * *', (due) => {
    fired.push(due.toISOString());
  });
  assert.deepEqual(scheduler.list(), [{ id: 'nightly', next: '2026-03-01T02:00:00.000Z' }]);
  clock.advanceTo(at('2026-03-01T01:59:59Z'));
  assert.deepEqual(fired, []);
  clock.advanceTo(at('2026-03-01T02:00:00Z'));
  assert.deepEqual(fired, ['2026-03-01T02:00:00.000Z']);
  clock.advanceTo(at('2026-03-03T12:00:00Z'));
  assert.deepEqual(fired, [
    '2026-03-01T02:00:00.000Z',
    '2026-03-02T02:00:00.000Z',
    '2026-03-03T02:00:00.000Z',
  ]);
  await scheduler.close();
  clock.advance(7 * 86_400_000);
  assert.equal(fired.length, 3);
});

test('slots weeks away are reached in steps; a slot missed while down fires once', async () => {
  const clock = new ManualClock(at('2026-03-01T00:00:00Z'));
  const scheduler = new Scheduler({ clock });
  const fired: string[] = [];
  scheduler.add('monthly', '0 0 1 * *', (due) => void fired.push(due.toISOString()));
  clock.advanceTo(at('2026-05-15T00:00:00Z'));
  assert.deepEqual(fired, ['2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z']);
  // Last handled on Feb 1st: March's slot (and any later ones) were missed; fire one catch-up run.
  scheduler.add('catch-up', '0 0 1 * *', (due) => void fired.push(`catch-up ${due.toISOString()}`), {
    since: at('2026-02-01T00:00:00Z'),
  });
  clock.advance(0);
  assert.deepEqual(fired.slice(2), ['catch-up 2026-03-01T00:00:00.000Z']);
  clock.advanceTo(at('2026-05-31T00:00:00Z'));
  assert.equal(fired.length, 3);
  await scheduler.close();
});

test('a callback still running skips the next slot; failures do not stop the schedule', async () => {
  const clock = new ManualClock(at('2026-03-01T00:00:00Z'));
  const scheduler = new Scheduler({ clock });
  let release: () => void = () => undefined;
  let calls = 0;
  scheduler.add('slow', '* * * * *', async () => {
    calls++;
    if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
    if (calls === 2) throw new Error('boom');
  });
  clock.advance(60_000);
  clock.advance(60_000);
  assert.equal(calls, 1);
  release();
  await scheduler.settled();
  clock.advance(60_000);
  await scheduler.settled();
  clock.advance(60_000);
  await scheduler.settled();
  assert.equal(calls, 3);
  await scheduler.close();
});

test('a bad cron expression is refused with an example', () => {
  const scheduler = new Scheduler({ clock: new ManualClock() });
  assert.throws(
    () => scheduler.add('x', 'every day', () => undefined),
    (e: CairnError) =>
      e.code === 'INVALID_ARGUMENT' && /'every day' is not a cron expression/.test(e.message),
  );
});
