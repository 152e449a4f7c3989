import type { FeatureRecord } from '../../features/online/online-store.js';
import { WindowEngine } from '../../features/windows/window-engine.js';
import type { StreamFeatureSpec } from '../../features/windows/window-spec.js';
import { haversineKm } from './geo.js';
import type { Transaction } from './transaction.js';

/** What one user's past says about a new transaction, in this order; every window ends just before it. */
export const USER_WINDOW_FEATURES = [
  'count_1h',
  'sum_1h',
  'count_24h',
  'sum_24h',
  'count_7d',
  'sum_7d',
  'amount_zscore_30d',
  'seconds_since_previous',
  'distance_from_usual_km',
  'speed_from_previous_kmh',
  'new_device',
  'new_merchant',
  'new_payment_method',
  'history_30d',
] as const;

/**
 * The feature store's stream windows over each user's transactions. The engine counts an event in
 * its own windows, so the fraud features (which describe the past only) take it out again below.
 */
export const USER_STREAM_FEATURES: readonly StreamFeatureSpec[] = [
  { name: 'count_1h', agg: 'count', window: '1h' },
  { name: 'sum_1h', agg: 'sum', column: 'amount', window: '1h' },
  { name: 'count_24h', agg: 'count', window: '24h' },
  { name: 'sum_24h', agg: 'sum', column: 'amount', window: '24h' },
  { name: 'count_7d', agg: 'count', window: '7d' },
  { name: 'sum_7d', agg: 'sum', column: 'amount', window: '7d' },
  { name: 'count_30d', agg: 'count', window: '30d' },
  { name: 'sum_30d', agg: 'sum', column: 'amount', window: '30d' },
  { name: 'std_30d', agg: 'std', column: 'amount', window: '30d' },
  { name: 'lat_sum_30d', agg: 'sum', column: 'lat', window: '30d' },
  { name: 'lon_sum_30d', agg: 'sum', column: 'lon', window: '30d' },
  { name: 'since_previous_s', agg: 'since_previous' },
  { name: 'km_from_previous', agg: 'distance', columns: ['lat', 'lon'] },
  { name: 'first_device', agg: 'first_seen', column: 'device_id' },
  { name: 'first_merchant', agg: 'first_seen', column: 'merchant_id' },
  { name: 'first_payment_method', agg: 'first_seen', column: 'payment_method' },
];

const [
  COUNT_1H,
  SUM_1H,
  COUNT_24H,
  SUM_24H,
  COUNT_7D,
  SUM_7D,
  COUNT_30D,
  SUM_30D,
  STD_30D,
  LAT_30D,
  LON_30D,
] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const [SINCE, KM_PREVIOUS, FIRST_DEVICE, FIRST_MERCHANT, FIRST_METHOD] = [11, 12, 13, 14, 15];

export interface UserWindowsOptions {
  /**
   * How far behind a user's latest transaction one may arrive and still enter the windows; an older
   * one is scored against the windows as they stand and left out of them. Default 5 minutes.
   */
  allowedLatenessMs?: number;
}

/** The engine's reusable event: the columns its features read. */
interface WindowEvent {
  amount: number;
  lat: number;
  lon: number;
  device_id: string;
  merchant_id: string;
  payment_method: string;
}

/**
 * Per-user windows for fraud features, kept by the feature store's WindowEngine. `observe` both
 * computes a transaction's features and adds it to its user's windows, in one step of a few
 * microseconds: the engine derives event features (time since previous, first seen) on insertion.
 */
export class UserWindows {
  private readonly engine: WindowEngine;
  private readonly raw: Float64Array;
  private readonly event: WindowEvent = {
    amount: 0,
    lat: 0,
    lon: 0,
    device_id: '',
    merchant_id: '',
    payment_method: '',
  };

  constructor(options: UserWindowsOptions = {}) {
    this.engine = new WindowEngine(USER_STREAM_FEATURES, {
      allowedLatenessMs: options.allowedLatenessMs ?? 300_000,
      textColumns: ['device_id', 'merchant_id', 'payment_method'],
    });
    this.raw = new Float64Array(this.engine.names.length);
  }

