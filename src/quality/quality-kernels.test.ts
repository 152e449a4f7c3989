import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectSemantic, passesLuhn } from './profile/semantic.js';
import { findAnomalies, robustZ } from './rules/anomalies.js';
import { ksFromCounts, psi } from './rules/drift.js';
import { parseRuleSet } from './rules/spec.js';

describe('semantic types', () => {
  const text = (sample: string[], allDistinct = false) =>
    detectSemantic({ kind: 'text', type: 'VARCHAR', sample, allDistinct, nonNull: sample.length }).semantic;

  test('Luhn accepts real test card numbers and rejects a changed digit', () => {
    assert.ok(passesLuhn('4111111111111111'));
    assert.ok(passesLuhn('5500005555555559'));
    assert.ok(!passesLuhn('4111111111111112'));
  });

  test('recognises emails, URLs, phones, dates, cards, identifiers and free text', () => {
    assert.equal(text(['a@b.com', 'x.y@example.org']), 'email');
    assert.equal(text(['https://cairn.dev/a', 'http://x.org']), 'url');
    assert.equal(text(['+44 20 7946 0958', '(555) 123-4567']), 'phone');
    assert.equal(text(['2024-01-31', '2023-12-01 10:00:00']), 'date');
    assert.equal(text(['4111 1111 1111 1111', '5500-0055-5555-5559']), 'card');
    assert.equal(
      text([
        'The parcel arrived late and the box was damaged on one side.',
        'I would happily buy this again from the same seller next year.',
      ]),
      'free_text',
    );
    const ids = Array.from({ length: 30 }, (_, i) => `C-${1000 + i}`);
    assert.equal(text(ids, true), 'identifier');
    assert.equal(text(['Yes', 'No', 'Yes']), null);
  });
});

describe('drift statistics', () => {
  test('PSI is 0 for equal shares and grows with the shift', () => {
    assert.equal(psi([0.5, 0.5], [0.5, 0.5]), 0);
    // (0.9−0.5)·ln(0.9/0.5) + (0.1−0.5)·ln(0.1/0.5) = 0.2351 + 0.6438
    assert.ok(Math.abs(psi([0.9, 0.1], [0.5, 0.5]) - 0.87889) < 1e-5);
  });

  test('KS from binned counts is the largest gap of the cumulative shares', () => {
    assert.equal(ksFromCounts([10, 0, 0], [0, 0, 10]), 1);
    assert.ok(Math.abs(ksFromCounts([5, 5], [2, 8]) - 0.3) < 1e-12);
  });
});

describe('volume and null-rate anomalies', () => {
  const history = [1000, 1010, 990, 1005, 995, 1002].map((rows) => ({ rows, nullCounts: { a: 10 } }));

  test('robust z uses the median and MAD', () => {
    const { z, median } = robustZ(10, [1, 2, 3, 4, 5], 1e-9);
    assert.equal(median, 3);
    assert.ok(Math.abs(z - 0.6745 * 7) < 1e-9);
  });

  test('flags a drop in rows and a jump in nulls, not ordinary wobble', () => {
    assert.deepEqual(findAnomalies({ rows: 1003, nullCounts: { a: 11 } }, history), []);
    const flagged = findAnomalies({ rows: 400, nullCounts: { a: 200 } }, history);
    assert.deepEqual(
      flagged.map((a) => [a.metric, a.column]),
      [
        ['rows', undefined],
        ['null_rate', 'a'],
      ],
    );
    assert.deepEqual(findAnomalies({ rows: 10, nullCounts: {} }, history.slice(0, 3)), []);
  });
});

describe('rules files', () => {
  test('the contract example parses, with error as the default severity', () => {
    const set = parseRuleSet({
      table: 'customers',
      rules: [
        { check: 'not_null', column: 'age', severity: 'error' },
        { check: 'range', column: 'age', min: 0, max: 120 },
        { check: 'unique', columns: ['customer_id'] },
        { check: 'in_set', column: 'plan', values: ['basic', 'pro'] },
        { check: 'regex', column: 'email', pattern: '^[^@]+@[^@]+$' },
        { check: 'sql', name: 'paid_after_signup', predicate: 'paid_at >= signup_at' },
      ],
    });
    assert.equal(set.rules.length, 6);
    assert.ok(set.rules.every((r) => r.severity === 'error'));
  });

  test('a bad rule is reported by its position', () => {
    assert.throws(
      () =>
        parseRuleSet({
          rules: [
            { check: 'not_null', column: 'a' },
            { check: 'range', column: 'b' },
          ],
        }),
      /rules\[1\].*range needs min, max or both/,
    );
    assert.throws(() => parseRuleSet({ rules: [{ check: 'nope' }] }), /rules\[0\]/);
  });
});
