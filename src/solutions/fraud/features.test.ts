import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FEATURE_NAMES, transactionFeatures } from './features.js';
import { haversineKm } from './geo.js';
import { LabelRates } from './label-rates.js';
import { simulateTransactions } from './simulator.js';
import { transactionTime, type Transaction } from './transaction.js';
import { USER_WINDOW_FEATURES, UserWindows } from './user-windows.js';

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
    const windows = new UserWindows();
    const sources = { windows, rates: new LabelRates() };
    const past = [
      tx('a', '2026-10-01T10:00:00Z', 48.85, 2.35),
      tx('b', '2026-10-05T10:00:00Z', 48.86, 2.35),
      tx('c', '2026-10-07T09:30:00Z', 48.85, 2.34),
    ];
    for (const t of past) transactionFeatures(t, transactionTime(t), sources);
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
    assert.equal(at('new_device', first), 1);
  });

  test("a transaction far behind its user's latest is scored against the windows and left out of them", () => {
    const windows = new UserWindows();
    const sources = { windows, rates: new LabelRates() };
    const a = tx('a', '2026-10-07T10:00:00Z', 48.85, 2.35);
    const b = tx('b', '2026-10-07T11:00:00Z', 48.85, 2.35);
    transactionFeatures(a, transactionTime(a), sources);
    transactionFeatures(b, transactionTime(b), sources);
    const late = tx('late', '2026-10-07T10:30:00Z', 48.85, 2.35);
    const x = transactionFeatures(late, transactionTime(late), sources);
    assert.equal(at('count_24h', x), 2);
    assert.ok(Number.isNaN(at('seconds_since_previous', x)));
    assert.equal(windows.record('u1')?.count_24h, 2);
  });

  test("the stream windows give what a direct scan of each user's past gives, on 20,000 simulated transactions", () => {
    const stream = simulateTransactions({ users: 300, days: 20, seed: 5, episodeRate: 0.01 }).slice(
      0,
      20_000,
    );
    const windows = new UserWindows();
    const out = new Float64Array(USER_WINDOW_FEATURES.length);
    const past = new Map<string, typeof stream>();
    for (const t of stream) {
      const now = transactionTime(t);
      assert.ok(windows.observe(t, now, out));
      const expected = scanPast(past.get(t.user_id) ?? [], t, now);
      USER_WINDOW_FEATURES.forEach((name, k) => {
        const [got, want] = [out[k], expected[k]];
        if (Number.isNaN(want))
          assert.ok(Number.isNaN(got), `${name} of ${t.transaction_id}: ${got}, expected NaN`);
        else
          assert.ok(
            Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)),
            `${name} of ${t.transaction_id}: ${got}, expected ${want}`,
          );
      });
      const history = past.get(t.user_id) ?? [];
      history.push(t);
      past.set(t.user_id, history);
    }
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

/** The user-window features by brute force over every earlier transaction of the user (USER_WINDOW_FEATURES order). */
function scanPast(past: readonly Transaction[], t: Transaction, now: number): number[] {
  const HOUR = 3_600_000;
  const inside = (w: number) => past.filter((p) => now - transactionTime(p) < w);
  const sum = (list: readonly Transaction[]) => list.reduce((s, p) => s + p.amount, 0);
  const month = inside(720 * HOUR);
  let z = 0;
  if (month.length >= 3) {
    const mean = sum(month) / month.length;
    const sd = Math.sqrt(month.reduce((s, p) => s + (p.amount - mean) ** 2, 0) / month.length);
    z = (t.amount - mean) / Math.max(sd, 1, 0.1 * mean);
  }
  const previous = past.at(-1);
  const seconds = previous ? (now - transactionTime(previous)) / 1000 : Number.NaN;
  const km = previous
    ? haversineKm(previous.location.lat, previous.location.lon, t.location.lat, t.location.lon)
    : Number.NaN;
  const centre = month.length
    ? haversineKm(
        month.reduce((s, p) => s + p.location.lat, 0) / month.length,
        month.reduce((s, p) => s + p.location.lon, 0) / month.length,
        t.location.lat,
        t.location.lon,
      )
    : Number.NaN;
  const seen = (key: 'device_id' | 'merchant_id' | 'payment_method') =>
    past.some((p) => p[key] === t[key]) ? 0 : 1;
  const windows = [HOUR, 24 * HOUR, 168 * HOUR].flatMap((w) => [inside(w).length, sum(inside(w))]);
  return [
    ...windows,
    z,
    seconds,
    centre,
    km / (Math.max(seconds, 60) / 3600),
    seen('device_id'),
    seen('merchant_id'),
    seen('payment_method'),
    month.length,
  ];
}