  /** Users with a history. */
  get size(): number {
    return this.engine.stats.entities;
  }

  /**
   * Writes the features of `tx` at `at` (epoch ms) against its user's past into `out`
   * (USER_WINDOW_FEATURES order) and adds `tx` to the user's windows; returns false for a late
   * transaction, which is scored against the windows as they stand and not added.
   */
  observe(tx: Transaction, at: number, out: Float64Array): boolean {
    const e = this.event;
    e.amount = tx.amount;
    e.lat = tx.location.lat;
    e.lon = tx.location.lon;
    e.device_id = tx.device_id;
    e.merchant_id = tx.merchant_id;
    e.payment_method = tx.payment_method;
    const r = this.raw;
    if (this.engine.update(tx.user_id, at, e, r) === 'accepted') {
      pastFeatures(r, tx, 1, out);
      return true;
    }
    this.engine.read(tx.user_id, r);
    pastFeatures(r, tx, 0, out);
    return false;
  }

  /** The engine's current window values for a user (null for an unknown one), as the online store serves them. */
  record(userId: string): FeatureRecord | null {
    return this.engine.record(userId);
  }

  users(): IterableIterator<string> {
    return this.engine.entities();
  }
}

/**
 * Fraud features from the engine's values `r`, with the transaction itself (`self` = 1) or nothing
 * (`self` = 0, a late transaction) taken out of the windows. Event features of a late transaction
 * are unknown (NaN): the engine's describe the user's latest transaction, not this one.
 */
function pastFeatures(r: Float64Array, tx: Transaction, self: 0 | 1, out: Float64Array): void {
  const x = tx.amount;
  out[0] = r[COUNT_1H] - self;
  out[1] = settle(r[SUM_1H] - self * x);
  out[2] = r[COUNT_24H] - self;
  out[3] = settle(r[SUM_24H] - self * x);
  out[4] = r[COUNT_7D] - self;
  out[5] = settle(r[SUM_7D] - self * x);
  const n = r[COUNT_30D] - self;
  out[6] = settle(zscore(x, r[COUNT_30D], r[SUM_30D], r[STD_30D], self));
  out[7] = self ? r[SINCE] : Number.NaN;
  out[8] =
    n > 0
      ? settle(
          haversineKm(
            (r[LAT_30D] - self * tx.location.lat) / n,
            (r[LON_30D] - self * tx.location.lon) / n,
            tx.location.lat,
            tx.location.lon,
          ),
        )
      : Number.NaN;
  // A minute's floor keeps two near-simultaneous taps in one city from reading as supersonic.
  out[9] = self ? r[KM_PREVIOUS] / (Math.max(r[SINCE], 60) / 3600) : Number.NaN;
  out[10] = self ? r[FIRST_DEVICE] : Number.NaN;
  out[11] = self ? r[FIRST_MERCHANT] : Number.NaN;
  out[12] = self ? r[FIRST_METHOD] : Number.NaN;
  out[13] = n;
}

/**
 * (x − mean) / sd of the user's past 30 days (population sd, floored at 1 and at 10 % of the mean so
 * a user with near-constant amounts does not turn every change into a huge z); 0 with fewer than 3
 * past transactions. The window's count N, sum and sample sd include `self` transactions of amount
 * x; removing one is exact algebra on the second moment (Welford's update run backwards).
 */
function zscore(x: number, N: number, sum: number, sdN: number, self: 0 | 1): number {
  const n = N - self;
  if (n < 3) return 0;
  const mean = (sum - self * x) / n;
  let m2 = sdN * sdN * (N - 1);
  if (self) m2 -= (x - mean) * (x - sum / N);
  const sd = Math.sqrt(Math.max(0, m2 / n));
  return (x - mean) / Math.max(sd, 1, 0.1 * mean);
}

/**
 * Rounds to 1e-6. Running sums that add and subtract amounts carry rounding in the last digits,
 * which would make the same history give features differing by 1e-13 depending on what came and
 * went; settled values are the same however the windows got there (money has cents, km have metres).
 */
function settle(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
