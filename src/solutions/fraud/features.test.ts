import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FEATURE_NAMES, transactionFeatures } from './features.js';
import { haversineKm } from './geo.js';
import { LabelRates } from './label-rates.js';
import { simulateTransactions } from './simulator.js';
import { transactionTime, type Transaction } from './transaction.js';
import { InMemoryUserHistory } from './user-history.js';

const at = (name: string, x: Float64Array) => x[FEATURE_NAMES.indexOf(name as never)];

function tx(
  id: string,
  timestamp: string,
  lat: number,
  lon: number,
  over: Partial<Transaction> = {},
): Transaction {
  return {
    transaction_id: id,
    user_id: 'u1',
    amount: 40,
    currency: 'EUR',
    merchant_id: 'm1',
    merchant_category: 'grocery',
    device_id: 'd1',
    payment_method: 'card',
    timestamp,
    location: { lat, lon },
    ...over,
  };
}

describe('fraud features', () => {
  test('haversine: Paris to New York is about 5,837 km', () => {
    assert.ok(Math.abs(haversineKm(48.8566, 2.3522, 40.7128, -74.006) - 5837) < 5);
  });

  test('windows, first-seen flags and impossible travel from one user history', () => {
    const history = new InMemoryUserHistory();
    const sources = { history, rates: new LabelRates() };
    const past = [
      tx('a', '2026-10-01T10:00:00Z', 48.85, 2.35),
      tx('b', '2026-10-05T10:00:00Z', 48.86, 2.35),
      tx('c', '2026-10-07T09:30:00Z', 48.85, 2.34),
    ];
    for (const t of past) history.record(t, transactionTime(t));
    const next = tx('d', '2026-10-07T10:00:00Z', 40.71, -74.0, { device_id: 'd2', amount: 900 });
    const x = transactionFeatures(next, transactionTime(next), sources);
    assert.equal(at('count_1h', x), 1);
    assert.equal(at('count_24h', x), 1);
    assert.equal(at('count_7d', x), 3);
    assert.equal(at('sum_7d', x), 120);
    assert.equal(at('seconds_since_previous', x), 1800);
    assert.ok(at('speed_from_previous_kmh', x) > 10_000, 'Paris → New York in 30 minutes');
    assert.ok(at('distance_from_usual_km', x) > 5000);
    assert.equal(at('new_device', x), 1);
    assert.equal(at('new_merchant', x), 0);
    assert.ok(at('amount_zscore_30d', x) > 4);
    const first = transactionFeatures(tx('e', '2026-10-07T10:00:00Z', 0, 0, { user_id: 'u2' }), 0, sources);
    assert.ok(Number.isNaN(at('speed_from_previous_kmh', first)));
  });

  test('label rates rise for a merchant with fraud labels', () => {
    const rates = new LabelRates();
    const t0 = Date.UTC(2026, 9, 1);
    for (let i = 0; i < 100; i++) rates.add([`m:ok`], false, t0);
    for (let i = 0; i < 10; i++) rates.add([`m:bad`], true, t0);
    assert.ok(rates.rate('m:bad', t0) > 0.5);
    assert.ok(rates.rate('m:ok', t0) < 0.05);
    assert.ok(rates.rate('m:bad', t0 + 40 * 86_400_000) < 0.2, 'labels older than 30 days fall out');
  });

  test('the simulator is seeded and time-ordered, with each fraud pattern', () => {
    const a = simulateTransactions({ users: 100, days: 10, seed: 3, episodeRate: 0.02 });
    const b = simulateTransactions({ users: 100, days: 10, seed: 3, episodeRate: 0.02 });
    assert.deepEqual(a, b);
    for (let i = 1; i < a.length; i++) assert.ok(a[i - 1].timestamp <= a[i].timestamp);
    const patterns = new Set(a.filter((t) => t.is_fraud).map((t) => t.pattern));
    assert.deepEqual([...patterns].sort(), ['account_takeover', 'burst', 'card_testing']);
  });
});
