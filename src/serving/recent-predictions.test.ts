import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TargetInfo } from '../models/target.js';
import { RecentPredictions } from './recent-predictions.js';

const binary: TargetInfo = { column: 'churn', task: 'binary', classes: ['No', 'Yes'] };
const multiclass: TargetInfo = { column: 'kind', task: 'multiclass', classes: ['a', 'b', 'c'] };
const regression: TargetInfo = { column: 'price', task: 'regression' };

describe('RecentPredictions', () => {
  test('keeps what each task is labelled against, for the variant and its shadow', () => {
    const recent = new RecentPredictions(8);
    const id = recent.add('churn', 'churn@2', binary, [
      { prediction: 'Yes', probability: 0.75 },
      { prediction: 'No', probability: 0.25 },
    ]);
    recent.addShadow(id, 'churn@1:shadow', multiclass, [{ prediction: 'c' }, { prediction: 'a' }]);
    const entry = recent.get(id)!;
    assert.equal(entry.model, 'churn');
    assert.deepEqual(
      entry.rows.map((r) => [r.key, r.target.task, [...r.scores]]),
      [
        ['churn@2', 'binary', [0.75, 0.25]],
        ['churn@1:shadow', 'multiclass', [2, 0]],
      ],
    );
    const other = recent.add('price', 'price@1', regression, [{ prediction: 12.5 }]);
    assert.deepEqual([...recent.get(other)!.rows[0].scores], [12.5]);
    assert.equal(recent.targetOf('price'), regression);
    assert.equal(recent.targetOf('nothing'), undefined);
  });

  test('forgets the oldest requests and any whose scores were overwritten; rejects foreign ids', () => {
    const recent = new RecentPredictions(4, 6);
    const ids = Array.from({ length: 6 }, (_, i) => recent.add('m', 'm@1', regression, [{ prediction: i }]));
    assert.equal(recent.get(ids[0]), null);
    assert.equal(recent.get(ids[1]), null);
    assert.deepEqual([...recent.get(ids[5])!.rows[0].scores], [5]);
    // Five scores in a ring of six: the two oldest remembered requests lose theirs.
    const big = recent.add(
      'm',
      'm@1',
      regression,
      Array.from({ length: 5 }, (_, i) => ({ prediction: 10 + i })),
    );
    assert.deepEqual([...recent.get(big)!.rows[0].scores], [10, 11, 12, 13, 14]);
    assert.equal(recent.get(ids[3]), null);
    assert.equal(recent.get(ids[4]), null);
    assert.deepEqual([...recent.get(ids[5])!.rows[0].scores], [5]);
    for (const foreign of ['nope', `${ids[5].split('-')[0]}-x`, `00000000-5`, `${ids[5]}0`, ''])
      assert.equal(recent.get(foreign), null, foreign);
  });
});
