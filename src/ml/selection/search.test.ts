import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../core/random.js';
import { randomSearch, sampleParams, successiveHalving, type Params, type SearchSpace } from './index.js';

const space: SearchSpace = {
  x: { kind: 'float', min: 0, max: 1 },
  depth: { kind: 'int', min: 2, max: 8 },
  rate: { kind: 'logfloat', min: 1e-4, max: 1 },
  loss: { kind: 'choice', values: ['l2', 'huber'] },
};

/** A clock the evaluations move forward, so budgets are tested without wall time. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** Known optimum x = 0.3; lower resources see the same ranking, scaled. */
function quadratic(params: Params, resource: number): number {
  return -(((params.x as number) - 0.3) ** 2) * (1 + 1 / resource);
}

test('sampled parameters respect their specs; bad specs are named', async () => {
  const random = new Random(5);
  const rates: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const p = sampleParams(space, random);
    assert.ok((p.x as number) >= 0 && (p.x as number) < 1);
    assert.ok(Number.isInteger(p.depth) && (p.depth as number) >= 2 && (p.depth as number) <= 8);
    assert.ok((p.rate as number) >= 1e-4 && (p.rate as number) <= 1);
    assert.ok(p.loss === 'l2' || p.loss === 'huber');
    rates.push(p.rate as number);
  }
  // Log-uniform: about half the draws fall below the geometric midpoint 1e-2.
  const below = rates.filter((r) => r < 1e-2).length / rates.length;
  assert.ok(Math.abs(below - 0.5) < 0.05, `share below 1e-2: ${below}`);
  const search = (bad: SearchSpace, budget = { trials: 1 }) =>
    randomSearch({ space: bad, budget, evaluate: () => 0 });
  await assert.rejects(search({}), /search space: no parameters/);
  await assert.rejects(search({ lr: { kind: 'logfloat', min: 0, max: 1 } }), /'lr' is a logfloat with min 0/);
  await assert.rejects(search({ n: { kind: 'int', min: 5, max: 2 } }), /'n' has bounds \[5, 2\]/);
  await assert.rejects(search({ c: { kind: 'choice', values: [] } }), /'c' is a choice with no values/);
  await assert.rejects(search(space, {} as { trials: number }), /budget needs trials or seconds/);
});

test('random search stops at its trial budget and is deterministic by seed', async () => {
  const a = await randomSearch({ space, budget: { trials: 7 }, seed: 9, evaluate: quadratic });
  assert.equal(a.trials.length, 7);
  assert.equal(a.stoppedBy, 'trials');
  const best = a.trials.reduce((m, t) => (t.score > m.score ? t : m));
  assert.equal(a.best, best);
  const b = await randomSearch({
    space,
    budget: { trials: 7 },
    seed: 9,
    evaluate: (p, r) => Promise.resolve(quadratic(p, r)),
  });
  assert.deepEqual(
    b.trials.map((t) => t.params),
    a.trials.map((t) => t.params),
  );
  const c = await randomSearch({ space, budget: { trials: 7 }, seed: 10, evaluate: quadratic });
  assert.notDeepEqual(c.trials[0].params, a.trials[0].params);
});

test('random search stops when the clock budget has passed, not mid-trial', async () => {
  const clock = fakeClock();
  const result = await randomSearch({
    space,
    budget: { seconds: 5.5, trials: 100 },
    seed: 9,
    now: clock.now,
    evaluate: (p, r) => {
      clock.advance(1000);
      return quadratic(p, r);
    },
  });
  // Trials start at 0, 1, …, 5 s; at 6 s the 5.5 s budget has passed.
  assert.equal(result.trials.length, 6);
  assert.equal(result.stoppedBy, 'seconds');
  assert.ok(result.trials.every((t) => t.seconds === 1));
  // A time budget changes how many configurations run, never which.
  const byTrials = await randomSearch({ space, budget: { trials: 6 }, seed: 9, evaluate: quadratic });
  assert.deepEqual(
    result.trials.map((t) => t.params),
    byTrials.trials.map((t) => t.params),
  );
});

test('successive halving promotes the top 1/eta at each rung and finds the known optimum', async () => {
  const noise = new Random(1);
  const seen: [number, number][] = [];
  const result = await successiveHalving({
    space,
    eta: 3,
    minResource: 1,
    maxResource: 27,
    seed: 4,
    evaluate: (p, r) => {
      seen.push([p.x as number, r]);
      // Noise shrinking with the resource: early rungs may rank differently from late ones.
      return quadratic(p, r) + (0.02 * noise.normal()) / r;
    },
  });
  assert.deepEqual(
    result.rungs.map((r) => [r.resource, r.candidates.length]),
    [
      [1, 27],
      [3, 9],
      [9, 3],
      [27, 1],
    ],
  );
  assert.equal(result.trials.length, 27 + 9 + 3 + 1);
  assert.equal(result.stoppedBy, 'complete');
  for (let rung = 1; rung < result.rungs.length; rung++) {
    const previous = result.trials.filter((t) => t.rung === rung - 1).sort((a, b) => b.score - a.score);
    const top = previous.slice(0, Math.floor(previous.length / 3)).map((t) => t.id);
    assert.deepEqual(
      [...result.rungs[rung].candidates].sort(),
      top.sort(),
      `rung ${rung} promotes the top third`,
    );
  }
  assert.equal(result.best.resource, 27);
  assert.equal(result.best.rung, 3);

  // Without noise the ranking is the same at every rung, so the winner is the sampled x nearest 0.3.
  const exact = await successiveHalving({
    space,
    minResource: 1,
    maxResource: 27,
    seed: 4,
    evaluate: quadratic,
  });
  const xs = exact.trials.filter((t) => t.rung === 0).map((t) => t.params.x as number);
  const nearest = xs.reduce((m, x) => (Math.abs(x - 0.3) < Math.abs(m - 0.3) ? x : m));
  assert.equal(exact.best.params.x, nearest);
  assert.ok(Math.abs(nearest - 0.3) < 0.05);
});

test('successive halving honours a time budget and reports the highest rung reached', async () => {
  const clock = fakeClock();
  const result = await successiveHalving({
    space,
    minResource: 1,
    maxResource: 27,
    budget: { trials: 9, seconds: 0.02 },
    seed: 2,
    now: clock.now,
    evaluate: (p, r) => {
      clock.advance(r);
      return quadratic(p, r);
    },
  });
  // Rung 0: 9 trials of 1 ms; rung 1: 3 of 3 ms (18 ms in all); the 20 ms budget stops rung 2 after one trial.
  assert.equal(result.stoppedBy, 'seconds');
  assert.deepEqual(
    result.rungs.map((r) => r.candidates.length),
    [9, 3, 1],
  );
  assert.equal(result.best.rung, 2);
});
