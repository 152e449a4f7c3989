import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Random } from '../../core/random.js';
import { DATA } from '../../../test/support.js';
import { haversineKm } from './geo.js';
import { WindowEngine } from './window-engine.js';
import type { StreamFeatureSpec } from './window-spec.js';

interface Invoice {
  customer: string;
  ms: number;
  amount: number;
  lines: number;
  country: string;
}

// Real invoices from UCI Online Retail (data/online_retail_invoices.csv), one row per invoice.
function invoices(): Invoice[] {
  const [, ...lines] = readFileSync(path.join(DATA, 'online_retail_invoices.csv'), 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [, customer, ts, amount, n, country] = line.split(',');
    return {
      customer,
      ms: Date.parse(`${ts.replace(' ', 'T')}Z`),
      amount: Number(amount),
      lines: Number(n),
      country,
    };
  });
}

const DAY = 86_400_000;
const FEATURES: StreamFeatureSpec[] = [
  { name: 'count_1d', agg: 'count', window: '1d' },
  { name: 'sum_7d', agg: 'sum', column: 'amount', window: '7d' },
  { name: 'mean_30d', agg: 'mean', column: 'amount', window: '30d' },
  { name: 'min_7d', agg: 'min', column: 'amount', window: '7d' },
  { name: 'max_30d', agg: 'max', column: 'amount', window: '30d' },
  { name: 'std_30d', agg: 'std', column: 'amount', window: '30d' },
  { name: 'distinct_lines_30d', agg: 'distinct', column: 'lines', window: '30d' },
  { name: 'count_all', agg: 'count' },
  { name: 'sum_all', agg: 'sum', column: 'amount' },
  { name: 'last_amount', agg: 'last', column: 'amount' },
];

function brute(events: readonly Invoice[], at: number): number[] {
  const within = (w: number) => events.filter((e) => e.ms <= at && e.ms > at - w);
  const stats = (list: Invoice[]) => {
    const v = list.map((e) => e.amount);
    const n = v.length;
    const mean = v.reduce((a, b) => a + b, 0) / n;
    const std = n > 1 ? Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : Number.NaN;
    return { v, n, mean, std, sum: v.reduce((a, b) => a + b, 0) };
  };
  const d7 = stats(within(7 * DAY));
  const d30 = stats(within(30 * DAY));
  const all = events.filter((e) => e.ms <= at);
  const latest = all.reduce<Invoice | null>((a, b) => (a === null || b.ms >= a.ms ? b : a), null);
  return [
    within(DAY).length,
    d7.sum,
    d30.n ? d30.mean : Number.NaN,
    d7.n ? Math.min(...d7.v) : Number.NaN,
    d30.n ? Math.max(...d30.v) : Number.NaN,
    d30.std,
    new Set(within(30 * DAY).map((e) => e.lines)).size,
    all.length,
    all.reduce((a, e) => a + e.amount, 0),
    latest ? latest.amount : Number.NaN,
  ];
}

function assertClose(actual: ArrayLike<number>, expected: number[], where: string): void {
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e))
      assert.ok(Number.isNaN(a), `${where}, ${FEATURES[i].name}: got ${a}, expected missing`);
    else
      assert.ok(
        Math.abs(a - e) <= 1e-7 * Math.max(1, Math.abs(e)),
        `${where}, ${FEATURES[i].name}: got ${a}, expected ${e}`,
      );
  }
}

