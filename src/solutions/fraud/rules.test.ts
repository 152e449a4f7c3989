import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { RULE_FIELDS } from './fields.js';
import { DEFAULT_RULES_FILE } from './rule-store.js';
import { compileRules, parseRuleSet } from './rules.js';

describe('fraud rule engine', () => {
  test('the shipped rules parse and compile against the fraud features', () => {
    const set = parseRuleSet(readFileSync(DEFAULT_RULES_FILE, 'utf8'));
    const rules = compileRules(set, RULE_FIELDS);
    assert.ok(set.rules.some((r) => r.id === 'impossible_travel'));
    const fired = rules.evaluate({ speed_from_previous_kmh: 950, count_1h: 0, amount: 20, device_id: 'd1' });
    assert.deepEqual(
      fired.map((f) => [f.id, f.action]),
      [['impossible_travel', 'review']],
    );
  });

  test('block lists, all/any and missing values', () => {
    const rules = compileRules(
      parseRuleSet(`
lists: { bad: [d9] }
rules:
  - { id: listed, reason: listed device, confidence: 0.99, action: block, when: { feature: device_id, op: in, list: bad } }
  - id: combo
    reason: many and small
    confidence: 0.5
    when: { all: [ { feature: count_1h, op: '>=', value: 3 }, { any: [ { feature: amount, op: '<', value: 5 }, { feature: amount, op: '>', value: 5000 } ] } ] }
  - { id: off, reason: disabled, confidence: 0.1, enabled: false, when: { feature: amount, op: '>=', value: 0 } }
`),
      ['device_id', 'count_1h', 'amount'],
    );
    assert.deepEqual(
      rules.evaluate({ device_id: 'd9', count_1h: 4, amount: 2 }).map((f) => f.id),
      ['listed', 'combo'],
    );
    assert.deepEqual(rules.evaluate({ device_id: 'd1', count_1h: 4, amount: 50 }), []);
    assert.deepEqual(rules.evaluate({ device_id: 'd1', count_1h: NaN, amount: 1 }), []);
  });

  test('bad rules are refused with the rule and the field named', () => {
    assert.throws(
      () =>
        compileRules(
          parseRuleSet(
            'rules: [{ id: r1, reason: x, confidence: 0.5, when: { feature: nope, op: ">", value: 1 } }]',
          ),
          RULE_FIELDS,
        ),
      /rule 'r1' names feature 'nope'/,
    );
    assert.throws(
      () =>
        parseRuleSet(
          'rules: [{ id: r1, reason: x, confidence: 2, when: { feature: amount, op: ">", value: 1 } }]',
        ),
      /rules\.0\.confidence/,
    );
    assert.throws(
      () =>
        compileRules(
          parseRuleSet(
            'rules: [{ id: r1, reason: x, confidence: 0.5, when: { feature: device_id, op: in, list: missing } }]',
          ),
          RULE_FIELDS,
        ),
      /refers to list 'missing'/,
    );
    assert.throws(() => parseRuleSet('rules: [ {'), /not valid JSON or YAML/);
  });
});
