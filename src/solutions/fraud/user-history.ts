import { haversineKm } from './geo.js';
import type { Transaction } from './transaction.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const KEEP = 30 * DAY;

/** What one user's past says about a new transaction; every window ends just before it. */
export interface UserWindowFeatures {
  count1h: number;
  sum1h: number;
  count24h: number;
  sum24h: number;
  count7d: number;
  sum7d: number;
  /** (amount − mean) / sd over the user's last 30 days; 0 with fewer than 3 past transactions. */
  amountZscore30d: number;
  /** Seconds since the user's previous transaction; NaN for a first one. */
  secondsSincePrevious: number;
  /** km from the centroid of the user's past 30 days of locations; NaN for a first one. */
  distanceFromUsualKm: number;
  /** km/h from the previous transaction's place and time; NaN for a first one. */
  speedFromPreviousKmh: number;
  newDevice: boolean;
  newMerchant: boolean;
  newPaymentMethod: boolean;
  /** Past transactions of the user in the last 30 days (0 for a new user). */
  history30d: number;
}

/**
 * The per-user windowed features the fraud solution needs, behind one small interface: the feature
 * store of issue 8 (stream windows, online store) is to implement it; until then InMemoryUserHistory
 * does, in process.
 */
export interface UserHistory {
  /** Features of `tx` against the history so far; reads only. */
  features(tx: Transaction, at: number): UserWindowFeatures;
  /** Adds `tx` to its user's history (called after the decision is sent). */
  record(tx: Transaction, at: number): void;
}

interface UserState {
  times: number[];
  amounts: number[];
  lats: number[];
  lons: number[];
  devices: Set<string>;
  merchants: Set<string>;
  methods: Set<string>;
}

/** Per-user history in process memory: the last 30 days of events and the sets of seen ids. */
export class InMemoryUserHistory implements UserHistory {
  private readonly users = new Map<string, UserState>();

  features(tx: Transaction, at: number): UserWindowFeatures {
    const s = this.users.get(tx.user_id);
    const f: UserWindowFeatures = {
      count1h: 0,
      sum1h: 0,
      count24h: 0,
      sum24h: 0,
      count7d: 0,
      sum7d: 0,
      amountZscore30d: 0,
      secondsSincePrevious: NaN,
      distanceFromUsualKm: NaN,
      speedFromPreviousKmh: NaN,
      newDevice: true,
      newMerchant: true,
      newPaymentMethod: true,
      history30d: 0,
    };
    if (s === undefined) return f;
    f.newDevice = !s.devices.has(tx.device_id);
    f.newMerchant = !s.merchants.has(tx.merchant_id);
    f.newPaymentMethod = !s.methods.has(tx.payment_method);
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    let lat = 0;
    let lon = 0;
    let last = -1;
    for (let i = 0; i < s.times.length; i++) {
      const age = at - s.times[i];
      if (age < 0 || age > KEEP) continue;
      const a = s.amounts[i];
      n++;
      sum += a;
      sumSq += a * a;
      lat += s.lats[i];
      lon += s.lons[i];
      if (age <= 7 * DAY) {
        f.count7d++;
        f.sum7d += a;
        if (age <= DAY) {
          f.count24h++;
          f.sum24h += a;
          if (age <= HOUR) {
            f.count1h++;
            f.sum1h += a;
          }
        }
      }
      if (last < 0 || s.times[i] >= s.times[last]) last = i;
    }
    f.history30d = n;
    if (n >= 3) {
      const mean = sum / n;
      const sd = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
      f.amountZscore30d = (tx.amount - mean) / Math.max(sd, 1, 0.1 * mean);
    }
    if (n > 0) {
      f.distanceFromUsualKm = haversineKm(lat / n, lon / n, tx.location.lat, tx.location.lon);
    }
    if (last >= 0) {
      const seconds = (at - s.times[last]) / 1000;
      const km = haversineKm(s.lats[last], s.lons[last], tx.location.lat, tx.location.lon);
      f.secondsSincePrevious = seconds;
      // A minute's floor keeps two near-simultaneous taps in one city from reading as supersonic.
      f.speedFromPreviousKmh = km / (Math.max(seconds, 60) / 3600);
    }
    return f;
  }

  record(tx: Transaction, at: number): void {
    let s = this.users.get(tx.user_id);
    if (s === undefined) {
      s = {
        times: [],
        amounts: [],
        lats: [],
        lons: [],
        devices: new Set(),
        merchants: new Set(),
        methods: new Set(),
      };
      this.users.set(tx.user_id, s);
    }
    if (s.times.length > 0 && at - s.times[0] > KEEP) prune(s, at);
    s.times.push(at);
    s.amounts.push(tx.amount);
    s.lats.push(tx.location.lat);
    s.lons.push(tx.location.lon);
    s.devices.add(tx.device_id);
    s.merchants.add(tx.merchant_id);
    s.methods.add(tx.payment_method);
  }

  /** Users with a history. */
  get size(): number {
    return this.users.size;
  }
}

function prune(s: UserState, at: number): void {
  let keep = 0;
  while (keep < s.times.length && at - s.times[keep] > KEEP) keep++;
  s.times.splice(0, keep);
  s.amounts.splice(0, keep);
  s.lats.splice(0, keep);
  s.lons.splice(0, keep);
}