test('windows equal a brute-force recomputation after every event, out-of-order arrivals included', () => {
  const random = new Random(11);
  const lateness = 2 * DAY;
  // Arrival order: each event delayed by up to 3 days, so some arrive late and some too late.
  const arrivals = invoices()
    .map((e) => ({ e, arrive: e.ms + random.int(3 * DAY) }))
    .sort((a, b) => a.arrive - b.arrive)
    .map((a) => a.e);
  const engine = new WindowEngine(FEATURES, { allowedLatenessMs: lateness });
  const accepted = new Map<string, Invoice[]>();
  const watermark = new Map<string, number>();
  const out = new Float64Array(FEATURES.length);
  let late = 0;
  for (const e of arrivals) {
    const result = engine.update(e.customer, e.ms, e, out);
    const wm = watermark.get(e.customer) ?? -Infinity;
    if (e.ms < wm - lateness) {
      assert.equal(result, 'late');
      late++;
      continue;
    }
    assert.equal(result, 'accepted');
    const list = accepted.get(e.customer) ?? [];
    list.push(e);
    accepted.set(e.customer, list);
    watermark.set(e.customer, Math.max(wm, e.ms));
    assertClose(
      out,
      brute(list, Math.max(wm, e.ms)),
      `after ${e.customer} at ${new Date(e.ms).toISOString()}`,
    );
  }
  assert.ok(late > 0, 'some events arrived too late');
  assert.equal(engine.stats.late, late);
  // Reads ahead of the watermark expire windows without moving state.
  for (const [customer, list] of [...accepted].slice(0, 300)) {
    const at = watermark.get(customer)! + 3 * DAY + 1;
    engine.read(customer, out, at);
    assertClose(out, brute(list, at), `read of ${customer} 3 days on`);
    engine.read(customer, out);
    assertClose(out, brute(list, watermark.get(customer)!), `read of ${customer} at its watermark`);
  }
});

test('derived features: since_previous, zscore against 30 days before, first_seen, text last', () => {
  const engine = new WindowEngine(
    [
      { name: 'since_previous', agg: 'since_previous' },
      { name: 'amount_z_30d', agg: 'zscore', column: 'amount', window: '30d' },
      { name: 'new_lines', agg: 'first_seen', column: 'lines' },
      { name: 'last_country', agg: 'last', column: 'country' },
    ],
    { textColumns: ['country'] },
  );
  const events = invoices();
  const history = new Map<string, Invoice[]>();
  const out = new Float64Array(4);
  for (const e of events) {
    engine.update(e.customer, e.ms, e, out);
    const before = history.get(e.customer) ?? [];
    const previous = before.at(-1);
    assert.equal(out[0], previous ? (e.ms - previous.ms) / 1000 : Number.NaN);
    const v = before.filter((b) => b.ms > e.ms - 30 * DAY).map((b) => b.amount);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (v.length - 1));
    const z = v.length > 1 && std > 0 ? (e.amount - mean) / std : Number.NaN;
    if (Number.isNaN(z)) assert.ok(Number.isNaN(out[1]), `z of ${e.customer}: ${out[1]}`);
    else
      assert.ok(
        Math.abs(out[1] - z) < 1e-6 * Math.max(1, Math.abs(z)),
        `z of ${e.customer}: ${out[1]} vs ${z}`,
      );
    assert.equal(out[2], before.some((b) => b.lines === e.lines) ? 0 : 1);
    before.push(e);
    history.set(e.customer, before);
  }
  const [customer, list] = [...history][0];
  assert.equal(engine.record(customer)?.last_country, list.at(-1)!.country);
  assert.equal(engine.record('nobody'), null);
});

test('distance and speed from the previous location flag impossible travel', () => {
  const engine = new WindowEngine([
    { name: 'km', agg: 'distance', columns: ['lat', 'lon'] },
    { name: 'kmh', agg: 'speed', columns: ['lat', 'lon'] },
  ]);
  const out = new Float64Array(2);
  const t0 = Date.parse('2024-03-01T10:00:00Z');
  engine.update('u', t0, { lat: 48.8566, lon: 2.3522 }, out);
  assert.ok(Number.isNaN(out[0]));
  engine.update('u', t0 + 15 * 60_000, { lat: 51.5074, lon: -0.1278 }, out);
  assert.ok(Math.abs(out[0] - 343.9) < 1, `Paris–London is about 344 km, got ${out[0]}`);
  assert.ok(out[1] > 800, `344 km in 15 minutes is impossible travel, got ${out[1]} km/h`);
  assert.equal(out[0], haversineKm(48.8566, 2.3522, 51.5074, -0.1278));
  engine.update('u', t0 + 6 * 3_600_000, { lat: 51.5074, lon: -0.1278 }, out);
  assert.equal(out[1], 0);
});

test('an entity past maxEventsPerEntity drops its oldest events; memory stays bounded', () => {
  const engine = new WindowEngine([{ name: 'n', agg: 'count', window: '7d' }], { maxEventsPerEntity: 16 });
  const out = new Float64Array(1);
  for (let i = 0; i < 100; i++) engine.update('busy', i * 1000, {}, out);
  assert.equal(out[0], 16);
  assert.equal(engine.stats.evicted, 84);
});
