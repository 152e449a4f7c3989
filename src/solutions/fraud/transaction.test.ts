import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { simulateTransactions } from './simulator.js';
import { parseTransactionBody, transactionSchema, withoutLabel } from './transaction.js';

const good = withoutLabel(simulateTransactions({ users: 3, days: 1, seed: 1 })[0]);

/** Bodies near the edge of what the schema accepts. */
const variants: unknown[] = [
  good,
  { ...good, extra: 1, location: { ...good.location, alt: 3 } },
  { ...good, amount: 0 },
  { ...good, amount: -0.01 },
  { ...good, amount: '10' },
  { ...good, currency: 'EU' },
  { ...good, currency: 'EURO' },
  { ...good, transaction_id: '' },
  { ...good, user_id: 'u'.repeat(200) },
  { ...good, user_id: 'u'.repeat(201) },
  { ...good, merchant_category: 'c'.repeat(101) },
  { ...good, timestamp: '2026-11-02T14:03:00+01:00' },
  { ...good, timestamp: '2026-11-02T14:03:00.123456Z' },
  { ...good, timestamp: '2026-11-02T14:03Z' },
  { ...good, timestamp: '2026-02-30T14:03:00Z' },
  { ...good, timestamp: '2026-11-02 14:03:00Z' },
  { ...good, location: { lat: 90, lon: -180 } },
  { ...good, location: { lat: 90.5, lon: 0 } },
  { ...good, location: { lat: 1 } },
  { ...good, location: null },
  { ...good, device_id: undefined },
  [good],
  null,
  'text',
];

describe('transaction bodies', () => {
  test('accepted and rejected exactly as the schema does, with the same object or the field at fault', () => {
    for (const body of variants) {
      const parsed = parseTransactionBody(body);
      const expected = transactionSchema.safeParse(body);
      if (expected.success) assert.deepEqual(parsed, expected.data, JSON.stringify(body));
      else assert.equal(typeof parsed, 'string', JSON.stringify(body));
    }
    assert.match(parseTransactionBody({ ...good, amount: '10' }) as string, /^amount: /);
    assert.equal(JSON.stringify(parseTransactionBody({ ...good, extra: 1 })), JSON.stringify(good));
  });
});
